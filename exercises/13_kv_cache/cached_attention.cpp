// Lesson 13, exercise 1: attention of new queries over cached keys and values. Read
// lessons/13_kv_cache/README.md#exercise-1, then replace the stub's body.
#include "bg/error.h"
#include "bg/kv_cache.h"

namespace bg {

// cached_attention(q, k, v, out, n_new, past, hs): plain loops on raw row-major arrays, no
// tensors, no graph.
//   q    (n_new, hs)        the new rows' queries; new row i sits at position past + i
//   k, v (past+n_new, hs)   the keys and values of every position, the new rows last
//   out  (n_new, hs)        written (not added to)
// Row i of out must equal row past + i of lesson 07's causal attention over all past+n_new
// positions (scaled scores, the causal mask, softmax, the weighted sum of the values). README
// §2 explains which keys the new query may see; get that shift right.
// Properties the tests check: past = 0 gives the whole causal attention; rows of k and v
// after the last position are never read (the tests fill them with NaN); scores in the
// hundreds do not overflow. A scratch std::vector<float> for one row of scores is fine.
void cached_attention([[maybe_unused]] const float* q, [[maybe_unused]] const float* k,
                      [[maybe_unused]] const float* v, [[maybe_unused]] float* out,
                      [[maybe_unused]] int64_t n_new, [[maybe_unused]] int64_t past,
                      [[maybe_unused]] int64_t hs) {
  bg::not_implemented(13, 1, "cached_attention");
}

}  // namespace bg
