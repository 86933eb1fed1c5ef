// Causal multi-head attention over a whole batch: the forward and the backward kernel
// (bg/fast/attention_kernels.h). One (sequence, head) pair is one unit of work, done by one thread
// with a T × T scratch that stays in its cache; the heads are read in place from qkv (row stride
// C + 2·kv·hs) and written in place into out (row stride C), so nothing is split, copied or joined.
// A key/value head shared by n_rep query heads is read where it lies by each of them; the
// backward takes a whole group (its n_rep query heads, one after the other) as one unit, so that
// the group's dk and dv have one writer and sum the heads in a fixed order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "bg/fast/attention_kernels.h"
#include "bg/kernels/exp.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/parallel.h"

namespace bg::fast {

namespace {

// Where one (sequence b, query head h) pair lives: its queries, and the keys and values of its
// key/value head g = h / n_rep, in qkv (row stride width = C + 2·kv·hs); its columns of out or of
// a gradient (B, T, C) (row stride C); and the offsets of the three in a (B, T, width) array.
struct HeadRef {
  const float* q;
  const float* k;
  const float* v;
  int64_t ld;       // width
  int64_t out_off;  // offset of (b, 0, h·hs) in a (B, T, C) array
  int64_t q_off;    // offset of (b, 0, h·hs), head h's queries, in a (B, T, width) array
  int64_t k_off;    // offset of (b, 0, C + g·hs), head g's keys
  int64_t v_off;    // offset of (b, 0, C + kv·hs + g·hs), head g's values
};

HeadRef head_ref(const float* qkv, const AttentionDims& d, int64_t b, int64_t h) {
  const int64_t ld = d.width(), hs = d.hs(), g = h / d.n_rep();
  const int64_t row0 = b * d.T * ld;  // offset of (b, 0, 0)
  const int64_t q_off = row0 + h * hs;
  const int64_t k_off = row0 + d.C + g * hs;
  const int64_t v_off = k_off + d.kv * hs;
  return {qkv + q_off, qkv + k_off, qkv + v_off, ld, b * d.T * d.C + h * hs, q_off, k_off, v_off};
}

// The generator positioned at the first dropout draw of (b, h): block b · per_sequence +
// h · per_head of T · T draws (the list of heads drops head 0's (B, T, T) weights first, then
// head 1's, …; one Dropout on (B, nh, T, T) goes sequence by sequence, head by head).
Generator dropout_stream(const Generator& gen, const AttentionDims& d, const AttentionDropout& drop,
                         int64_t b, int64_t h) {
  Generator g = gen;
  g.advance(static_cast<uint64_t>(((b * drop.per_sequence + h * drop.per_head) * d.T) * d.T));
  return g;
}

// The causal products skip the blocks above the diagonal, where every weight is zero: rows
// are taken kCausalRows at a time, and a block of rows [r0, r1) needs only the keys s < r1.
// Skipped terms are exact zeros. For T up to 256 (one depth block of gemm) every sum is the
// one the full product would give, bit for bit; beyond, the transposed products' depth
// blocks start at another place, which can change the last bits.
constexpr int64_t kCausalRows = 32;

// w (T, T) = x (T, k) · yᵀ (y stored (T, k)), on and below the diagonal only: each block of
// rows [r0, r1) gets its columns [0, r1) (the callers read only s <= t, and zero the rest).
// Rows of x have stride ldx, of y stride ldy.
void lower_of_product(const float* x, int64_t ldx, const float* y, int64_t ldy, float* w, int64_t T,
                      int64_t k) {
  for (int64_t r0 = 0; r0 < T; r0 += kCausalRows) {
    const int64_t r1 = std::min(T, r0 + kCausalRows);
    for (int64_t t = r0; t < r1; ++t) std::fill(w + t * T, w + t * T + r1, 0.0f);
    // (r1 - r0, k) · (k, r1): yᵀ is y read with its strides swapped
    gemm_serial({x + r0 * ldx, ldx, 1}, {y, 1, ldy}, w + r0 * T, T, r1 - r0, k, r1);
  }
}

// c (T, n) += a (T, T) · b (T, n) for a lower-triangular a (a[t][s] = 0 for s > t): row t
// of c sums over s <= t. Rows of b have stride ldb, of c stride ldc.
void lower_times(const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int64_t T,
                 int64_t n) {
  for (int64_t r0 = 0; r0 < T; r0 += kCausalRows) {
    const int64_t r1 = std::min(T, r0 + kCausalRows);
    gemm_serial({a + r0 * T, T, 1}, {b, ldb, 1}, c + r0 * ldc, ldc, r1 - r0, r1, n);
  }
}

// c (T, n) += aᵀ · b (T, n) for the same lower-triangular a: row s of c sums over t >= s.
void lower_transposed_times(const float* a, const float* b, int64_t ldb, float* c, int64_t ldc,
                            int64_t T, int64_t n) {
  for (int64_t s0 = 0; s0 < T; s0 += kCausalRows) {
    const int64_t s1 = std::min(T, s0 + kCausalRows);
    // aᵀ rows [s0, s1), depth t in [s0, T): element (s, t) = a[t * T + s]
    gemm_serial({a + s0 * T + s0, 1, T}, {b + s0 * ldb, ldb, 1}, c + s0 * ldc, ldc, s1 - s0, T - s0,
                n);
  }
}

// The dropout factors of row t of the weights, 0 or 1 / (1 - drop_p), for its columns s <= t.
// Dropout on the full (T, T) matrix draws for every column, so the generator then skips the
// draws of the masked columns s > t (their weights are zero whatever is drawn).
void dropout_row(float* factor, int64_t t, int64_t T, float drop_p, Generator& g) {
  dropout_factors(g, drop_p, factor, static_cast<size_t>(t + 1));
  g.advance(static_cast<uint64_t>(T - t - 1));
}

// Sixteen running maxima / sums instead of one (as the kernels' dot, bg/kernels/gemm.h), so that
// the compiler keeps them in one vector register: a single running value is a chain of dependent
// instructions no vector unit helps.
constexpr int64_t kLanes = 16;

float max_scaled(const float* row, int64_t n, float scale) {  // max of row[0..n) · scale
  float lane[kLanes];
  for (int64_t j = 0; j < kLanes; ++j) lane[j] = -std::numeric_limits<float>::infinity();
  int64_t s = 0;
  for (; s + kLanes <= n; s += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = std::max(lane[j], row[s + j] * scale);
  float m = lane[0];
  for (int64_t j = 1; j < kLanes; ++j) m = std::max(m, lane[j]);
  for (; s < n; ++s) m = std::max(m, row[s] * scale);
  return m;
}

float sum(const float* v, int64_t n) {
  float lane[kLanes] = {};
  int64_t s = 0;
  for (; s + kLanes <= n; s += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) lane[j] += v[s + j];
  float total = 0.0f;
  for (int64_t j = 0; j < kLanes; ++j) total += lane[j];
  for (; s < n; ++s) total += v[s];
  return total;
}

}  // namespace

void attention_forward(const float* qkv, float* out, float* lse, const AttentionDims& d,
                       const AttentionDropout& drop, const Generator& gen) {
  const int64_t T = d.T, hs = d.hs();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  const float drop_p = drop.p;
  std::fill(out, out + d.B * T * d.C, 0.0f);
  const double cost = 4.0 * static_cast<double>(T * T * hs);
  parallel_for(d.B * d.nh, cost, [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> scratch;
    scratch.resize(static_cast<size_t>(T * T + T));
    float* w = scratch.data();  // (T, T) the scores, then the weights
    float* factor = w + T * T;  // (T) one row's dropout factors
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t b = i / d.nh, h = i % d.nh;
      const HeadRef r = head_ref(qkv, d, b, h);
      lower_of_product(r.q, r.ld, r.k, r.ld, w, T, hs);  // scores (T, T) = q · kᵀ
      Generator g = drop_p > 0.0f ? dropout_stream(gen, d, drop, b, h) : gen;
      for (int64_t t = 0; t < T; ++t) {
        float* row = w + t * T;
        // softmax over s <= t of row[s] · scale; zero above the diagonal
        const float m = max_scaled(row, t + 1, scale);
        for (int64_t s = 0; s <= t; ++s) row[s] = fast_exp(row[s] * scale - m);
        const float z = sum(row, t + 1);
        const float inv = 1.0f / z;
        for (int64_t s = 0; s <= t; ++s) row[s] *= inv;
        std::fill(row + t + 1, row + T, 0.0f);
        lse[(b * d.nh + h) * T + t] = m + std::log(z);
        if (drop_p > 0.0f) {
          dropout_row(factor, t, T, drop_p, g);
          for (int64_t s = 0; s <= t; ++s) row[s] *= factor[s];
        }
      }
      // out (T, hs) += p (T, T) · v (T, hs)
      lower_times(w, r.v, r.ld, out + r.out_off, d.C, T, hs);
    }
  });
}

void attention_backward(const float* g, const float* qkv, const float* lse, float* dqkv,
                        const AttentionDims& d, const AttentionDropout& drop,
                        const Generator& gen) {
  const int64_t T = d.T, hs = d.hs(), n_rep = d.n_rep();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  const float drop_p = drop.p;
  const double cost = 10.0 * static_cast<double>(T * T * hs * n_rep);
  // one unit: sequence b and key/value head kvh, with its query heads kvh·n_rep … one by one
  parallel_for(d.B * d.kv, cost, [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> scratch;
    scratch.resize(static_cast<size_t>(3 * T * T + T));
    float* p = scratch.data();      // (T, T) the softmax weights
    float* pd = p + T * T;          // (T, T) the weights after dropout (p itself without it)
    float* dp = p + 2 * T * T;      // (T, T) dL/dp, then dL/dw
    float* factor = p + 3 * T * T;  // (T) one row's dropout factors
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t b = i / d.kv, kvh = i % d.kv;
      for (int64_t h = kvh * n_rep; h < (kvh + 1) * n_rep; ++h) {
        const HeadRef r = head_ref(qkv, d, b, h);
        const float* gh = g + r.out_off;  // (T, hs), row stride C
        // the weights again, from the scores and the saved log-sum-exp of each row
        lower_of_product(r.q, r.ld, r.k, r.ld, p, T, hs);  // scores (T, T) = q · kᵀ
        for (int64_t t = 0; t < T; ++t) {
          float* row = p + t * T;
          const float l = lse[(b * d.nh + h) * T + t];
          for (int64_t s = 0; s <= t; ++s) row[s] = fast_exp(row[s] * scale - l);
          std::fill(row + t + 1, row + T, 0.0f);
        }
        lower_of_product(gh, d.C, r.v, r.ld, dp, T, hs);  // dp (T, T) = g (T, hs) · vᵀ
        const float* used = p;                            // what multiplied v in the forward
        if (drop_p > 0.0f) {
          Generator gd = dropout_stream(gen, d, drop, b, h);
          for (int64_t t = 0; t < T; ++t) {
            dropout_row(factor, t, T, drop_p, gd);  // the forward's factors again
            for (int64_t s = 0; s <= t; ++s) {
              pd[t * T + s] = p[t * T + s] * factor[s];
              dp[t * T + s] *= factor[s];
            }
            std::fill(pd + t * T + t + 1, pd + (t + 1) * T, 0.0f);
          }
          used = pd;
        }
        // dv (T, hs) += usedᵀ (T, T) · g (T, hs)
        lower_transposed_times(used, gh, d.C, dqkv + r.v_off, r.ld, T, hs);
        // softmax backward, row by row, with the score scale folded in: dw = p (dp - p·dp) · scale
        for (int64_t t = 0; t < T; ++t) {
          const float* pr = p + t * T;
          float* dr = dp + t * T;
          const float pdp = dot(pr, dr, t + 1);
          for (int64_t s = 0; s <= t; ++s) dr[s] = pr[s] * (dr[s] - pdp) * scale;
          std::fill(dr + t + 1, dr + T, 0.0f);
        }
        // dq (T, hs) += dw (T, T) · k (T, hs);  dk (T, hs) += dwᵀ · q
        lower_times(dp, r.k, r.ld, dqkv + r.q_off, r.ld, T, hs);
        lower_transposed_times(dp, r.q, r.ld, dqkv + r.k_off, r.ld, T, hs);
      }
    }
  });
}

}  // namespace bg::fast
