// Lesson 02, engine code: dump_graph, the graph printer the lesson's walk-through uses (not an
// exercise; built against the solutions only).
#include <gtest/gtest.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

// y = (a*b + a).sum(): parents before children, root last; a used twice is listed once.
// sum() of every element is recorded as reshape to (n), sum over dim 0, reshape to ().
TEST(DumpGraph, SmallGraphBeforeAndAfterBackward) {
  Tensor a = tensor({1, 2, 3}, {3}, true);
  Tensor b = tensor({4, 5, 6}, {3});
  Tensor s = a * b + a;
  Tensor y = s.sum();
  const TensorNames names = {{"a", a}, {"b", b}};
  const std::string before =
      "0: leaf \"a\" [3] requires_grad=true data=[1, 2, 3]\n"
      "1: leaf \"b\" [3] requires_grad=false data=[4, 5, 6]\n"
      "2: mul(0, 1) [3] requires_grad=true data=[4, 10, 18]\n"
      "3: add(2, 0) [3] requires_grad=true data=[5, 12, 21]\n"
      "4: reshape(3) [3] requires_grad=true data=[5, 12, 21]\n"
      "5: sum(4) [] requires_grad=true data=[38]\n"
      "6: reshape(5) [] requires_grad=true data=[38]\n";
  EXPECT_EQ(dump_graph(y, names), before);
  // Printing changed nothing: the same text again, no grads, and backward still works.
  EXPECT_EQ(dump_graph(y, names), before);
  EXPECT_FALSE(a.has_grad());
  EXPECT_EQ(s.node().parents.size(), 2u);

  y.backward();
  // The backward pass freed the graph: the root has no parents left, only its grad.
  EXPECT_EQ(dump_graph(y), "0: reshape(graph freed) [] requires_grad=true data=[38] grad=[1]\n");
  EXPECT_EQ(dump_graph(s),
            "0: add(graph freed) [3] requires_grad=true data=[5, 12, 21] grad=[1, 1, 1]\n");
  // dy/da = b + 1; b does not require grad and has none.
  EXPECT_EQ(dump_graph(a, names),
            "0: leaf \"a\" [3] requires_grad=true data=[1, 2, 3] grad=[5, 6, 7]\n");
  EXPECT_EQ(dump_graph(b, names), "0: leaf \"b\" [3] requires_grad=false data=[4, 5, 6]\n");
}

TEST(DumpGraph, ATensorUsedTwiceByOneOpIsOneNode) {
  Tensor x = tensor({0.5f, -2}, {2}, true);
  EXPECT_EQ(dump_graph(x * x),
            "0: leaf [2] requires_grad=true data=[0.5, -2]\n"
            "1: mul(0, 0) [2] requires_grad=true data=[0.25, 4]\n");
}

TEST(DumpGraph, Leaves) {
  EXPECT_EQ(dump_graph(scalar(2.5f)), "0: leaf [] requires_grad=false data=[2.5]\n");
  EXPECT_EQ(dump_graph(zeros({2, 0}, true)), "0: leaf [2, 0] requires_grad=true data=[]\n");
  EXPECT_EQ(dump_graph(Tensor()), "undefined tensor\n");
  // An op on inputs that do not require grad makes a leaf too: nothing was recorded.
  EXPECT_EQ(dump_graph(tensor({1, 2}) * 3.0f), "0: mul [2] requires_grad=false data=[3, 6]\n");
}

// The first 4 values, then "..." (exactly 4: no "..."); 4 significant digits.
TEST(DumpGraph, ShowsTheFirstFourValuesOfDataAndGrad) {
  Tensor four = tensor({1, 2, 3, 4}, {2, 2}, true);
  EXPECT_EQ(dump_graph(four), "0: leaf [2, 2] requires_grad=true data=[1, 2, 3, 4]\n");
  Tensor five =
      tensor({1.0f / 3, -2e-5f, 1e30f, -std::numeric_limits<float>::infinity(), 7}, {5}, true);
  five.backward(tensor({1, 2, 3, 4, 5}));
  EXPECT_EQ(dump_graph(five),
            "0: leaf [5] requires_grad=true data=[0.3333, -2e-05, 1e+30, -inf, ...] "
            "grad=[1, 2, 3, 4, ...]\n");
}

TEST(DumpGraph, NamesAnyNodeAndWritesToAStream) {
  Tensor w = tensor({1, 2}, {2}, true);
  Tensor h = w * 2.0f;
  Tensor loss = sum(h, 0);
  std::ostringstream os;
  dump_graph(os, loss, {{"w", w}, {"h", h}});
  EXPECT_EQ(os.str(),
            "0: leaf \"w\" [2] requires_grad=true data=[1, 2]\n"
            "1: mul(0) \"h\" [2] requires_grad=true data=[2, 4]\n"
            "2: sum(1) [] requires_grad=true data=[6]\n");
  EXPECT_EQ(os.str(), dump_graph(loss, {{"w", w}, {"h", h}}));
}

// 100,000 chained ops on a thread with a 256 KB stack: a recursive walk would overflow it.
TEST(DumpGraph, DeepChainOnASmallStack) {
  testing::RunWithSmallStack([] {
    constexpr int kDepth = 100000;
    Tensor x = scalar(0.0f, true);
    Tensor y = x;
    for (int i = 0; i < kDepth; ++i) y = y + 1.0f;
    const std::string text = dump_graph(y);
    EXPECT_EQ(text.rfind("0: leaf [] requires_grad=true data=[0]\n", 0), 0u);
    const std::string last = "100000: add(99999) [] requires_grad=true data=[1e+05]\n";
    ASSERT_GE(text.size(), last.size());
    EXPECT_EQ(text.substr(text.size() - last.size()), last);
    size_t lines = 0;
    for (char c : text) lines += c == '\n';
    EXPECT_EQ(lines, static_cast<size_t>(kDepth + 1));
    y.backward();  // the graph is intact
    EXPECT_FLOAT_EQ(x.grad().item(), 1.0f);
  });
}

}  // namespace
}  // namespace bg
