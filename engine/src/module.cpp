// Module bookkeeping (lesson 04) and the Embedding module (lesson 05): the parts of the modules
// that are not exercises.
#include "bg/module.h"

#include <string>
#include <utility>

#include "bg/error.h"
#include "bg/nn_ops.h"

namespace bg {

Tensor Module::register_parameter(std::string name, Tensor value) {
  if (!value.is_leaf()) throw Error("register_parameter(" + name + "): a parameter must be a leaf");
  value.requires_grad_(true);
  params_.emplace_back(std::move(name), value);
  return value;
}

void Module::add_child(std::string name, Module* child) {
  children_.emplace_back(std::move(name), child);
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (auto& [name, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::zero_grad() {
  for (auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen) {
  if (num_embeddings <= 0 || embedding_dim <= 0) {
    throw Error("Embedding: sizes must be positive, got " + std::to_string(num_embeddings) + " x " +
                std::to_string(embedding_dim));
  }
  Tensor w = zeros({num_embeddings, embedding_dim});
  for (float& x : w.data()) x = gen.normal();  // N(0, 1), as torch.nn.Embedding
  weight = register_parameter("weight", w);
}

Tensor Embedding::forward(std::span<const int32_t> ids, Shape ids_shape) const {
  return embedding(weight, ids, std::move(ids_shape));
}

}  // namespace bg
