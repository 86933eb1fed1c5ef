// The parts of lessons 07–08 that are not exercises: building the attention modules
// (sizes checked, projections created and registered in the PyTorch order) and copying a
// list of heads into the fused projection; and the two products of the fused heads with each
// head read where it lies.
#include "bg/attention.h"

#include <algorithm>
#include <string>

#include "bg/autograd.h"
#include "bg/error.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/parallel.h"
#include "bg/kernels/storage.h"

namespace bg {

namespace {

std::string str(int64_t v) { return std::to_string(v); }

// Returns n_embed after checking the sizes of a Head.
int64_t checked_head(int64_t n_embed, int64_t head_size, int64_t block_size) {
  if (n_embed <= 0 || head_size <= 0 || block_size <= 0) {
    throw Error("Head: sizes must be positive, got n_embed " + str(n_embed) + ", head_size " +
                str(head_size) + ", block_size " + str(block_size));
  }
  return n_embed;
}

// Returns n_embed after checking the sizes of a multi-head attention.
int64_t checked_multi(const char* who, int64_t n_embed, int64_t n_head, int64_t block_size) {
  if (n_embed <= 0 || n_head <= 0 || block_size <= 0) {
    throw Error(std::string(who) + ": sizes must be positive, got n_embed " + str(n_embed) +
                ", n_head " + str(n_head) + ", block_size " + str(block_size));
  }
  if (n_embed % n_head != 0) {
    throw Error(std::string(who) + ": n_embed " + str(n_embed) + " is not divisible by n_head " +
                str(n_head));
  }
  return n_embed;
}

// B sequences of T positions, C = nh · hs channels, nh heads of hs channels.
struct AttentionDims {
  int64_t B, T, C, nh;
  int64_t hs() const { return C / nh; }
};

// Head h of sequence b: in a (B, T, C) tensor it starts at b*T*C + h*hs, rows C apart; in a
// (B, nh, T, T) tensor its (T, T) block starts at (b*nh + h)*T*T.
int64_t head_offset(const AttentionDims& d, int64_t b, int64_t h) {
  return b * d.T * d.C + h * d.hs();
}
int64_t square_offset(const AttentionDims& d, int64_t b, int64_t h) {
  return (b * d.nh + h) * d.T * d.T;
}

// One (b, h) pair per item, split across threads; `flops` per item decides how many.
template <class Fn>
void for_each_head(const AttentionDims& d, double flops, Fn fn) {
  parallel_for(d.B * d.nh, flops, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) fn(i / d.nh, i % d.nh);
  });
}

}  // namespace

Tensor head_scores(const Tensor& q, const Tensor& k, int64_t n_head) {
  if (q.dim() != 3 || q.shape() != k.shape() || n_head <= 0 || q.size(2) % n_head != 0) {
    throw Error("head_scores: q and k must be the same (B, T, C) with C divisible by n_head " +
                str(n_head) + ", got q " + shape_str(q.shape()) + " and k " + shape_str(k.shape()));
  }
  const AttentionDims d{q.size(0), q.size(1), q.size(2), n_head};
  const int64_t T = d.T, C = d.C, hs = d.hs();
  const double flops = 2.0 * static_cast<double>(T * T * hs);
  std::vector<float> s = take_zeros(static_cast<size_t>(d.B * d.nh * T * T));
  const float* pq = q.data().data();
  const float* pk = k.data().data();
  // scores (T, T) = q_h (T, hs) · k_hᵀ (hs, T): k_hᵀ is k_h read with its strides swapped
  for_each_head(d, flops, [&](int64_t b, int64_t h) {
    const int64_t o = head_offset(d, b, h);
    gemm_serial({pq + o, C, 1}, {pk + o, 1, C}, s.data() + square_offset(d, b, h), T, T, hs, T);
  });
  return make_result(
      std::move(s), {d.B, d.nh, T, T}, {q, k},
      [d, flops](const Node& out) {
        const int64_t T = d.T, C = d.C, hs = d.hs();
        Node& qn = out.parents[0].node();
        Node& kn = out.parents[1].node();
        const float* pq = qn.data.data();
        const float* pk = kn.data.data();
        float* dq = grad_or_null(qn);
        float* dk = grad_or_null(kn);
        for_each_head(d, 2 * flops, [&](int64_t b, int64_t h) {
          const int64_t o = head_offset(d, b, h);
          const float* g = out.grad.data() + square_offset(d, b, h);  // (T, T)
          // dq_h (T, hs) += g (T, T) · k_h (T, hs)
          if (dq != nullptr) gemm_serial({g, T, 1}, {pk + o, C, 1}, dq + o, C, T, T, hs);
          // dk_h (T, hs) += gᵀ (T, T) · q_h (T, hs)
          if (dk != nullptr) gemm_serial({g, 1, T}, {pq + o, C, 1}, dk + o, C, T, T, hs);
        });
      },
      "head_scores");
}

Tensor head_mix(const Tensor& wei, const Tensor& v) {
  const bool ok = wei.dim() == 4 && v.dim() == 3 && wei.size(1) > 0 &&
                  v.size(2) % wei.size(1) == 0 &&
                  wei.shape() == Shape{v.size(0), wei.size(1), v.size(1), v.size(1)};
  if (!ok) {
    const std::string got = "got wei " + shape_str(wei.shape()) + " and v " + shape_str(v.shape());
    throw Error("head_mix: wei must be (B, nh, T, T) for v (B, T, C) with C divisible by nh, " +
                got);
  }
  const AttentionDims d{v.size(0), v.size(1), v.size(2), wei.size(1)};
  const int64_t T = d.T, C = d.C, hs = d.hs();
  const double flops = 2.0 * static_cast<double>(T * T * hs);
  std::vector<float> y = take_zeros(static_cast<size_t>(d.B * T * C));
  const float* pw = wei.data().data();
  const float* pv = v.data().data();
  // out_h (T, hs), written in place in y (B, T, C), = wei[b, h] (T, T) · v_h (T, hs)
  for_each_head(d, flops, [&](int64_t b, int64_t h) {
    const int64_t o = head_offset(d, b, h);
    gemm_serial({pw + square_offset(d, b, h), T, 1}, {pv + o, C, 1}, y.data() + o, C, T, T, hs);
  });
  return make_result(
      std::move(y), {d.B, T, C}, {wei, v},
      [d, flops](const Node& out) {
        const int64_t T = d.T, C = d.C, hs = d.hs();
        Node& wn = out.parents[0].node();
        Node& vn = out.parents[1].node();
        const float* pw = wn.data.data();
        const float* pv = vn.data.data();
        float* dw = grad_or_null(wn);
        float* dv = grad_or_null(vn);
        for_each_head(d, 2 * flops, [&](int64_t b, int64_t h) {
          const int64_t o = head_offset(d, b, h), sq = square_offset(d, b, h);
          const float* g = out.grad.data() + o;  // g_h (T, hs), rows C apart
          // dwei[b, h] (T, T) += g_h (T, hs) · v_hᵀ (hs, T)
          if (dw != nullptr) gemm_serial({g, C, 1}, {pv + o, 1, C}, dw + sq, T, T, hs, T);
          // dv_h (T, hs) += wei[b, h]ᵀ (T, T) · g_h (T, hs)
          if (dv != nullptr) gemm_serial({pw + sq, 1, T}, {g, C, 1}, dv + o, C, T, T, hs);
        });
      },
      "head_mix");
}

Head::Head(int64_t n_embed, int64_t head_size, int64_t block_size, Generator& gen)
    : key(checked_head(n_embed, head_size, block_size), head_size, false, gen),
      query(n_embed, head_size, false, gen),
      value(n_embed, head_size, false, gen),
      n_embed_(n_embed),
      head_size_(head_size),
      block_size_(block_size) {
  register_module("key", key);
  register_module("query", query);
  register_module("value", value);
  // No parameters, but a child all the same, so that train() / eval() reach it: without it
  // a v10 model in eval mode would still drop attention weights.
  register_module("drop", drop);
}

FusedMultiHeadAttention::FusedMultiHeadAttention(int64_t n_embed, int64_t n_head,
                                                 int64_t block_size, Generator& gen)
    : key(checked_multi("FusedMultiHeadAttention", n_embed, n_head, block_size), n_embed, false,
          gen),
      query(n_embed, n_embed, false, gen),
      value(n_embed, n_embed, false, gen),
      n_embed_(n_embed),
      n_head_(n_head),
      head_size_(n_embed / n_head),
      block_size_(block_size) {
  register_module("key", key);
  register_module("query", query);
  register_module("value", value);
}

void FusedMultiHeadAttention::load_from(const MultiHeadAttention& mha) {
  if (mha.n_embed() != n_embed_ || mha.n_head() != n_head_ ||
      static_cast<int64_t>(mha.heads.size()) != n_head_) {
    throw Error("FusedMultiHeadAttention::load_from: sizes differ: fused n_embed " + str(n_embed_) +
                ", n_head " + str(n_head_) + " vs list of " +
                str(static_cast<int64_t>(mha.heads.size())) + " heads, n_embed " +
                str(mha.n_embed()) + ", n_head " + str(mha.n_head()));
  }
  const int64_t block = head_size_ * n_embed_;  // one head's (hs, C) weight
  for (int64_t h = 0; h < n_head_; ++h) {
    const Head& head = *mha.heads[static_cast<size_t>(h)];
    const std::pair<const Linear*, Linear*> pairs[] = {
        {&head.key, &key}, {&head.query, &query}, {&head.value, &value}};
    for (auto [from, to] : pairs) {
      auto src = from->weight.data();  // (hs, C)
      if (static_cast<int64_t>(src.size()) != block) {
        throw Error("FusedMultiHeadAttention::load_from: head " + str(h) + " weight has shape " +
                    shape_str(from->weight.shape()) + ", expected [" + str(head_size_) + ", " +
                    str(n_embed_) + "]");
      }
      std::copy(src.begin(), src.end(), to->weight.data().begin() + h * block);  // rows h*hs…
    }
  }
}

}  // namespace bg
