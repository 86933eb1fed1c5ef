// Lesson 14, exercises 3 and 4: key/value heads shared by groups of query heads, and
// grouped-query attention. Read lessons/14_attention_heads/README.md#exercise-3 and
// #exercise-4, then replace the stubs' bodies.
#include "bg/error.h"
#include "bg/grouped_attention.h"

namespace bg {

// Exercise 3. repeat_kv(x, n_kv_head, n_rep): x (..., K·hs) holds K = n_kv_head heads side by
// side. The result (..., K·n_rep·hs) holds head g in heads g·n_rep … g·n_rep+n_rep-1:
//   y[..., (g·n_rep + r)·hs + i] = x[..., g·hs + i]
// With n_rep = 1 return x itself. Write the forward values and the backward with make_result
// (bg/autograd.h), as lesson 08's concat does: every copy's gradient flows back into the head it
// was copied from, summed in the order r = 0, 1, …, which keeps the sums' bits the same on
// every machine. The tests check the values, the gradient with finite differences, that
// n_rep = 1 returns x, and bg::Error on bad sizes (bg/grouped_attention.h says what the
// message must show).
Tensor repeat_kv([[maybe_unused]] const Tensor& x, [[maybe_unused]] int64_t n_kv_head,
                 [[maybe_unused]] int64_t n_rep) {
  bg::not_implemented(14, 3, "repeat_kv");
}

// Exercise 4. GroupedQueryAttention::forward: lesson 08's fused attention
// (exercises/08_multi_head_attention/fused.cpp) with keys and values of K heads, each shared by
// n_rep() query heads (repeat_kv), then W^O (proj) and the two dropouts, in the order
// bg/grouped_attention.h gives. Check x's shape first (the message shows it). When `weights`
// is not null, give it head_weights(wei). The tests compare it with lesson 10's attention when
// K = n_head (bit for bit), with PyTorch's numbers for K < n_head, and check its gradients.
Tensor GroupedQueryAttention::forward([[maybe_unused]] const Tensor& x,
                                      [[maybe_unused]] std::vector<Tensor>* weights) const {
  bg::not_implemented(14, 4, "GroupedQueryAttention::forward");
}

}  // namespace bg
