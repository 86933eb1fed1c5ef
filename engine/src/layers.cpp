// Engine parts of lesson 05 that are not exercises: the Embedding module and AdamW's
// constructor.
#include <string>

#include "bg/error.h"
#include "bg/module.h"
#include "bg/nn_ops.h"
#include "bg/optim.h"

namespace bg {

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

AdamW::AdamW(std::vector<Tensor> params, float lr, float beta1, float beta2, float eps,
             float weight_decay)
    : Optimizer(std::move(params)),
      lr_(lr),
      beta1_(beta1),
      beta2_(beta2),
      eps_(eps),
      weight_decay_(weight_decay) {
  if (!(lr >= 0.0f)) throw Error("AdamW: lr must be >= 0, got " + std::to_string(lr));
  if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f)) {
    throw Error("AdamW: betas must be in [0, 1), got " + std::to_string(beta1) + ", " +
                std::to_string(beta2));
  }
  if (!(eps >= 0.0f)) throw Error("AdamW: eps must be >= 0, got " + std::to_string(eps));
  if (!(weight_decay >= 0.0f)) {
    throw Error("AdamW: weight_decay must be >= 0, got " + std::to_string(weight_decay));
  }
}

}  // namespace bg
