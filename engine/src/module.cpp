// Module bookkeeping and the optimiser base: the parts of lesson 04 that are not exercises.
#include "bg/module.h"

#include "bg/error.h"
#include "bg/optim.h"

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

void Optimizer::zero_grad() {
  for (Tensor& p : params_) p.zero_grad();
}

SGD::SGD(std::vector<Tensor> params, float lr, float momentum, float weight_decay)
    : Optimizer(std::move(params)), lr_(lr), momentum_(momentum), weight_decay_(weight_decay) {
  if (!(lr > 0.0f)) throw Error("SGD: lr must be positive, got " + std::to_string(lr));
}

}  // namespace bg
