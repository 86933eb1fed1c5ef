// Lesson 05, exercise 3: the embedding lookup and its scatter-add gradient.
#include <algorithm>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/nn_ops.h"

namespace bg {

Tensor embedding(const Tensor& weight, std::span<const int32_t> ids, Shape ids_shape) {
  if (weight.dim() != 2) {
    throw Error("embedding: the weight must be 2-D (num_embeddings, dim), got shape " +
                shape_str(weight.shape()));
  }
  check_shape(ids_shape);
  if (static_cast<int64_t>(ids.size()) != numel(ids_shape)) {
    throw Error("embedding: " + std::to_string(ids.size()) + " ids do not fill the shape " +
                shape_str(ids_shape));
  }
  const int64_t rows = weight.size(0), C = weight.size(1);
  for (size_t k = 0; k < ids.size(); ++k) {
    if (ids[k] < 0 || ids[k] >= rows) {
      throw Error("embedding: id " + std::to_string(ids[k]) + " at position " + std::to_string(k) +
                  " is out of range for a table of " + std::to_string(rows) +
                  " rows (valid ids: 0.." + std::to_string(rows - 1) + ")");
    }
  }
  const int64_t n = static_cast<int64_t>(ids.size());
  const float* w = weight.data().data();  // (rows, C)
  std::vector<float> y = take_buffer(static_cast<size_t>(n * C));
  for (int64_t k = 0; k < n; ++k) {  // y (n, C): row k is row ids[k] of the table
    std::copy_n(w + ids[static_cast<size_t>(k)] * C, C, y.data() + k * C);
  }
  Shape out_shape = std::move(ids_shape);
  out_shape.push_back(C);
  std::vector<int32_t> saved(ids.begin(), ids.end());
  return make_result(
      std::move(y), std::move(out_shape), {weight},
      [saved = std::move(saved), C](const Node& out) {
        float* gw = grad_buffer(out.parents[0].node()).data();  // (rows, C)
        const float* g = out.grad.data();                       // (n, C)
        for (size_t k = 0; k < saved.size(); ++k) {  // scatter-add: repeated ids accumulate
          float* dst = gw + saved[k] * C;
          const float* src = g + static_cast<int64_t>(k) * C;
          for (int64_t c = 0; c < C; ++c) dst[c] += src[c];
        }
      },
      "embedding");
}

}  // namespace bg
