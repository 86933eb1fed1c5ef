// Lesson 13, exercise 1: attention of new queries over cached keys and values. Read
// lessons/13_kv_cache/README.md#exercise-1, then replace the stub's body.
#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

// cached_attention(q, k, v, out, n_new, past, hs): plain loops on raw arrays, no tensors.
//   q   (n_new, hs)       the new rows' queries
//   k,v (past+n_new, hs)  keys and values of every position, the new rows last
//   out (n_new, hs)       written (not added to)
// For each new row i, at position p = past + i:
// - s_j = dot(q_i, k_j) / sqrt(hs) for j = 0 … p only — keys after p are the future (the
//   causal mask of lesson 07, shifted by `past`: the new row i is row past+i of the full
//   T × T matrix, not row i);
// - subtract the largest s_j, exponentiate, divide by the sum: the weights w_j;
// - out_i = Σ_{j ≤ p} w_j · v_j.
// A scratch std::vector<float> for one row of scores is fine. (The solution uses the fast
// products of bg/kernels.h for the two sums; plain loops compute the same numbers.)
void cached_attention([[maybe_unused]] const float* q, [[maybe_unused]] const float* k,
                      [[maybe_unused]] const float* v, [[maybe_unused]] float* out,
                      [[maybe_unused]] int64_t n_new, [[maybe_unused]] int64_t past,
                      [[maybe_unused]] int64_t hs) {
  bg::not_implemented(13, 1, "cached_attention");
}

}  // namespace bg
