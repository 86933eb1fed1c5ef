// Lesson 04, exercises 4-6: Module::named_parameters, Linear, SGD.
//   exercise 4: ctest --test-dir build -R '^exercises\.lesson04\.NamedParameters\.'
//   exercise 5: ctest --test-dir build -R '^exercises\.lesson04\.LinearLayer\.' --output-on-failure
//   exercise 6: ctest --test-dir build -R '^exercises\.lesson04\.SGD\.' --output-on-failure
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bg/linalg.h"
#include "bg/module.h"
#include "bg/ops.h"
#include "bg/optim.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;
using testing::GradOk;

// ---- Exercise 4: named_parameters -------------------------------------------------------
// A small tree shaped like BabyGPT v4, built from modules that only register parameters
// (no Linear, so that these tests depend on exercise 4 alone).

struct Proj : Module {  // a stand-in for Linear: "weight" (out, in) and maybe "bias"
  Proj(int64_t in, int64_t out, bool with_bias) {
    weight = register_parameter("weight", zeros({out, in}));
    if (with_bias) bias = register_parameter("bias", zeros({out}));
  }
  Tensor weight, bias;
};

struct Table : Module {  // a stand-in for Embedding
  Table(int64_t rows, int64_t cols) { weight = register_parameter("weight", zeros({rows, cols})); }
  Tensor weight;
};

struct Head : Module {
  explicit Head(int64_t c) : key(c, 2, false), query(c, 2, false), value(c, 2, false) {
    register_module("key", key);
    register_module("query", query);
    register_module("value", value);
  }
  Proj key, query, value;
};

struct HeadList : Module {  // like nn.ModuleList: children named "0", "1", ...
  HeadList(int n, int64_t c) {
    for (int i = 0; i < n; ++i) {
      heads.push_back(std::make_unique<Head>(c));
      register_module(std::to_string(i), *heads.back());
    }
  }
  std::vector<std::unique_ptr<Head>> heads;
};

struct MultiHead : Module {
  MultiHead(int n, int64_t c) : heads(n, c) { register_module("heads", heads); }
  HeadList heads;
};

struct TinyGPT : Module {
  TinyGPT()
      : token_embedding_table(5, 4),
        position_embedding_table(3, 4),
        sa_heads(2, 4),
        lm_head(4, 5, true) {
    register_module("token_embedding_table", token_embedding_table);
    register_module("position_embedding_table", position_embedding_table);
    register_module("sa_heads", sa_heads);
    register_module("lm_head", lm_head);
  }
  Table token_embedding_table, position_embedding_table;
  MultiHead sa_heads;
  Proj lm_head;
};

std::vector<std::string> names_of(const Module& m) {
  std::vector<std::string> names;
  for (const auto& [name, t] : m.named_parameters()) names.push_back(name);
  return names;
}

TEST(NamedParameters, DottedNamesLikeAPyTorchStateDict) {
  const TinyGPT model;
  // The keys PyTorch's state_dict gives for the same tree, in the same order.
  const std::vector<std::string> expected = {"token_embedding_table.weight",
                                             "position_embedding_table.weight",
                                             "sa_heads.heads.0.key.weight",
                                             "sa_heads.heads.0.query.weight",
                                             "sa_heads.heads.0.value.weight",
                                             "sa_heads.heads.1.key.weight",
                                             "sa_heads.heads.1.query.weight",
                                             "sa_heads.heads.1.value.weight",
                                             "lm_head.weight",
                                             "lm_head.bias"};
  EXPECT_EQ(names_of(model), expected);
}

TEST(NamedParameters, TheTensorsAreTheModulesOwn) {
  const TinyGPT model;
  const auto named = model.named_parameters();
  ASSERT_EQ(named.size(), 10u);
  EXPECT_EQ(named[0].second.node_ptr(), model.token_embedding_table.weight.node_ptr());
  EXPECT_EQ(named[3].second.node_ptr(), model.sa_heads.heads.heads[0]->query.weight.node_ptr());
  EXPECT_EQ(named[9].second.node_ptr(), model.lm_head.bias.node_ptr());
  for (const auto& [name, t] : named) EXPECT_TRUE(t.requires_grad()) << name;
  // parameters(), num_parameters() and zero_grad() are built on named_parameters().
  const auto params = model.parameters();
  ASSERT_EQ(params.size(), named.size());
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_EQ(params[i].node_ptr(), named[i].second.node_ptr());
  EXPECT_EQ(model.num_parameters(), 5 * 4 + 3 * 4 + 6 * (2 * 4) + 5 * 4 + 5);
}

TEST(NamedParameters, OwnParametersComeBeforeChildren) {
  struct Mixed : Module {
    Mixed() : a(1, 1, false), b(1, 1, true) {
      register_module("a", a);
      scale = register_parameter("scale", ones({1}));  // registered between the children
      register_module("b", b);
      shift = register_parameter("shift", zeros({1}));
    }
    Proj a, b;
    Tensor scale, shift;
  };
  const Mixed m;
  // PyTorch lists a module's own parameters first, then each child's, whatever the order
  // of the register calls between the two kinds.
  EXPECT_EQ(names_of(m),
            (std::vector<std::string>{"scale", "shift", "a.weight", "b.weight", "b.bias"}));
  EXPECT_EQ(names_of(m.a), (std::vector<std::string>{"weight"}));
}

TEST(NamedParameters, EmptyModulesAndDeepNesting) {
  struct Empty : Module {};
  const Empty e;
  EXPECT_TRUE(e.named_parameters().empty());
  EXPECT_EQ(e.num_parameters(), 0);

  struct Chain : Module {  // a parameter at every level of a deep chain
    explicit Chain(int depth) {
      w = register_parameter("w", zeros({1}));
      if (depth > 0) {
        next = std::make_unique<Chain>(depth - 1);
        register_module("next", *next);
      }
    }
    Tensor w;
    std::unique_ptr<Chain> next;
  };
  const Chain c(3);
  EXPECT_EQ(names_of(c),
            (std::vector<std::string>{"w", "next.w", "next.next.w", "next.next.next.w"}));
}

TEST(NamedParameters, ZeroGradReachesEveryParameter) {
  TinyGPT model;
  for (const Tensor& p : model.parameters()) sum(p).backward();
  for (const auto& [name, p] : model.named_parameters()) EXPECT_TRUE(p.has_grad()) << name;
  model.zero_grad();
  for (const auto& [name, p] : model.named_parameters()) EXPECT_FALSE(p.has_grad()) << name;
}

// ---- Exercise 5: Linear ------------------------------------------------------------------

TEST(LinearLayer, ParametersShapesAndNames) {
  Generator gen(1);
  const Linear lin(4, 3, true, gen);
  EXPECT_EQ(lin.in_features(), 4);
  EXPECT_EQ(lin.out_features(), 3);
  EXPECT_EQ(lin.weight.shape(), (Shape{3, 4}));  // (out, in), as in PyTorch
  ASSERT_TRUE(lin.bias.defined());
  EXPECT_EQ(lin.bias.shape(), (Shape{3}));
  EXPECT_TRUE(lin.weight.requires_grad());
  EXPECT_TRUE(lin.bias.requires_grad());
  EXPECT_EQ(names_of(lin), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(lin.num_parameters(), 15);

  const Linear nob(4, 3, false, gen);
  EXPECT_FALSE(nob.bias.defined());
  EXPECT_EQ(names_of(nob), (std::vector<std::string>{"weight"}));
}

TEST(LinearLayer, InitIsUniformWithinOneOverSqrtIn) {
  Generator gen(2024);
  const Linear lin(100, 200, true, gen);
  const float bound = 0.1f;  // 1/√100
  for (const Tensor* t : {&lin.weight, &lin.bias}) {
    float lo = 1.0f, hi = -1.0f;
    double s = 0.0, s2 = 0.0;
    for (float v : t->data()) {
      ASSERT_GE(v, -bound);
      ASSERT_LE(v, bound);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      s += v;
      s2 += static_cast<double>(v) * v;
    }
    const double n = static_cast<double>(t->numel());
    EXPECT_LT(lo, hi);  // not all equal
    if (t == &lin.weight) {
      // 20000 draws of U(-0.1, 0.1): mean 0 (sd 0.0004), variance 0.1²/3, both ends reached.
      EXPECT_NEAR(s / n, 0.0, 0.003);
      EXPECT_NEAR(s2 / n, bound * bound / 3.0, 0.05 * bound * bound / 3.0);
      EXPECT_LT(lo, -0.099f);
      EXPECT_GT(hi, 0.099f);
    }
  }
}

TEST(LinearLayer, InitDrawsTheWeightFirstThenTheBias) {
  Generator gen(5);
  const Linear lin(3, 2, true, gen);
  Generator replay(5);
  const float bound = 1.0f / std::sqrt(3.0f);
  for (float w : lin.weight.data()) EXPECT_NEAR(w, replay.uniform(-bound, bound), 1e-6f);
  for (float b : lin.bias.data()) EXPECT_NEAR(b, replay.uniform(-bound, bound), 1e-6f);
  // exactly out·in + out draws were taken from gen
  EXPECT_EQ(gen.next_u32(), replay.next_u32());
}

TEST(LinearLayer, InitIsReproducibleWithASeededGenerator) {
  Generator g1(77), g2(77), g3(78);
  const Linear a(6, 5, true, g1), b(6, 5, true, g2), c(6, 5, true, g3);
  EXPECT_TRUE(AllClose(a.weight, b.weight, 0, 0));
  EXPECT_TRUE(AllClose(a.bias, b.bias, 0, 0));
  EXPECT_FALSE(AllClose(a.weight, c.weight, 0, 0));
  // The default generator, reseeded, is reproducible too.
  manual_seed(3);
  const Linear d(6, 5);
  manual_seed(3);
  const Linear e(6, 5);
  EXPECT_TRUE(AllClose(d.weight, e.weight, 0, 0));
}

TEST(LinearLayer, NonPositiveSizesAreAnError) {
  Generator gen(1);
  EXPECT_BG_ERROR(Linear(0, 3, true, gen), "0", "3");
  EXPECT_BG_ERROR(Linear(4, -1, true, gen), "4", "-1");
}

// Golden values: tests/golden/data/linear.safetensors, made by tests/golden/ops_golden.py linear
// (PyTorch, float32):
//   x = tensor([((i % 7) - 3) * 0.25 for i in range(16)]).reshape(2, 2, 4)
//   W = tensor([(((i * 3) % 5) - 2) * 0.3 for i in range(12)]).reshape(3, 4)
//   b = tensor([0.1, -0.2, 0.3])
//   y = torch.nn.functional.linear(x, W, b)
//   G = tensor([((i % 5) - 2) * 0.5 for i in range(12)]).reshape(2, 2, 3); y.backward(G)
// (y, y_no_bias = linear(x as (4, 4), W), x.grad, grad.weight, grad.bias).
struct LinearCase {
  std::vector<float> x, w, b, g;
  LinearCase() {
    for (int i = 0; i < 16; ++i) x.push_back(static_cast<float>((i % 7) - 3) * 0.25f);
    for (int i = 0; i < 12; ++i) w.push_back(static_cast<float>(((i * 3) % 5) - 2) * 0.3f);
    b = {0.1f, -0.2f, 0.3f};
    for (int i = 0; i < 12; ++i) g.push_back(static_cast<float>((i % 5) - 2) * 0.5f);
  }
};

void set_weights(Linear& lin, const std::vector<float>& w, const std::vector<float>& b) {
  std::copy(w.begin(), w.end(), lin.weight.data().begin());
  if (lin.bias.defined()) std::copy(b.begin(), b.end(), lin.bias.data().begin());
}

TEST(LinearLayer, ForwardMatchesPyTorch) {
  const testing::GoldenFile& golden = testing::golden_file("linear");
  const LinearCase c;
  Generator gen(0);
  Linear lin(4, 3, true, gen);
  set_weights(lin, c.w, c.b);
  const Tensor y = lin(tensor(c.x, {2, 2, 4}));
  EXPECT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_TRUE(AllClose(y, golden.values("y"), 1e-6, 1e-6));
  Linear nob(4, 3, false, gen);
  set_weights(nob, c.w, {});
  EXPECT_TRUE(AllClose(nob(tensor(c.x, {4, 4})),  // same rows, as a (4, 4) matrix
                       golden.values("y_no_bias"), 1e-6, 1e-6));
  // a 1-D input is one row: x's first row, so y's first row
  const Tensor y1 = lin(tensor({-0.75f, -0.5f, -0.25f, 0.0f}));
  EXPECT_EQ(y1.shape(), (Shape{3}));
  const std::vector<float>& y_rows = golden.values("y");
  EXPECT_TRUE(AllClose(y1, std::vector<float>(y_rows.begin(), y_rows.begin() + 3), 1e-6, 1e-6));
}

TEST(LinearLayer, BackwardMatchesPyTorch) {
  const testing::GoldenFile& golden = testing::golden_file("linear");
  const LinearCase c;
  Generator gen(0);
  Linear lin(4, 3, true, gen);
  set_weights(lin, c.w, c.b);
  const Tensor x = tensor(c.x, {2, 2, 4}, true);
  lin(x).backward(tensor(c.g, {2, 2, 3}));
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad"), 1e-6, 1e-6));
  EXPECT_TRUE(AllClose(lin.weight.grad(), golden.values("grad.weight"), 1e-6, 1e-6));
  EXPECT_TRUE(AllClose(lin.bias.grad(), golden.values("grad.bias"), 1e-6, 1e-6));
}

// gradcheck makes fresh copies of its inputs, so the layer must read its weights from them:
// point lin.weight / lin.bias at the copies inside f (forward reads the members).
TEST(LinearLayer, GradcheckWrtInputWeightAndBias) {
  Generator gen(31);
  Linear lin(5, 3, true, gen);
  const Tensor w0 = lin.weight, b0 = lin.bias;
  auto f = [&lin](const std::vector<Tensor>& in) {
    lin.weight = in[1];
    lin.bias = in[2];
    return lin(in[0]);
  };
  const Tensor x2 = randn({4, 5}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("linear (4, 5) -> 3", f, {x2, w0, b0}));
  const Tensor x3 = randn({2, 3, 5}, gen).requires_grad_();
  EXPECT_TRUE(GradOk("linear (2, 3, 5) -> 3", f, {x3, w0, b0}));
  EXPECT_TRUE(GradOk("linear, x constant", f, {x3.detach(), w0, b0}));
  EXPECT_TRUE(GradOk("linear, weights constant", f, {x3, w0.detach(), b0.detach()}));
  lin.weight = w0;
  lin.bias = b0;

  Linear nob(5, 2, false, gen);
  const Tensor nw = nob.weight;
  EXPECT_TRUE(GradOk("linear without bias",
                     [&nob](const std::vector<Tensor>& in) {
                       nob.weight = in[1];
                       return nob(in[0]);
                     },
                     {x3, nw}));
  nob.weight = nw;
}

TEST(LinearLayer, GradientsAccumulateOverTwoPasses) {
  Generator gen(32);
  Linear lin(3, 2, true, gen);
  const Tensor x = randn({4, 3}, gen);
  lin(x).backward(ones({4, 2}));
  const std::vector<float> once = lin.weight.grad().tolist();
  lin(x).backward(ones({4, 2}));
  const Tensor twice = lin.weight.grad();
  for (size_t i = 0; i < once.size(); ++i) EXPECT_FLOAT_EQ(twice.data()[i], 2.0f * once[i]);
  EXPECT_TRUE(AllClose(lin.bias.grad(), {8.0f, 8.0f}));  // 4 rows, two passes
}

TEST(LinearLayer, InputThatDoesNotRequireGradGetsNone) {
  // The usual case: x is data. Only the parameters get gradients.
  Generator gen(33);
  Linear lin(3, 2, true, gen);
  const Tensor x = randn({4, 3}, gen);
  lin(x).backward(ones({4, 2}));
  EXPECT_FALSE(x.has_grad());
  EXPECT_TRUE(lin.weight.has_grad());
  EXPECT_TRUE(lin.bias.has_grad());
}

TEST(LinearLayer, WrongInputWidthShowsTheShape) {
  Generator gen(1);
  const Linear lin(4, 3, true, gen);
  EXPECT_BG_ERROR(lin(zeros({2, 5})), "[2, 5]", "4");
  EXPECT_BG_ERROR(lin(zeros({4, 2})), "[4, 2]", "4");
  EXPECT_BG_ERROR(lin(scalar(1.0f)), "[]");
}

// ---- Exercise 6: SGD ---------------------------------------------------------------------

// The same run as this PyTorch script (float32); PyTorch's final values, one run per test, are
// in tests/golden/data/sgd.safetensors (<run>.p1, <run>.p2, <run>.q), made by
// tests/golden/ops_golden.py sgd:
//   p1 = tensor([[0.5, -1.0, 2.0], [1.5, -0.25, 0.75]]); w1 = tensor([[1.0, 0.5, 2.0],
//                                                                    [0.25, 1.5, 0.8]])
//   p2 = tensor([-0.6, 0.3, 1.2]);  w2 = tensor([0.7, 1.1, 0.4])
//   q = tensor([0.9, -1.3]);  wq = tensor([0.6, 1.2])  # q has a gradient from step 2 on
//   r = tensor([2.0, -3.0])                            # r never has a gradient
//   opt = torch.optim.SGD([p1, p2, q, r], lr=lr, momentum=momentum, weight_decay=wd)
//   for t in range(5):
//       opt.zero_grad()
//       loss = (p1 * p1 * w1).sum() + (p2 * p2 * w2).sum()
//       if t >= 1: loss = loss + (q * q * wq).sum()
//       loss.backward(); opt.step()
struct SgdRun {
  const char* name;  // the run's tensors in sgd.safetensors are <name>.p1, <name>.p2, <name>.q
  float lr, momentum, weight_decay;
};

void run_sgd_and_compare(const SgdRun& run) {
  const testing::GoldenFile& golden = testing::golden_file("sgd");
  const std::string prefix = std::string(run.name) + ".";
  const Tensor p1 = tensor({0.5f, -1.0f, 2.0f, 1.5f, -0.25f, 0.75f}, {2, 3}, true);
  const Tensor w1 = tensor({1.0f, 0.5f, 2.0f, 0.25f, 1.5f, 0.8f}, {2, 3});
  const Tensor p2 = tensor({-0.6f, 0.3f, 1.2f}, {3}, true);
  const Tensor w2 = tensor({0.7f, 1.1f, 0.4f}, {3});
  const Tensor q = tensor({0.9f, -1.3f}, {2}, true);
  const Tensor wq = tensor({0.6f, 1.2f}, {2});
  const Tensor r = tensor({2.0f, -3.0f}, {2}, true);
  SGD opt({p1, p2, q, r}, run.lr, run.momentum, run.weight_decay);
  for (int t = 0; t < 5; ++t) {
    opt.zero_grad();
    Tensor loss = sum(p1 * p1 * w1) + sum(p2 * p2 * w2);
    if (t >= 1) loss = loss + sum(q * q * wq);
    loss.backward();
    opt.step();
  }
  BG_TRACE("lr " + std::to_string(run.lr) + ", momentum " + std::to_string(run.momentum) +
           ", weight decay " + std::to_string(run.weight_decay));
  EXPECT_TRUE(AllClose(p1, golden.values(prefix + "p1"), 1e-6, 0));
  EXPECT_TRUE(AllClose(p2, golden.values(prefix + "p2"), 1e-6, 0));
  EXPECT_TRUE(AllClose(q, golden.values(prefix + "q"), 1e-6, 0));
  EXPECT_TRUE(AllClose(r, {2.0f, -3.0f}, 0, 0));  // no gradient: untouched, even by decay
  EXPECT_FALSE(r.has_grad());
}

TEST(SGD, PlainStepsMatchPyTorch) { run_sgd_and_compare({"plain", 0.1f, 0.0f, 0.0f}); }

TEST(SGD, MomentumMatchesPyTorch) { run_sgd_and_compare({"momentum", 0.1f, 0.9f, 0.0f}); }

TEST(SGD, WeightDecayMatchesPyTorch) { run_sgd_and_compare({"weight_decay", 0.05f, 0.0f, 0.1f}); }

TEST(SGD, MomentumAndWeightDecayMatchPyTorch) {
  run_sgd_and_compare({"momentum_weight_decay", 0.1f, 0.9f, 0.01f});
}

TEST(SGD, OneStepByHandKeepsTheGradient) {
  const Tensor p = tensor({1.0f, -2.0f}, {2}, true);
  SGD opt({p}, 0.5f, 0.0f, 0.1f);
  sum(p * tensor({4.0f, 2.0f}, {2})).backward();  // grad = [4, 2]
  opt.step();
  // g = grad + 0.1·p = [4.1, 1.8];  p -= 0.5·g
  EXPECT_TRUE(AllClose(p, {1.0f - 2.05f, -2.0f - 0.9f}, 1e-6, 0));
  EXPECT_TRUE(AllClose(p.grad(), {4.0f, 2.0f}, 0, 0));  // step does not clear gradients
  EXPECT_TRUE(p.is_leaf());
}

TEST(SGD, ParametersWithoutGradientsAreUntouched) {
  const Tensor a = tensor({1.0f, 2.0f}, {2}, true);
  const Tensor b = tensor({3.0f, 4.0f}, {2}, true);
  SGD opt({a, b}, 0.1f, 0.9f, 0.5f);
  for (int t = 0; t < 3; ++t) {
    opt.zero_grad();
    sum(a).backward();
    opt.step();
  }
  EXPECT_TRUE(AllClose(b, {3.0f, 4.0f}, 0, 0));
  EXPECT_FALSE(b.has_grad());
  EXPECT_NE(a.data()[0], 1.0f);
}

}  // namespace
}  // namespace bg
