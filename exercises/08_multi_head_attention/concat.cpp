// Lesson 08, exercise 1: concat. Read lessons/08_multi_head_attention/README.md#exercise-1,
// then replace the stub's body.
#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/error.h"

namespace bg {

// concat(tensors, dim): the tensors joined along dim, like torch.cat.
//
// - Throw bg::Error for an empty list, for scalars, and when a tensor's number of dims or
//   any size other than dim's differs from tensor 0's — the message shows both shapes
//   (shape_str) and which tensor it was. normalize_dim handles negative dims.
// - View each piece p as (outer, n_p, inner) and the output as (outer, N, inner) with
//   N = sum of the n_p: for each o, piece p's contiguous run of n_p * inner values goes to
//   output offset (o * N + off_p) * inner, where off_p = n_0 + … + n_{p-1}.
//   split_at(tensors[0].shape(), dim) (bg/shape.h) gives outer and inner (and the dim).
// - make_result(y, out_shape, tensors, backward, "concat"): out.parents[p] is piece p. The
//   backward cuts the same runs back out of out.grad and ADDS them into each piece's
//   grad_buffer — only for pieces that require grad.
Tensor concat([[maybe_unused]] const std::vector<Tensor>& tensors, [[maybe_unused]] int64_t dim) {
  bg::not_implemented(8, 1, "concat");
}

}  // namespace bg
