// Lesson 14, exercises 1-2: a gate per head (bg::gate_heads) and the five numbers of a head's
// role (bg::head_role).
//   exercise 1: ctest -L lesson14 -R GateHeads
//   exercise 2: ctest -L lesson14 -R HeadRole
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/head_study.h"
#include "bg/heads.h"
#include "bg/models.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

// ============================================================ exercise 1: gate_heads

TEST(GateHeads, MultipliesEachHeadsColumnsByItsGate) {
  // x (2, 4): two rows, two heads of size 2
  const Tensor x = tensor({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
  const Tensor y = gate_heads(x, tensor({2.0f, -0.5f}, {2}));
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(y.tolist(), (std::vector<float>{2, 4, -1.5f, -2, 10, 12, -3.5f, -4}));
}

TEST(GateHeads, WorksOnAnyLeadingShape) {
  // (B, T, C) = (2, 3, 6) with three heads of size 2, and one head of size 6
  const Tensor x = randn({2, 3, 6});
  const Tensor y = gate_heads(x, tensor({1.0f, 0.0f, 3.0f}, {3}));
  for (int64_t e = 0; e < x.numel(); ++e) {
    const float gate = std::vector<float>{1, 0, 3}[static_cast<size_t>((e % 6) / 2)];
    EXPECT_EQ(y.data()[static_cast<size_t>(e)], gate * x.data()[static_cast<size_t>(e)])
        << "element " << e;
  }
  EXPECT_TRUE(AllClose(gate_heads(x, tensor({0.5f}, {1})), mul(x, 0.5f)));
}

TEST(GateHeads, GradientOfXIsTheGateTimesTheUpstream) {
  Tensor x = zeros({1, 4}, true);
  gate_heads(x, tensor({3.0f, -2.0f}, {2})).backward(tensor({1, 2, 3, 4}, {1, 4}));
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{3, 6, -6, -8}));
}

TEST(GateHeads, GradientOfAGateSumsUpstreamTimesXOverItsHead) {
  // every row adds to the gate: (1·1 + 2·2) + (5·1 + 6·1) for head 0, and so on
  const Tensor x = tensor({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
  Tensor gates = tensor({1.0f, 1.0f}, {2}).requires_grad_();
  gate_heads(x, gates).backward(tensor({1, 2, 0, 1, 1, 1, 2, 0}, {2, 4}));
  EXPECT_EQ(gates.grad().tolist(), (std::vector<float>{1 + 4 + 5 + 6, 0 + 4 + 14 + 0}));
}

TEST(GateHeads, GradientsAddUp) {
  // the same gates used twice (y = g · (g · x)), and x used twice: both gradients accumulate
  const Tensor x = tensor({1, 2, 3, 4}, {1, 4}).requires_grad_();
  Tensor gates = tensor({2.0f, 3.0f}, {2}).requires_grad_();
  add(gate_heads(gate_heads(x, gates), gates), gate_heads(x, gates)).backward(ones({1, 4}));
  // dy/dg_h = Σ_i (2 g_h x_i + x_i); dy/dx_i = g_h² + g_h
  EXPECT_EQ(gates.grad().tolist(), (std::vector<float>{(2 * 2 + 1) * 3.0f, (2 * 3 + 1) * 7.0f}));
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{6, 6, 12, 12}));
}

TEST(GateHeads, GradcheckBothInputs) {
  const Tensor x = randn({2, 3, 8}).requires_grad_();
  const Tensor gates = randn({4}).requires_grad_();
  EXPECT_TRUE(GradOk("gate_heads(x, gates)",
                     [](const std::vector<Tensor>& in) { return gate_heads(in[0], in[1]); },
                     {x, gates}));
  // a gate of 0: x's gradient there is 0, the gate's is still Σ g·x
  const Tensor zeroed = tensor({1.0f, 0.0f, 0.5f, 1.0f}, {4}).requires_grad_();
  EXPECT_TRUE(GradOk("gate_heads(x, gates with a 0)",
                     [](const std::vector<Tensor>& in) { return gate_heads(in[0], in[1]); },
                     {x, zeroed}));
}

TEST(GateHeads, AGradientOnlyWhereAsked) {
  Tensor x = randn({2, 4}).requires_grad_();
  const Tensor fixed = tensor({1.0f, 2.0f}, {2});
  gate_heads(x, fixed).backward(ones({2, 4}));
  EXPECT_TRUE(x.grad().defined());
  const Tensor constant = randn({2, 4});
  Tensor gates = tensor({1.0f, 2.0f}, {2}).requires_grad_();
  gate_heads(constant, gates).backward(ones({2, 4}));
  EXPECT_TRUE(gates.grad().defined());
}

TEST(GateHeads, BadShapesSayWhatIsWrong) {
  EXPECT_BG_ERROR(gate_heads(zeros({2, 6}), zeros({4})), "gate_heads", "[2, 6]", "[4]");
  EXPECT_BG_ERROR(gate_heads(zeros({2, 6}), zeros({2, 3})), "gate_heads", "[2, 3]");
  EXPECT_BG_ERROR(gate_heads(zeros({2, 6}), zeros({0})), "gate_heads", "[0]");
}

// A small v11 (W^O, pre-norm, dropout off for eval) of two layers of three heads.
struct SmallGPT {
  std::unique_ptr<LanguageModel> model;
  std::vector<int32_t> idx{1, 5, 2, 9, 0, 3, 12, 7, 4, 4, 8, 6};  // (2, 6)
  SmallGPT() {
    ModelConfig c;
    c.model = "v11";
    c.vocab_size = 13;
    c.block_size = 6;
    c.n_embed = 12;
    c.n_head = 3;
    c.n_layer = 2;
    c.dropout = 0.2f;
    Generator gen(5);
    model = make_model(c, gen);
    model->eval();
  }
  Tensor logits() const { return model->forward(idx, 2, 6); }
};

TEST(GateHeads, GatesOfOneChangeNoBit) {
  SmallGPT m;
  const std::vector<float> ungated = m.logits().tolist();
  remove_heads(*m.model, {});  // every gate set to 1
  for (HeadProjection* proj : head_projections(*m.model)) ASSERT_TRUE(proj->has_gates());
  EXPECT_EQ(m.logits().tolist(), ungated);
}

TEST(GateHeads, AGateOfZeroRemovesItsHeadAndNothingElse) {
  // W^O of one attention layer reads the heads' outputs; with head 1's gate at 0 it must read
  // exactly what it reads when head 1's output is replaced by zeros, and heads 0 and 2 pass
  // through unchanged.
  Generator gen(3);
  ProjectedAttention sa(12, 3, 6, gen);
  sa.eval();
  const Tensor x = randn({2, 6, 12});
  std::vector<Tensor> heads_out;
  for (const auto& head : sa.heads) heads_out.push_back(head->forward(x));
  heads_out[1] = zeros({2, 6, 4});
  const Tensor expected = sa.proj.forward(concat(heads_out, -1));
  sa.proj.set_gates(tensor({1.0f, 0.0f, 1.0f}, {3}));
  EXPECT_TRUE(AllClose(sa.forward(x), expected, 0.0, 0.0));
}

TEST(GateHeads, GateGradientsInAWholeModelMatchFiniteDifferences) {
  // dL/dgate of every head of layer 1 of a model, through W^O, the rest of the block,
  // ln_final and lm_head.
  SmallGPT m;
  const std::vector<HeadProjection*> layers = head_projections(*m.model);
  ASSERT_EQ(layers.size(), 2u);
  const Tensor gates = tensor({1.0f, 0.5f, 1.0f}, {3}).requires_grad_();
  GradcheckOptions options;
  options.atol = 2e-3;
  EXPECT_TRUE(GradOk(
      "the loss's gradient for layer 1's gates",
      [&](const std::vector<Tensor>& in) {
        layers[1]->set_gates(in[0]);
        return sum(m.logits());
      },
      {gates}, options));
}

// ============================================================ exercise 2: head_role

constexpr double kTight = 1e-12;

// A (T, T) map from rows.
Tensor map_of(const std::vector<std::vector<float>>& rows) {
  std::vector<float> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  const auto T = static_cast<int64_t>(rows.size());
  return tensor(flat, {T, T});
}

TEST(HeadRole, AHeadThatOnlyLooksAtItself) {
  const Tensor wei = map_of({{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
  const bool marked[] = {false, true, false, false};
  const HeadRole r = head_role(wei, marked);
  EXPECT_NEAR(r.self, 1.0, kTight);
  EXPECT_NEAR(r.previous, 0.0, kTight);
  EXPECT_NEAR(r.punctuation, 1.0 / 3.0, kTight);  // row 1 looks at the marked token 1
  EXPECT_NEAR(r.distance, 0.0, kTight);
  EXPECT_EQ(r.entropy, 0.0) << "0 · ln 0 counts as 0 (a NaN here means it did not)";
}

TEST(HeadRole, AHeadThatOnlyLooksOneTokenBack) {
  const Tensor wei = map_of({{1, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}});
  const bool marked[] = {true, false, false, false};
  const HeadRole r = head_role(wei, marked);
  EXPECT_NEAR(r.self, 0.0, kTight);
  EXPECT_NEAR(r.previous, 1.0, kTight);
  EXPECT_NEAR(r.punctuation, 1.0 / 3.0, kTight);  // only row 1 looks at token 0
  EXPECT_NEAR(r.distance, 1.0, kTight);
  EXPECT_EQ(r.entropy, 0.0);
}

TEST(HeadRole, AUniformHead) {
  // row t spreads 1/(t+1) over 0 … t
  const Tensor wei = map_of({{1, 0, 0, 0},
                             {0.5f, 0.5f, 0, 0},
                             {1 / 3.0f, 1 / 3.0f, 1 / 3.0f, 0},
                             {0.25f, 0.25f, 0.25f, 0.25f}});
  const bool marked[] = {true, false, false, true};
  const HeadRole r = head_role(wei, marked);
  const double tol = 1e-6;  // the weights are floats
  EXPECT_NEAR(r.self, (1 / 2.0 + 1 / 3.0 + 1 / 4.0) / 3, tol);
  EXPECT_NEAR(r.previous, (1 / 2.0 + 1 / 3.0 + 1 / 4.0) / 3, tol);
  EXPECT_NEAR(r.punctuation, (1 / 2.0 + 1 / 3.0 + 2 / 4.0) / 3, tol);
  EXPECT_NEAR(r.distance, (0.5 + 1.0 + 1.5) / 3, tol);  // t/2 back on average
  EXPECT_NEAR(r.entropy, (std::log(2.0) + std::log(3.0) + std::log(4.0)) / 3, tol);
}

TEST(HeadRole, RowZeroIsLeftOut) {
  // only row 0 differs between the two maps: the numbers must not
  const Tensor a = map_of({{1, 0}, {0.25f, 0.75f}});
  const Tensor b = map_of({{0.5f, 0.5f}, {0.25f, 0.75f}});
  const bool marked[] = {false, false};
  EXPECT_EQ(head_role(a, marked).entropy, head_role(b, marked).entropy);
  EXPECT_NEAR(head_role(a, marked).self, 0.75, 1e-7);
  EXPECT_NEAR(head_role(a, marked).distance, 0.25, 1e-7);
}

TEST(HeadRole, BadShapesSayWhatIsWrong) {
  const bool three[] = {false, false, false};
  const bool one[] = {false};
  EXPECT_BG_ERROR(head_role(zeros({3, 2}), three), "head_role", "[3, 2]");
  EXPECT_BG_ERROR(head_role(zeros({3}), three), "head_role", "[3]");
  EXPECT_BG_ERROR(head_role(zeros({1, 1}), one), "head_role", "T >= 2");
  EXPECT_BG_ERROR(head_role(zeros({2, 2}), three), "head_role", "3 marks");
}

}  // namespace
}  // namespace bg
