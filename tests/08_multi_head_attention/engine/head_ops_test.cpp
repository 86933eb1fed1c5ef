// Lesson 08, engine code: head_scores and head_mix (engine/src/attention.cpp), the fused
// heads' two products with each head read in place — not an exercise. Each is checked
// against the reshape / transpose / matmul composition it replaces, and by finite
// differences.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/kernels/parallel.h"
#include "bg/linalg.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

struct Dims {
  int64_t B, T, C, nh;
};
// (B, T, C) -> (B, nh, T, hs) by copying: the way the PyTorch idiom splits the heads.
Tensor split(const Tensor& t, int64_t nh) {
  const int64_t B = t.size(0), T = t.size(1), C = t.size(2);
  return transpose(reshape(t, {B, T, nh, C / nh}), 1, 2);
}
Tensor merge(const Tensor& t) {  // (B, nh, T, hs) -> (B, T, C)
  return reshape(transpose(t, 1, 2), {t.size(0), t.size(2), t.size(1) * t.size(3)});
}
std::string name(const Dims& d) {
  std::string s = "B, T, C, nh =";
  for (int64_t v : {d.B, d.T, d.C, d.nh}) {
    s += ' ';
    s += std::to_string(v);
  }
  return s;
}
// Shapes with one head, one channel per head, one position, and a batch of one.
const std::vector<Dims> kDims = {
    {2, 5, 8, 2}, {3, 4, 6, 1}, {2, 3, 6, 6}, {1, 1, 4, 2}, {4, 7, 12, 3}};

TEST(HeadScores, EqualsTheSplitHeadsProductWithItsGradients) {
  for (const Dims& d : kDims) {
    Generator gen(static_cast<uint64_t>(d.T * 100 + d.C));
    const Tensor q = randn({d.B, d.T, d.C}, gen).requires_grad_();
    const Tensor k = randn({d.B, d.T, d.C}, gen).requires_grad_();
    const Tensor q2 = q.detach().requires_grad_(), k2 = k.detach().requires_grad_();
    const Tensor g = randn({d.B, d.nh, d.T, d.T}, gen);
    const Tensor fast = head_scores(q, k, d.nh);
    const Tensor slow = matmul(split(q2, d.nh), transpose(split(k2, d.nh), -2, -1));
    ASSERT_EQ(fast.shape(), (Shape{d.B, d.nh, d.T, d.T})) << name(d);
    EXPECT_TRUE(AllClose(fast, slow, 1e-5, 1e-5)) << name(d);
    fast.backward(g);
    slow.backward(g);
    EXPECT_TRUE(AllClose(q.grad(), q2.grad(), 1e-5, 1e-5)) << name(d);
    EXPECT_TRUE(AllClose(k.grad(), k2.grad(), 1e-5, 1e-5)) << name(d);
  }
}

TEST(HeadMix, EqualsTheMergedHeadsProductWithItsGradients) {
  for (const Dims& d : kDims) {
    Generator gen(static_cast<uint64_t>(d.T * 100 + d.C));
    const Tensor wei = randn({d.B, d.nh, d.T, d.T}, gen).requires_grad_();
    const Tensor v = randn({d.B, d.T, d.C}, gen).requires_grad_();
    const Tensor wei2 = wei.detach().requires_grad_(), v2 = v.detach().requires_grad_();
    const Tensor g = randn({d.B, d.T, d.C}, gen);
    const Tensor fast = head_mix(wei, v);
    const Tensor slow = merge(matmul(wei2, split(v2, d.nh)));
    ASSERT_EQ(fast.shape(), (Shape{d.B, d.T, d.C})) << name(d);
    EXPECT_TRUE(AllClose(fast, slow, 1e-5, 1e-5)) << name(d);
    fast.backward(g);
    slow.backward(g);
    EXPECT_TRUE(AllClose(wei.grad(), wei2.grad(), 1e-5, 1e-5)) << name(d);
    EXPECT_TRUE(AllClose(v.grad(), v2.grad(), 1e-5, 1e-5)) << name(d);
  }
}

TEST(HeadScores, HeadHReadsOnlyItsOwnChannels) {
  // q = k = ones except channel 5 (head 1 of 2, hs 4): only head 1's scores see it.
  Tensor q = ones({1, 2, 8});
  q.at({0, 1, 5}) = 3.0f;
  const Tensor s = head_scores(q, q, 2);
  EXPECT_EQ(s.at({0, 0, 1, 1}), 4.0f);   // head 0: four channels of ones
  EXPECT_EQ(s.at({0, 1, 1, 1}), 12.0f);  // head 1: 1 + 1 + 1 + 9
  EXPECT_EQ(s.at({0, 1, 0, 1}), 6.0f);   // head 1: 1 + 1 + 1 + 3
}

TEST(HeadOps, Gradcheck) {
  Generator gen(3);
  const Tensor q = randn({2, 3, 6}, gen).requires_grad_();
  const Tensor k = randn({2, 3, 6}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("head_scores",
                     [](const std::vector<Tensor>& in) { return head_scores(in[0], in[1], 3); },
                     {q, k}));
  // the same tensor as query and key: both gradients land in one buffer
  EXPECT_TRUE(GradOk("head_scores(q, q)",
                     [](const std::vector<Tensor>& in) { return head_scores(in[0], in[0], 2); },
                     {q}));
  const Tensor wei = randn({2, 3, 3, 3}, gen).requires_grad_();
  const Tensor v = randn({2, 3, 6}, gen).requires_grad_();
  EXPECT_TRUE(GradOk(
      "head_mix", [](const std::vector<Tensor>& in) { return head_mix(in[0], in[1]); }, {wei, v}));
}

TEST(HeadOps, GradientsOnlyWhereAsked) {
  Generator gen(4);
  const Tensor q = randn({2, 3, 4}, gen).requires_grad_();
  const Tensor k = randn({2, 3, 4}, gen);
  head_scores(q, k, 2).backward(ones({2, 2, 3, 3}));
  EXPECT_TRUE(q.grad().defined());
  EXPECT_FALSE(k.grad().defined());
  const Tensor wei = randn({2, 2, 3, 3}, gen);
  const Tensor v = randn({2, 3, 4}, gen).requires_grad_();
  head_mix(wei, v).backward(ones({2, 3, 4}));
  EXPECT_FALSE(wei.grad().defined());
  EXPECT_TRUE(v.grad().defined());
}

TEST(HeadOps, ThreadsGiveTheSameBits) {
  // Big enough that the (b, h) pairs are split across threads; each pair is one serial
  // product either way, so the values must agree exactly.
  Generator gen(5);
  Tensor q = randn({8, 64, 64}, gen).requires_grad_();
  Tensor k = randn({8, 64, 64}, gen).requires_grad_();
  const Tensor g = randn({8, 64, 64}, gen);
  const int saved = num_threads();
  std::vector<std::vector<float>> runs;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    q.zero_grad();
    k.zero_grad();
    const Tensor out = head_mix(softmax(head_scores(q, k, 4), -1), k);
    out.backward(g);
    std::vector<float> all = out.tolist();
    for (const Tensor& t : {q.grad(), k.grad()}) {
      const auto values = t.tolist();
      all.insert(all.end(), values.begin(), values.end());
    }
    runs.push_back(all);
  }
  set_num_threads(saved);
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(HeadOps, RejectBadShapes) {
  EXPECT_BG_ERROR(head_scores(zeros({2, 3, 6}), zeros({2, 4, 6}), 2), "[2, 3, 6]", "[2, 4, 6]");
  EXPECT_BG_ERROR(head_scores(zeros({2, 3, 6}), zeros({2, 3, 6}), 4), "n_head 4", "[2, 3, 6]");
  EXPECT_BG_ERROR(head_scores(zeros({2, 3, 6}), zeros({2, 3, 6}), 0), "n_head 0");
  EXPECT_BG_ERROR(head_scores(zeros({3, 6}), zeros({3, 6}), 2), "[3, 6]");
  EXPECT_BG_ERROR(head_mix(zeros({2, 2, 3, 3}), zeros({2, 4, 6})), "[2, 2, 3, 3]", "[2, 4, 6]");
  EXPECT_BG_ERROR(head_mix(zeros({2, 4, 3, 3}), zeros({2, 3, 6})), "[2, 4, 3, 3]", "[2, 3, 6]");
  EXPECT_BG_ERROR(head_mix(zeros({1, 2, 3, 3}), zeros({2, 3, 6})), "[1, 2, 3, 3]");
  EXPECT_BG_ERROR(head_mix(zeros({2, 2, 3, 4}), zeros({2, 3, 6})), "[2, 2, 3, 4]");
  EXPECT_BG_ERROR(head_mix(zeros({2, 0, 3, 3}), zeros({2, 3, 6})), "[2, 0, 3, 3]");
  EXPECT_BG_ERROR(head_mix(zeros({2, 3, 6}), zeros({2, 3, 6})), "(B, nh, T, T)");
}

}  // namespace
}  // namespace bg
