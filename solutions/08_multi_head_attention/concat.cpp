// Lesson 08, exercise 1: concatenation along one dimension, with its backward.
//
// Every piece, viewed around dimension d as (outer, n_p, inner), lands in the output
// (outer, N, inner) at offset off_p along d, where N = sum of the n_p.
#include <algorithm>
#include <string>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/storage.h"

namespace bg {

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) throw Error("concat of an empty list of tensors");
  const Shape& first = tensors[0].shape();
  if (first.empty()) throw Error("concat: cannot join scalars (shape [])");
  const DimSplit split = split_at(first, dim);  // (outer, n_0, inner) around dim
  const auto d = static_cast<size_t>(split.dim);
  Shape out_shape = first;
  out_shape[d] = 0;
  std::vector<int64_t> sizes;  // n_p of each piece
  for (size_t p = 0; p < tensors.size(); ++p) {
    const Shape& s = tensors[p].shape();
    bool same = s.size() == first.size();
    for (size_t k = 0; same && k < s.size(); ++k) same = k == d || s[k] == first[k];
    if (!same) {
      throw Error("concat along dim " + std::to_string(dim) + ": tensor " + std::to_string(p) +
                  " has shape " + shape_str(s) + " but tensor 0 has shape " + shape_str(first) +
                  " (all sizes but dim " + std::to_string(d) + " must agree)");
    }
    sizes.push_back(s[d]);
    out_shape[d] += s[d];
  }
  const int64_t outer = split.outer, inner = split.inner;
  const int64_t N = out_shape[d];

  std::vector<float> y = take_buffer(static_cast<size_t>(numel(out_shape)));
  int64_t off = 0;
  for (size_t p = 0; p < tensors.size(); ++p) {
    const float* src = tensors[p].data().data();
    const int64_t chunk = sizes[p] * inner;  // contiguous run of piece p per outer index
    for (int64_t o = 0; o < outer; ++o)      // (outer, n_p, inner) -> (outer, N, inner)
      std::copy_n(src + o * chunk, chunk, y.data() + (o * N + off) * inner);
    off += sizes[p];
  }
  return make_result(
      std::move(y), std::move(out_shape), tensors,
      [sizes = std::move(sizes), outer, inner, N](const Node& out) {
        int64_t off = 0;
        for (size_t p = 0; p < sizes.size(); ++p) {
          const Tensor& piece = out.parents[p];
          const int64_t chunk = sizes[p] * inner;
          if (piece.requires_grad()) {
            float* gp = grad_buffer(piece.node()).data();
            for (int64_t o = 0; o < outer; ++o) {
              const float* g = out.grad.data() + (o * N + off) * inner;
              for (int64_t e = 0; e < chunk; ++e) gp[o * chunk + e] += g[e];
            }
          }
          off += sizes[p];
        }
      },
      "concat");
}

}  // namespace bg
