// Lesson 10: residual connections, the attention output projection W^O, and the gradient that
// reaches each block (bg/blocks.h).
//   exercise 1: ctest -L lesson10 -R 'lesson10\.ResidualBlock'
//   exercise 2: ctest -L lesson10 -R 'lesson10\.ProjectedAttention'
//   exercise 3: ctest -L lesson10 -R 'lesson10\.GradNorms'
// GradientFlow needs exercises 1 and 3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/blocks.h"
#include "bg/models.h"
#include "bg/ops.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

// Deterministic test values: element i is sin(a*i + b) * s (computed in double, rounded to
// float), as tests/golden/blocks_golden.py computes them.
Tensor fill(const Shape& shape, double a, double b, double s = 1.0, bool requires_grad = false) {
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(a * static_cast<double>(i) + b) * s);
  }
  return tensor(std::move(v), shape, requires_grad);
}

void set(Tensor& t, const std::vector<float>& values) {
  ASSERT_EQ(static_cast<size_t>(t.numel()), values.size());
  std::copy(values.begin(), values.end(), t.data().begin());
}

void zero_all(const Module& m) {
  for (auto& [name, p] : m.named_parameters()) {
    for (float& v : p.data()) v = 0.0f;
  }
}

BlockConfig config(BlockKind kind, int64_t C = 8, int64_t nh = 2, int64_t block_size = 4) {
  BlockConfig c;
  c.n_embed = C;
  c.n_head = nh;
  c.block_size = block_size;
  c.kind = kind;
  return c;
}

// The weight tensors a block's forward reads, so a gradcheck can swap them for its inputs.
std::vector<Tensor*> weights_of(Block& block) {
  std::vector<Tensor*> w;
  for (auto& head : dynamic_cast<MultiHeadAttention&>(*block.sa).heads) {
    w.push_back(&head->key.weight);
    w.push_back(&head->query.weight);
    w.push_back(&head->value.weight);
  }
  w.push_back(&block.ffwd.net0.weight);
  w.push_back(&block.ffwd.net0.bias);
  if (block.ffwd.net2) {
    w.push_back(&block.ffwd.net2->weight);
    w.push_back(&block.ffwd.net2->bias);
  }
  return w;
}

// ============================================================ exercise 1: residual block

TEST(ResidualBlock, AddsEachSubLayerToTheStream) {
  Generator gen(60);
  Block block(config(BlockKind::residual), gen);
  const Tensor x = randn({2, 4, 8}, gen);
  const Tensor h = add(x, block.sa->forward(x));  // x + sa(x)
  const Tensor expected = add(h, block.ffwd(h));  // h + ffwd(h)
  const Tensor y = block(x);
  ASSERT_EQ(y.shape(), (Shape{2, 4, 8}));
  EXPECT_TRUE(AllClose(y, expected, 0.0, 0.0))
      << "the block's output must be the residual stream: h = x + sa(x), then h + ffwd(h) "
         "(each sub-layer's output ADDED to its input; see WithZeroWeightsIsTheIdentity and "
         "AddsEachSubLayerOnce for which addition is missing)";
}

TEST(ResidualBlock, WithZeroWeightsIsTheIdentity) {
  // Both sub-layers output zeros, so the residual block passes x through unchanged — while the
  // plain block of lesson 09, with the same zero weights, outputs zeros.
  Generator gen(61);
  Block residual(config(BlockKind::residual), gen);
  Block plain(config(BlockKind::plain), gen);
  zero_all(residual);
  zero_all(plain);
  const Tensor x = randn({2, 4, 8}, gen);
  EXPECT_TRUE(AllClose(residual(x), x, 0.0, 0.0))
      << "with every weight zero (both sub-layers output 0) the residual block must return x "
         "unchanged: its output is x + sa(x) + ffwd(h), the residual stream";
  EXPECT_TRUE(AllClose(plain(x), std::vector<float>(64, 0.0f), 0.0, 0.0))
      << "the plain block of lesson 09 (no residual) must still output zeros here";
}

TEST(ResidualBlock, AddsEachSubLayerOnce) {
  Generator gen(62);
  const Tensor x = randn({2, 4, 8}, gen);
  {  // feed-forward silenced: x + sa(x)
    Block block(config(BlockKind::residual), gen);
    zero_all(block.ffwd);
    EXPECT_TRUE(AllClose(block(x), add(x, block.sa->forward(x)), 0.0, 0.0))
        << "with the feed-forward silenced the block must be x + sa(x): the attention's output "
           "added once to x";
  }
  {  // attention silenced: x + ffwd(x)
    Block block(config(BlockKind::residual), gen);
    zero_all(*block.sa);
    EXPECT_TRUE(AllClose(block(x), add(x, block.ffwd(x)), 0.0, 0.0))
        << "with the attention silenced the block must be x + ffwd(x): the feed-forward's output "
           "added once to its input";
  }
}

TEST(ResidualBlock, PassesTheGradientStraightThrough) {
  // With zero weights dL/dx is the upstream gradient itself: the "+ x" paths carry it whole.
  // Without them (plain) nothing arrives.
  Generator gen(63);
  Block residual(config(BlockKind::residual), gen);
  Block plain(config(BlockKind::plain), gen);
  zero_all(residual);
  zero_all(plain);
  const Tensor g = randn({1, 4, 8}, gen);
  Tensor x1 = randn({1, 4, 8}, gen).requires_grad_();
  Tensor x2 = x1.detach().requires_grad_();
  residual(x1).backward(g);
  EXPECT_TRUE(AllClose(x1.grad(), g, 0.0, 0.0))
      << "with zero weights dL/dx of the residual block must be the upstream gradient itself: "
         "the '+ x' paths carry it whole";
  plain(x2).backward(g);
  EXPECT_TRUE(AllClose(x2.grad(), std::vector<float>(32, 0.0f), 0.0, 0.0))
      << "the plain block (no residual) must pass no gradient with zero weights";
}

TEST(ResidualBlock, HandsBackTheAttentionWeights) {
  Generator gen(64);
  Block block(config(BlockKind::residual, 8, 4, 6), gen);
  const Tensor x = randn({3, 5, 8}, gen);
  std::vector<Tensor> weights;
  block.forward(x, &weights);
  std::vector<Tensor> own;
  block.sa->forward(x, &own);
  ASSERT_EQ(weights.size(), 4u);
  for (size_t h = 0; h < 4; ++h) EXPECT_EQ(weights[h].tolist(), own[h].tolist()) << "head " << h;
}

TEST(ResidualBlock, TheFutureDoesNotLeakIntoThePast) {
  Generator gen(65);
  Block block(config(BlockKind::residual, 8, 2, 5), gen);
  const Tensor x = randn({1, 5, 8}, gen);
  const Tensor before = block(x);
  Tensor changed = x.detach();
  changed.at({0, 3, 1}) += 2.0f;
  const Tensor after = block(changed);
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t c = 0; c < 8; ++c)
      EXPECT_EQ(after.at({0, t, c}), before.at({0, t, c}))
          << "changing a later position changed the output at position " << t << ", channel " << c
          << ": the future must not leak into the past";
}

TEST(ResidualBlock, GradcheckInputAndEveryWeight) {
  Generator gen(66);
  Block block(config(BlockKind::residual, 4, 2, 3), gen);
  const std::vector<Tensor*> w = weights_of(block);
  std::vector<Tensor> inputs{randn({2, 3, 4}, gen).requires_grad_()};
  for (Tensor* t : w) inputs.push_back(t->detach().requires_grad_());
  EXPECT_TRUE(GradOk(
      "residual block",
      [&](const std::vector<Tensor>& in) {
        for (size_t i = 0; i < w.size(); ++i) *w[i] = in[i + 1];
        return block(in[0]);
      },
      inputs));
}

// ============================================================ exercise 2: W^O

TEST(ProjectedAttention, HasPyTorchsNamesAndKeepsTheShape) {
  ProjectedAttention pa(8, 2, 4);
  const auto p = pa.named_parameters();
  const std::vector<std::pair<std::string, Shape>> expected = {
      {"heads.0.key.weight", {4, 8}},   {"heads.0.query.weight", {4, 8}},
      {"heads.0.value.weight", {4, 8}}, {"heads.1.key.weight", {4, 8}},
      {"heads.1.query.weight", {4, 8}}, {"heads.1.value.weight", {4, 8}},
      {"proj.weight", {8, 8}},          {"proj.bias", {8}}};
  ASSERT_EQ(p.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(p[i].first, expected[i].first);
    EXPECT_EQ(p[i].second.shape(), expected[i].second) << expected[i].first;
  }
  EXPECT_EQ(pa.num_parameters(), 4 * 8 * 8 + 8);  // 3C² for the heads, C² + C for W^O
  EXPECT_EQ(pa(zeros({2, 3, 8})).shape(), (Shape{2, 3, 8}));
}

TEST(ProjectedAttention, IsTheProjectionOfTheConcatenatedHeads) {
  Generator gen(70);
  ProjectedAttention pa(12, 3, 6, gen);
  const Tensor x = randn({2, 6, 12}, gen);
  const Tensor heads = pa.MultiHeadAttention::forward(x);  // (2, 6, 12), lesson 08
  const Tensor y = pa(x);
  ASSERT_EQ(y.shape(), (Shape{2, 6, 12}));
  EXPECT_EQ(y.tolist(), pa.proj(heads).tolist());
  // By hand: y[b, t, o] = Σ_c heads[b, t, c] · W[o, c] + bias[o] — the bias too.
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 6; ++t)
      for (int64_t o = 0; o < 12; ++o) {
        double s = pa.proj.bias.at({o});
        for (int64_t c = 0; c < 12; ++c) s += heads.at({b, t, c}) * pa.proj.weight.at({o, c});
        EXPECT_NEAR(y.at({b, t, o}), s, 1e-5) << b << " " << t << " " << o;
      }
}

TEST(ProjectedAttention, EveryOutputChannelMixesAllHeads) {
  // Change head 1 only: without W^O, or with W^O applied to each head's own channels, the
  // channels of heads 0 and 2 would not move. With W^O every output channel does.
  Generator gen(71);
  ProjectedAttention pa(12, 3, 6, gen);
  const Tensor x = randn({1, 6, 12}, gen);
  const Tensor before = pa(x);
  for (float& v : pa.heads[1]->value.weight.data()) v *= 2.0f;
  const Tensor after = pa(x);
  for (int64_t o = 0; o < 12; ++o) EXPECT_NE(after.at({0, 5, o}), before.at({0, 5, o})) << o;
}

TEST(ProjectedAttention, MatchesPyTorch) {
  // PyTorch's numbers: tests/golden/data/projected_attention.safetensors, made by
  // tests/golden/blocks_golden.py projected_attention: lesson 08's two heads (n_embed 8, head
  // size 4, the same fixed weights), then proj = Linear(8, 8) with weight
  // fill((8, 8), 0.43, 0.5, 0.4) and bias fill((8,), 0.71, 1.3, 0.2);
  // loss (out * fill(out.shape, 0.9, 0.3)).sum().
  const testing::GoldenFile& golden = testing::golden_file("projected_attention");
  ProjectedAttention pa(8, 2, 4);
  for (int h = 0; h < 2; ++h) {
    Head& head = *pa.heads[static_cast<size_t>(h)];
    Linear* roles[] = {&head.key, &head.query, &head.value};
    for (int r = 0; r < 3; ++r) {
      set(roles[r]->weight,
          fill({4, 8}, 0.31 + 0.05 * (3 * h + r), 0.2 + 0.9 * (3 * h + r), 0.5).tolist());
    }
  }
  set(pa.proj.weight, fill({8, 8}, 0.43, 0.5, 0.4).tolist());
  set(pa.proj.bias, fill({8}, 0.71, 1.3, 0.2).tolist());
  Tensor x = fill({2, 4, 8}, 0.7, 0.1, 1.0, true);
  const Tensor out = pa(x);
  EXPECT_TRUE(AllClose(out, golden.values("out")));
  sum(mul(out, fill(out.shape(), 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad")));
  for (int h = 0; h < 2; ++h) {
    const Head& head = *pa.heads[static_cast<size_t>(h)];
    const Tensor grads =
        concat({head.key.weight.grad(), head.query.weight.grad(), head.value.weight.grad()}, 0);
    const std::string prefix = "grad.heads." + std::to_string(h) + ".";
    EXPECT_TRUE(AllClose(grads, golden.concatenated({prefix + "key.weight", prefix + "query.weight",
                                                     prefix + "value.weight"})))
        << "head " << h;
  }
  EXPECT_TRUE(AllClose(pa.proj.weight.grad(), golden.values("grad.proj.weight")));
  EXPECT_TRUE(AllClose(pa.proj.bias.grad(), golden.values("grad.proj.bias")));
}

TEST(ProjectedAttention, HandsBackTheHeadsWeights) {
  Generator gen(72);
  ProjectedAttention pa(8, 2, 5, gen);
  const Tensor x = randn({2, 5, 8}, gen);
  std::vector<Tensor> weights;
  pa.forward(x, &weights);
  std::vector<Tensor> own;
  pa.MultiHeadAttention::forward(x, &own);
  ASSERT_EQ(weights.size(), 2u);
  for (size_t h = 0; h < 2; ++h) EXPECT_EQ(weights[h].tolist(), own[h].tolist()) << "head " << h;
}

TEST(ProjectedAttention, DropoutComesAfterTheProjection) {
  // drop(proj(...)): in training mode every output is 0 or 1 / (1 - p) times the eval-mode
  // output (the bias included). The heads' own dropout is switched off here.
  Generator gen(73);
  ProjectedAttention pa(8, 2, 4, gen, 0.5f);
  for (auto& head : pa.heads) head->drop.set_p(0.0f);
  const Tensor x = randn({2, 4, 8}, gen);
  pa.eval();
  const Tensor kept = pa(x);
  pa.train();
  manual_seed(2);
  const Tensor dropped = pa(x);
  int zeros_seen = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float d = dropped.data()[static_cast<size_t>(i)];
    if (d == 0.0f) {
      ++zeros_seen;
    } else {
      EXPECT_FLOAT_EQ(d, 2.0f * kept.data()[static_cast<size_t>(i)]) << i;
    }
  }
  EXPECT_GT(zeros_seen, 0);
  EXPECT_LT(zeros_seen, x.numel());
}

TEST(ProjectedAttention, TheFutureDoesNotLeakIntoThePast) {
  Generator gen(74);
  ProjectedAttention pa(8, 4, 5, gen);
  const Tensor x = randn({1, 5, 8}, gen);
  const Tensor before = pa(x);
  Tensor changed = x.detach();
  changed.at({0, 2, 0}) -= 2.0f;
  const Tensor after = pa(changed);
  for (int64_t t = 0; t < 2; ++t)
    for (int64_t c = 0; c < 8; ++c)
      EXPECT_EQ(after.at({0, t, c}), before.at({0, t, c}))
          << "changing a later position changed the output at position " << t << ", channel " << c
          << ": the future must not leak into the past";
}

TEST(ProjectedAttention, GradcheckInputAndWeights) {
  Generator gen(75);
  ProjectedAttention pa(6, 2, 3, gen);
  std::vector<Tensor*> w;
  for (auto& head : pa.heads) {
    w.push_back(&head->key.weight);
    w.push_back(&head->query.weight);
    w.push_back(&head->value.weight);
  }
  w.push_back(&pa.proj.weight);
  w.push_back(&pa.proj.bias);
  std::vector<Tensor> inputs{randn({2, 3, 6}, gen).requires_grad_()};
  for (Tensor* t : w) inputs.push_back(t->detach().requires_grad_());
  EXPECT_TRUE(GradOk(
      "ProjectedAttention",
      [&](const std::vector<Tensor>& in) {
        for (size_t i = 0; i < w.size(); ++i) *w[i] = in[i + 1];
        return pa(in[0]);
      },
      inputs));
}

TEST(ProjectedAttention, RejectsBadShapes) {
  ProjectedAttention pa(8, 2, 4);
  EXPECT_EQ(pa(zeros({1, 4, 8})).shape(), (Shape{1, 4, 8}));
  EXPECT_BG_ERROR(pa(zeros({1, 4, 6})), "[1, 4, 6]");
  EXPECT_BG_ERROR(pa(zeros({1, 5, 8})), "[1, 5, 8]", "block_size 4");
}

// ============================================================ exercise 3: grad_norms

// Gives every element of block l's every parameter the gradient (l + 1): the backward pass of
// Σ_l (l + 1) · Σ_p sum(p).
void backward_with_gradient_l_plus_1(const Blocks& blocks) {
  Tensor loss = scalar(0.0f);
  for (size_t l = 0; l < blocks.blocks.size(); ++l) {
    for (auto& [name, p] : blocks.blocks[l]->named_parameters()) {
      loss = add(loss, mul(sum(p), static_cast<float>(l + 1)));
    }
  }
  loss.backward();
}

TEST(GradNorms, IsTheL2NormOfEachBlocksGradients) {
  // Every kind of parameter counts: heads, W^O, both feed-forward layers, both layer norms.
  // One block here has 3·64 + (64 + 8) + (256 + 32) + (256 + 8) + 4·8 = 848 parameters, so
  // block l's norm is (l + 1)·√848.
  BlockConfig c = config(BlockKind::prenorm);
  c.projection = true;
  Blocks blocks(3, c);
  ASSERT_EQ(blocks.blocks[0]->num_parameters(), 848);
  backward_with_gradient_l_plus_1(blocks);
  const std::vector<float> norms = grad_norms(blocks);
  ASSERT_EQ(norms.size(), 3u);
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_NEAR(norms[l], static_cast<double>(l + 1) * std::sqrt(848.0), 1e-4) << "block " << l;
  }
}

TEST(GradNorms, SquaresSumsAndTakesTheRoot) {
  // One parameter of block 1 gets the gradient (3, -4, 0, …): its norm is 5, not 7 (absolute
  // values), -1 (signed sum) or 25 (no root). Block 0 got no gradient at all: 0.
  Blocks blocks(2, config(BlockKind::plain));
  const Tensor& b = blocks.blocks[1]->ffwd.net0.bias;  // (8)
  sum(mul(b, tensor({3, -4, 0, 0, 0, 0, 0, 0}, {8}))).backward();
  const std::vector<float> norms = grad_norms(blocks);
  ASSERT_EQ(norms.size(), 2u);
  EXPECT_EQ(norms[0], 0.0f);
  EXPECT_NEAR(norms[1], 5.0f, 1e-6);
}

TEST(GradNorms, ZeroBeforeAnyBackward) {
  Blocks blocks(4, config(BlockKind::residual));
  EXPECT_EQ(grad_norms(blocks), std::vector<float>(4, 0.0f));
}

// ============================================================ exercises 1 and 3: depth

// The gradient norm of each block of a 6-layer BabyGPT of `version` at the course's sizes,
// after one backward pass of the loss on a batch of random tokens (B = 32, T = 8).
std::vector<float> block_grad_norms_at_init(const std::string& version) {
  ModelConfig c;
  c.model = version;
  c.vocab_size = 65;
  c.n_layer = 6;
  Generator gen(1337);
  auto model = make_model(c, gen);
  Batch batch;
  batch.B = 32;
  batch.T = 8;
  for (int i = 0; i < 32 * 8; ++i) {
    batch.x.push_back(static_cast<int32_t>(gen.next_u32() % 65));
    batch.y.push_back(static_cast<int32_t>(gen.next_u32() % 65));
  }
  model_loss(*model, batch).backward();
  return grad_norms(*dynamic_cast<const GPT&>(*model).blocks);
}

TEST(GradientFlow, ResidualsCarryTheGradientToTheFirstBlock) {
  // Without residuals (v6) the gradient shrinks through every block on its way down: the first
  // block gets a tiny fraction of what the last one gets (measured: about 0.3 %). With them
  // (v7) every block gets about as much as the last.
  const std::vector<float> plain = block_grad_norms_at_init("v6");
  const std::vector<float> residual = block_grad_norms_at_init("v7");
  ASSERT_EQ(plain.size(), 6u);
  ASSERT_EQ(residual.size(), 6u);
  EXPECT_LT(plain[0], 0.01f * plain[5]);
  EXPECT_GT(residual[0], 0.5f * residual[5]);
  for (size_t l = 0; l + 1 < 6; ++l) EXPECT_LT(plain[l], plain[l + 1]) << "block " << l;
}

}  // namespace
}  // namespace bg
