// Lesson 02, exercises 4 and 2: run_backward (behind Tensor::backward) and grad_buffer.
#include <cmath>
#include <span>
#include <vector>

#include "bg/autograd.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// ---- exercise 4 ----------------------------------------------------------------------------

TEST(Ex4Backward, ScalarChain) {
  // y = exp(3x) + 1 at x = 0.5: dy/dx = 3 exp(1.5)
  Tensor x = scalar(0.5f, true);
  Tensor y = (x * 3.0f).exp() + 1.0f;
  y.backward();
  EXPECT_TRUE(AllClose(x.grad(), {3.0f * std::exp(1.5f)}, 1e-5, 1e-6));
  EXPECT_EQ(x.grad().shape(), Shape{});
}

TEST(Ex4Backward, DiamondAddsBothPaths) {
  // d = (2x) * exp(x): dd/dx = 2 exp(x) + 2x exp(x)
  Tensor x = tensor({0.0f, 1.0f, -0.5f}, {3}, true);
  Tensor d = (x * 2.0f) * x.exp();
  d.sum().backward();
  std::vector<float> expected;
  for (float v : {0.0f, 1.0f, -0.5f}) expected.push_back(2 * std::exp(v) + 2 * v * std::exp(v));
  EXPECT_TRUE(AllClose(x.grad(), expected, 1e-5, 1e-5));
}

TEST(Ex4Backward, ExplicitGradientForNonScalar) {
  Tensor x = tensor({1, 2, 3}, {3}, true);
  Tensor y = x * 4.0f;
  y.backward(tensor({1.0f, 0.5f, -1.0f}));
  EXPECT_TRUE(AllClose(x.grad(), {4.0f, 2.0f, -4.0f}));
}

TEST(Ex4Backward, LeafRoot) {
  Tensor x = tensor({1, 2}, {2}, true);
  x.backward(tensor({3.0f, 4.0f}));
  EXPECT_TRUE(AllClose(x.grad(), {3.0f, 4.0f}));
}

TEST(Ex4Backward, InputsThatDoNotRequireGradGetNone) {
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor c = tensor({5, 6}, {2});
  (x * c).sum().backward();
  EXPECT_TRUE(AllClose(x.grad(), {5, 6}));
  EXPECT_FALSE(c.has_grad());
}

TEST(Ex4Backward, NonScalarWithoutGradientIsAnError) {
  Tensor x = tensor({1, 2, 3}, {3}, true);
  Tensor y = x * 2.0f;
  EXPECT_BG_ERROR(y.backward(), "one-element", "[3]");
  // and the graph is untouched: backward with an explicit gradient still works
  y.backward(ones({3}));
  EXPECT_TRUE(AllClose(x.grad(), {2, 2, 2}));
}

TEST(Ex4Backward, GradientShapeMismatchShowsBothShapes) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, true);
  Tensor y = x * 2.0f;
  EXPECT_BG_ERROR(y.backward(ones({3, 2})), "[3, 2]", "[2, 3]");
  EXPECT_BG_ERROR(y.backward(ones({6})), "[6]", "[2, 3]");
  EXPECT_FALSE(x.has_grad());
}

TEST(Ex4Backward, TensorThatDoesNotRequireGradIsAnError) {
  Tensor x = tensor({1, 2}, {2});
  Tensor y = (x * 2.0f).sum();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_BG_ERROR(y.backward(), "does not require grad");
  EXPECT_BG_ERROR(x.backward(ones({2})), "does not require grad");
}

TEST(Ex4Backward, GraphIsFreedAfterBackward) {
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor h = x * 3.0f;
  Tensor y = h.sum();
  y.backward();
  EXPECT_TRUE(y.node().parents.empty());
  EXPECT_TRUE(h.node().parents.empty());
  EXPECT_FALSE(static_cast<bool>(y.node().backward_fn));
  EXPECT_FALSE(static_cast<bool>(h.node().backward_fn));
  EXPECT_TRUE(y.node().graph_freed);
  EXPECT_TRUE(h.node().graph_freed);
  EXPECT_FALSE(x.node().graph_freed);  // leaves keep their gradient and stay usable
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(x.node_ptr().use_count(), 1) << "the graph still holds the input";
}

TEST(Ex4Backward, SecondBackwardThroughAFreedGraphIsAnError) {
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor y = (x * 3.0f).sum();
  y.backward();
  EXPECT_BG_ERROR(y.backward(), "freed");
  EXPECT_TRUE(AllClose(x.grad(), {3, 3}));  // the failed call added nothing
}

TEST(Ex4Backward, SharedIntermediateFreedByTheFirstBackward) {
  // Like PyTorch without retain_graph: h's graph is gone after the first pass.
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor h = x * 2.0f;
  Tensor y1 = (h * 3.0f).sum();
  Tensor y2 = (h * 4.0f).sum();
  y1.backward();
  EXPECT_BG_ERROR(y2.backward(), "freed");
}

TEST(Ex4Backward, BackwardRecordsNoGraph) {
  // The backward functions compute with ops; none of that may end up in a graph.
  Tensor x = tensor({1, 2}, {2}, true);
  (x * x).sum().backward();
  EXPECT_TRUE(grad_enabled());
  EXPECT_FALSE(x.grad().requires_grad());
  EXPECT_TRUE(x.grad().is_leaf());
}

// y = 2x, with a backward function that writes down whether recording was on while it ran.
Tensor double_and_spy(const Tensor& x, bool* recording) {
  std::vector<float> out(x.data().begin(), x.data().end());
  for (float& v : out) v *= 2.0f;
  return make_result(
      std::move(out), x.shape(), {x},
      [recording](const Node& o) {
        *recording = grad_enabled();
        Node& in = o.parents[0].node();
        if (!in.requires_grad) return;
        std::span<float> g = grad_buffer(in);
        for (size_t i = 0; i < g.size(); ++i) g[i] += 2.0f * o.grad[i];
      },
      "double_and_spy");
}

TEST(Ex4Backward, BackwardFunctionsRunWithRecordingOff) {
  Tensor x = tensor({1, 2}, {2}, true);
  bool recording = true;
  double_and_spy(x, &recording).sum().backward();
  EXPECT_FALSE(recording) << "run_backward must call the backward functions inside a NoGradGuard";
  EXPECT_TRUE(grad_enabled()) << "recording must be back on after backward()";
  EXPECT_TRUE(AllClose(x.grad(), {2, 2}));
}

TEST(Ex4Backward, BackwardLeavesRecordingOffIfItWasOff) {
  Tensor x = tensor({1, 2}, {2}, true);
  bool recording = true;
  Tensor y = double_and_spy(x, &recording).sum();
  set_grad_enabled(false);
  y.backward();
  const bool after = grad_enabled();
  set_grad_enabled(true);
  EXPECT_FALSE(recording);
  EXPECT_FALSE(after) << "backward() switched recording on; it must restore the previous state";
}

TEST(Ex4Backward, DeepChain) {
  // On a 256 KB stack, like Ex1TopoOrder.DeepChainNeedsNoRecursion: a recursive backward
  // pass (or topological sort) overflows it.
  testing::RunWithSmallStack([] {
    constexpr int kDepth = 100000;
    Tensor x = scalar(1.0f, true);
    Tensor y = x;
    for (int i = 0; i < kDepth; ++i) y = y * 1.0f + 0.0f;  // 200,000 nodes
    y.backward();
    EXPECT_TRUE(AllClose(x.grad(), {1.0f}));
  });
}

TEST(Ex4Backward, RunBackwardDirectly) {
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor y = x * 5.0f;
  run_backward(y.node(), tensor({1.0f, 2.0f}));
  EXPECT_TRUE(AllClose(x.grad(), {5, 10}));
}

// ---- exercise 2 (and 4) ------------------------------------------------------------------

TEST(Ex2Accumulation, GradBufferStartsAtZerosAndKeepsValues) {
  Tensor x = tensor({1, 2, 3}, {3}, true);
  EXPECT_FALSE(x.has_grad());
  std::span<float> g = grad_buffer(x.node());
  ASSERT_EQ(g.size(), 3u);
  for (float v : g) EXPECT_EQ(v, 0.0f);
  g[1] = 7.0f;
  std::span<float> again = grad_buffer(x.node());
  EXPECT_EQ(again.data(), g.data()) << "a second call must return the same storage";
  EXPECT_EQ(again[1], 7.0f) << "a second call must not reset the gradient";
}

TEST(Ex2Accumulation, GradBufferRejectsAWrongSize) {
  Tensor x = tensor({1, 2, 3}, {3}, true);
  x.node().grad.assign(2, 0.0f);
  EXPECT_BG_ERROR(grad_buffer(x.node()), "[3]");
}

TEST(Ex2Accumulation, TensorUsedTwiceByOneBackwardFunction) {
  // Without run_backward (exercise 4): seed y's gradient and call its backward function by
  // hand. The mul backward asks grad_buffer(x) twice, once per operand; d(x*x)/dx = 2x only
  // if the second call adds to what the first one left.
  Tensor x = tensor({1.5f, -2.0f}, {2}, true);
  Tensor y = x * x;
  std::span<float> gy = grad_buffer(y.node());
  gy[0] = 1.0f;
  gy[1] = 1.0f;
  y.node().backward_fn(y.node());
  EXPECT_TRUE(AllClose(x.grad(), {3.0f, -4.0f}));
}

// The same rule, seen through backward() (exercises 2 and 4 together):

TEST(Ex4Accumulation, TensorUsedTwice) {
  // d(x*x)/dx = 2x: the mul backward adds x into the same buffer twice.
  Tensor x = tensor({1.5f, -2.0f}, {2}, true);
  (x * x).sum().backward();
  EXPECT_TRUE(AllClose(x.grad(), {3.0f, -4.0f}));
}

TEST(Ex4Accumulation, TensorUsedInSeveralOps) {
  Tensor x = tensor({2.0f}, {1}, true);
  (x * 3.0f + x * 4.0f + x).sum().backward();
  EXPECT_TRUE(AllClose(x.grad(), {8.0f}));
}

TEST(Ex4Accumulation, TwoBackwardPassesAddUp) {
  Tensor x = tensor({1, 2}, {2}, true);
  (x * 3.0f).sum().backward();
  (x * x).sum().backward();  // a new graph, same leaf
  EXPECT_TRUE(AllClose(x.grad(), {3.0f + 2.0f, 3.0f + 4.0f}));
  x.zero_grad();
  EXPECT_FALSE(x.has_grad());
  (x * 3.0f).sum().backward();
  EXPECT_TRUE(AllClose(x.grad(), {3.0f, 3.0f}));
}

TEST(Ex4Accumulation, RootGradientIsAddedNotAssigned) {
  Tensor x = tensor({1, 2}, {2}, true);
  x.backward(tensor({1.0f, 1.0f}));
  x.backward(tensor({0.5f, 2.0f}));
  EXPECT_TRUE(AllClose(x.grad(), {1.5f, 3.0f}));
}

TEST(Ex4Accumulation, UnreachedIntermediateGetsZeros) {
  // y's backward must run even though nothing flowed into y (its buffer starts at zeros).
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor y = x * 2.0f;
  y.backward(zeros({2}));
  EXPECT_TRUE(AllClose(x.grad(), {0, 0}));
  EXPECT_TRUE(AllClose(y.grad(), {0, 0}));
}

}  // namespace
}  // namespace bg
