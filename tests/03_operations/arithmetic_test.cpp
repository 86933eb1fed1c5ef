// Lesson 03, exercise 4: add, sub, mul, div of two tensors (suite Arithmetic).
//
// Golden values were computed with PyTorch (torch 2.x, float32):
//   A = torch.tensor([[.5, -1., 2.], [1.5, .25, -.75]]); B3 = torch.tensor([2., -.5, 4.])
//   G = torch.tensor([[1., 2., 3.], [-1., .5, -2.]])      # the upstream gradient
//   a, b = A.clone().requires_grad_(), B3.clone().requires_grad_()
//   out = torch.div(a, b); out.backward(G); print(out, a.grad, b.grad)
// and the same for the other ops and operand pairs named in each test.
#include <functional>
#include <string>
#include <vector>

#include "bg/ops.h"
#include "testing.h"

namespace {

using bg::Shape;
using bg::Tensor;
using bg::testing::AllClose;
using bg::testing::GradOk;

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);
struct Op {
  const char* name;
  BinaryFn fn;
};
const Op kOps[] = {{"add", bg::add}, {"sub", bg::sub}, {"mul", bg::mul}, {"div", bg::div}};

Tensor leaf(std::vector<float> v, Shape s) { return bg::tensor(std::move(v), std::move(s), true); }
Tensor A() { return leaf({0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f}, {2, 3}); }
Tensor B3() { return leaf({2.0f, -0.5f, 4.0f}, {3}); }
Tensor G() { return bg::tensor({1.0f, 2.0f, 3.0f, -1.0f, 0.5f, -2.0f}, {2, 3}); }

struct Golden {
  std::vector<float> out, grad_a, grad_b;
};

// out = op(a, b); out.backward(G) must give PyTorch's values.
void ExpectGolden(const Op& op, const Tensor& a, const Tensor& b, const Golden& want) {
  BG_TRACE(op.name);
  const Tensor out = op.fn(a, b);
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_TRUE(AllClose(out, want.out));
  out.backward(G());
  ASSERT_TRUE(a.has_grad());
  ASSERT_TRUE(b.has_grad());
  EXPECT_EQ(a.grad().shape(), a.shape());
  EXPECT_EQ(b.grad().shape(), b.shape());
  EXPECT_TRUE(AllClose(a.grad(), want.grad_a));
  EXPECT_TRUE(AllClose(b.grad(), want.grad_b));
}

// The PyTorch values for (A (2, 3)) ∘ (B3 (3)), in the order of kOps.
const Golden kGoldenAB3[] = {
    {{2.5f, -1.5f, 6, 3.5f, -0.25f, 3.25f}, {1, 2, 3, -1, 0.5f, -2}, {0, 2.5f, 1}},
    {{-1.5f, -0.5f, -2, -0.5f, 0.75f, -4.75f}, {1, 2, 3, -1, 0.5f, -2}, {0, -2.5f, -1}},
    {{1, 0.5f, 8, 3, -0.125f, -3}, {2, -1, 12, -2, -0.25f, -8}, {-1, -1.875f, 7.5f}},
    {{0.25f, 2, 0.5f, 0.75f, -0.5f, -0.1875f},
     {0.5f, -4, 0.75f, -0.5f, -1, -0.5f},
     {0.25f, 7.5f, -0.46875f}},
};

TEST(Arithmetic, MatrixAndRowVectorMatchPyTorch) {
  for (size_t k = 0; k < 4; ++k) ExpectGolden(kOps[k], A(), B3(), kGoldenAB3[k]);
}

TEST(Arithmetic, ColumnAndRowMatchPyTorch) {
  // (2, 1) ∘ (1, 3): BOTH operands are stretched, so both gradients are sums.
  const Golden want[] = {
      {{3, 2.5f, 0, -2, -2.5f, -5}, {6, -2.5f}, {0, 2.5f, 1}},
      {{1, 1.5f, 4, -4, -3.5f, -1}, {6, -2.5f}, {0, -2.5f, -1}},
      {{2, 1, -4, -3, -1.5f, 6}, {-4, 3.25f}, {5, 2.5f, 12}},
      {{2, 4, -1, -3, -6, 1.5f}, {3.5f, 1}, {-5, -10, -3}},
  };
  for (size_t k = 0; k < 4; ++k) {
    ExpectGolden(kOps[k], leaf({2, -3}, {2, 1}), leaf({1, 0.5f, -2}, {1, 3}), want[k]);
  }
}

TEST(Arithmetic, VectorMinusMatrixMatchesPyTorch) {
  // (3) - (2, 3): the small operand on the left.
  ExpectGolden(kOps[1], B3(), A(),
               {{1.5f, 0.5f, 2, 0.5f, -0.75f, 4.75f}, {0, 2.5f, 1}, {-1, -2, -3, 1, -0.5f, 2}});
}

TEST(Arithmetic, ScalarShapedOperandMatchesPyTorch) {
  // S = torch.tensor(2.5): shape (), its gradient is the sum of all of g * d(out)/dS.
  ExpectGolden(kOps[3], leaf({2.5f}, {}), A(),
               {{5, -2.5f, 1.25f, 1.66666663f, 10, -3.33333325f},
                {5.50000048f},
                {-10, -5, -1.875f, 1.11111104f, -20, 8.88888836f}});
  ExpectGolden(
      kOps[2], A(), leaf({2.5f}, {}),
      {{1.25f, -2.5f, 5, 3.75f, 0.625f, -1.875f}, {2.5f, 5, 7.5f, -2.5f, 1.25f, -5}, {4.625f}});
}

// Random values in ±[0.5, 1.5): safe as denominators and away from 0.
Tensor rnd(const Shape& s, uint64_t seed) {
  bg::Generator gen(seed);
  Tensor u = bg::rand(s, gen);
  std::vector<float> v = u.tolist();
  for (size_t i = 0; i < v.size(); ++i) v[i] = (i % 2 == 0 ? 1.0f : -1.0f) * (0.5f + v[i]);
  return leaf(std::move(v), s);
}

TEST(Arithmetic, GradcheckEveryBroadcastPattern) {
  const std::vector<std::pair<Shape, Shape>> pairs = {
      {{2, 3}, {2, 3}},  // no broadcasting
      {{2, 3}, {3}},     // right operand stretched over rows
      {{3}, {2, 3}},     // left operand stretched
      {{2, 1}, {1, 3}},  // both stretched
      {{}, {2, 3}},      // scalar-shaped on the left
      {{2, 3}, {}},      // scalar-shaped on the right
      {{}, {}},          // scalar with scalar
      {{2, 1, 3}, {4, 1}},
  };
  uint64_t seed = 1;
  for (const Op& op : kOps) {
    for (const auto& [sa, sb] : pairs) {
      const std::string name =
          std::string(op.name) + " " + bg::shape_str(sa) + " " + bg::shape_str(sb);
      const BinaryFn fn = op.fn;
      EXPECT_TRUE(GradOk(name, [fn](const std::vector<Tensor>& x) { return fn(x[0], x[1]); },
                         {rnd(sa, seed), rnd(sb, seed + 100)}));
      ++seed;
    }
  }
}

TEST(Arithmetic, GradientOnlyForInputsThatRequireIt) {
  for (const Op& op : kOps) {
    BG_TRACE(op.name);
    const Tensor a = A();
    const Tensor b = bg::tensor({2.0f, -0.5f, 4.0f}, {3});  // a constant
    op.fn(a, b).backward(G());
    EXPECT_TRUE(a.has_grad());
    EXPECT_FALSE(b.has_grad());
    const Tensor c = A().detach();  // now the left one is the constant
    const Tensor d = B3();
    op.fn(c, d).backward(G());
    EXPECT_FALSE(c.has_grad());
    EXPECT_TRUE(d.has_grad());
  }
}

TEST(Arithmetic, TensorUsedTwice) {
  // x ∘ x: both gradient contributions reach the same buffer and must add up.
  Tensor x = leaf({0.5f, -2.0f, 3.0f}, {3});
  bg::add(x, x).backward(bg::ones({3}));
  EXPECT_TRUE(AllClose(x.grad(), {2, 2, 2}));
  x.zero_grad();
  bg::mul(x, x).backward(bg::ones({3}));
  EXPECT_TRUE(AllClose(x.grad(), {1, -4, 6}));  // d(x²)/dx = 2x
  x.zero_grad();
  bg::sub(x, x).backward(bg::ones({3}));
  EXPECT_TRUE(AllClose(x.grad(), {0, 0, 0}));
  x.zero_grad();
  bg::div(x, x).backward(bg::ones({3}));
  EXPECT_TRUE(AllClose(x.grad(), {0, 0, 0}, 1e-6));
  // And through broadcasting on both sides: x (3) times itself as a column (3, 1).
  for (const Op& op : kOps) {
    const BinaryFn fn = op.fn;
    EXPECT_TRUE(GradOk(std::string(op.name) + " x with x as a column",
                       [fn](const std::vector<Tensor>& v) {
                         return fn(v[0], bg::reshape(v[0], {3, 1}));
                       },
                       {rnd({3}, 42)}));
  }
}

TEST(Arithmetic, GradientsAccumulateOverTwoBackwardPasses) {
  for (size_t k = 0; k < 4; ++k) {
    BG_TRACE(kOps[k].name);
    const Tensor a = A();
    const Tensor b = B3();
    kOps[k].fn(a, b).backward(G());
    kOps[k].fn(a, b).backward(G());  // a second forward and backward: gradients add
    std::vector<float> ga = kGoldenAB3[k].grad_a;
    std::vector<float> gb = kGoldenAB3[k].grad_b;
    for (float& v : ga) v *= 2;
    for (float& v : gb) v *= 2;
    EXPECT_TRUE(AllClose(a.grad(), ga));
    EXPECT_TRUE(AllClose(b.grad(), gb));
  }
}

TEST(Arithmetic, ChainOfOps) {
  // (a * b - a) / (b + c) with every kind of broadcast in one graph.
  EXPECT_TRUE(GradOk("chain",
                     [](const std::vector<Tensor>& x) {
                       return bg::div(bg::sub(bg::mul(x[0], x[1]), x[0]), bg::add(x[1], x[2]));
                     },
                     {rnd({2, 3}, 7), rnd({3}, 8), leaf({3.0f}, {})}));
}

TEST(Arithmetic, IncompatibleShapesShowBothShapes) {
  for (const Op& op : kOps) {
    BG_TRACE(op.name);
    EXPECT_BG_ERROR(op.fn(A(), leaf({1, 2}, {2})), "[2, 3]", "[2]");
    EXPECT_BG_ERROR(op.fn(leaf({1, 2, 3, 4, 5, 6}, {3, 2}), A()), "[3, 2]", "[2, 3]");
  }
}

}  // namespace
