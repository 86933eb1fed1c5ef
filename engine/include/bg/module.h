// Modules: named trees of parameters, like torch.nn.Module — lesson 04.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bg/random.h"
#include "bg/tensor.h"

namespace bg {

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // ---- Lesson 04, exercise 4 --------------------------------------------------------------
  // Every parameter of this module and of its children, depth first, in registration order,
  // named with dots the way a PyTorch state_dict names them: this module's own parameters
  // first ("bias"), then each child's under its name ("sa_heads.heads.0.key.weight").
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;

  std::vector<Tensor> parameters() const;  // the tensors of named_parameters()
  int64_t num_parameters() const;          // total element count
  void zero_grad();                        // every parameter forgets its gradient
  void train(bool on = true);              // sets the mode of this module and its children
  void eval() { train(false); }
  bool is_training() const { return training_; }

  const std::vector<std::pair<std::string, Tensor>>& own_parameters() const { return params_; }
  const std::vector<std::pair<std::string, Module*>>& children() const { return children_; }

 protected:
  // Registers a parameter (requires_grad is switched on) and returns it.
  Tensor register_parameter(std::string name, Tensor value);
  // Registers a child module owned by the caller (usually a member) and returns it.
  template <class M>
  M& register_module(std::string name, M& child) {
    add_child(std::move(name), &child);
    return child;
  }

 private:
  void add_child(std::string name, Module* child);
  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, Module*>> children_;
  bool training_ = true;
};

// y = x · Wᵀ + b with W (out_features, in_features), b (out_features), both initialised
// U(-1/√in, 1/√in) as in PyTorch. Parameters are named "weight" and "bias".
class Linear : public Module {
 public:
  // ---- Lesson 04, exercise 5: the constructor's initialisation and forward
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         Generator& gen = default_generator());
  Tensor forward(const Tensor& x) const;  // x (..., in) -> (..., out)
  Tensor operator()(const Tensor& x) const { return forward(x); }

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }
  Tensor weight;
  Tensor bias;  // undefined when built without bias

 private:
  int64_t in_;
  int64_t out_;
};

// A lookup table of num_embeddings vectors of size embedding_dim, as torch.nn.Embedding:
// weight (num_embeddings, embedding_dim) initialised N(0, 1), named "weight". forward is
// bg::embedding (lesson 05, exercise 3) on this weight.
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen = default_generator());
  // ids (numel(ids_shape) token ids, row-major) -> (ids_shape..., embedding_dim)
  Tensor forward(std::span<const int32_t> ids, Shape ids_shape) const;

  int64_t num_embeddings() const { return weight.size(0); }
  int64_t embedding_dim() const { return weight.size(1); }
  Tensor weight;
};

}  // namespace bg
