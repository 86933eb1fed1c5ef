// Lesson 06, exercise 2: adding the position embeddings to the token embeddings.
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/nn_ops.h"

namespace bg {

Tensor add_positions(const Tensor& tok, const Tensor& pos_table) {
  if (tok.dim() != 3 || pos_table.dim() != 2 || tok.size(2) != pos_table.size(1)) {
    throw Error("add_positions: need tok (B, T, C) and pos_table (block_size, C), got " +
                shape_str(tok.shape()) + " and " + shape_str(pos_table.shape()));
  }
  const int64_t B = tok.size(0), T = tok.size(1), C = tok.size(2);
  const int64_t block = pos_table.size(0);
  if (T > block) {
    throw Error("add_positions: sequence length T = " + std::to_string(T) + " exceeds block_size " +
                std::to_string(block) + " (the position table " + shape_str(pos_table.shape()) +
                " has no row for it)");
  }
  const float* a = tok.data().data();        // (B, T, C)
  const float* p = pos_table.data().data();  // (block, C); rows 0..T used
  std::vector<float> y = take_buffer(static_cast<size_t>(B * T * C));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < T * C; ++i)
      y[static_cast<size_t>(b * T * C + i)] = a[b * T * C + i] + p[i];
  return make_result(
      std::move(y), tok.shape(), {tok, pos_table},
      [B, T, C](const Node& out) {
        const float* g = out.grad.data();  // (B, T, C)
        const Tensor& t = out.parents[0];
        const Tensor& pt = out.parents[1];
        if (t.requires_grad()) {  // d tok = g
          float* gt = grad_buffer(t.node()).data();
          for (int64_t i = 0; i < B * T * C; ++i) gt[i] += g[i];
        }
        if (pt.requires_grad()) {  // d pos[t] = sum over b of g[b, t]; rows >= T untouched
          float* gp = grad_buffer(pt.node()).data();
          for (int64_t b = 0; b < B; ++b)
            for (int64_t i = 0; i < T * C; ++i) gp[i] += g[b * T * C + i];
        }
      },
      "add_positions");
}

}  // namespace bg
