// Lesson 09: the feed-forward network, a block without residual connections, blocks in
// sequence (bg/blocks.h).
//   exercise 1: ctest -L lesson09 -R 'lesson09\.FeedForward'
//   exercise 2: ctest -L lesson09 -R 'lesson09\.PlainBlock'
//   exercise 3: ctest -L lesson09 -R 'lesson09\.Blocks'
// Exercises 2 and 3 run exercise 1's FeedForward inside every block.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bg/blocks.h"
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

BlockConfig plain_config(int64_t C = 8, int64_t nh = 2, int64_t block_size = 4) {
  BlockConfig c;
  c.n_embed = C;
  c.n_head = nh;
  c.block_size = block_size;
  c.kind = BlockKind::plain;
  return c;
}

// ============================================================ exercise 1: FeedForward

TEST(FeedForward, HasPyTorchsNamesAndKeepsTheShape) {
  FeedForward small(8, /*expand=*/false);
  auto p = small.named_parameters();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].first, "net.0.weight");
  EXPECT_EQ(p[0].second.shape(), (Shape{8, 8}));
  EXPECT_EQ(p[1].first, "net.0.bias");
  EXPECT_FALSE(small.net2);
  EXPECT_EQ(small(zeros({2, 3, 8})).shape(), (Shape{2, 3, 8}));

  FeedForward big(8, /*expand=*/true);
  p = big.named_parameters();
  ASSERT_EQ(p.size(), 4u);
  const std::vector<std::pair<std::string, Shape>> expected = {{"net.0.weight", {32, 8}},
                                                               {"net.0.bias", {32}},
                                                               {"net.2.weight", {8, 32}},
                                                               {"net.2.bias", {8}}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(p[i].first, expected[i].first);
    EXPECT_EQ(p[i].second.shape(), expected[i].second) << expected[i].first;
  }
  EXPECT_EQ(big.num_parameters(), 8 * 32 + 32 + 32 * 8 + 8);  // 8·C² + 5·C
  EXPECT_EQ(big(zeros({2, 3, 8})).shape(), (Shape{2, 3, 8}));
}

TEST(FeedForward, IsReluOfALinearMapByHand) {
  // net.0: W = [[1, 2], [3, -1]], b = [0.5, -4]. Position 0: x = (1, -2), W x + b = (-2.5, 1);
  // position 1: x = (0.5, 3), W x + b = (7, -5.5). ReLU keeps the positive ones.
  FeedForward ff(2, false);
  set(ff.net0.weight, {1, 2, 3, -1});
  set(ff.net0.bias, {0.5f, -4});
  Tensor x = tensor({1, -2, 0.5f, 3}, {1, 2, 2}, true);
  const Tensor y = ff(x);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(y.tolist(), (std::vector<float>{0, 1, 7, 0}));
  // Loss sum(y ⊙ g), g = [[1, 2], [3, 4]]: dz = g where z > 0 = [[0, 2], [3, 0]];
  // dx = dz·W, dW = Σ_t dz_tᵀ x_t, db = Σ_t dz_t.
  sum(mul(y, tensor({1, 2, 3, 4}, {1, 2, 2}))).backward();
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{6, -2, 3, 6}));
  EXPECT_EQ(ff.net0.weight.grad().tolist(), (std::vector<float>{1.5f, 9, 2, -4}));
  EXPECT_EQ(ff.net0.bias.grad().tolist(), (std::vector<float>{3, 2}));
}

TEST(FeedForward, ExpandedMatchesPyTorch) {
  // PyTorch's numbers: tests/golden/data/feed_forward.safetensors, made by
  // tests/golden/blocks_golden.py feed_forward: C = 4, 4C = 16,
  // F.linear(F.relu(F.linear(x, w0, b0)), w2, b2), loss (out * fill(out.shape, 0.9, 0.3)).sum()
  const testing::GoldenFile& golden = testing::golden_file("feed_forward");
  FeedForward ff(4, true);
  set(ff.net0.weight, fill({16, 4}, 0.37, 0.2, 0.5).tolist());
  set(ff.net0.bias, fill({16}, 0.53, 1.1, 0.3).tolist());
  set(ff.net2->weight, fill({4, 16}, 0.29, 0.7, 0.5).tolist());
  set(ff.net2->bias, fill({4}, 0.61, 2.0, 0.3).tolist());
  Tensor x = fill({2, 3, 4}, 0.7, 0.1, 1.0, true);
  const Tensor out = ff(x);
  EXPECT_TRUE(AllClose(out, golden.values("out")));
  sum(mul(out, fill(out.shape(), 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad")));
  EXPECT_TRUE(AllClose(ff.net0.weight.grad(), golden.values("grad.net.0.weight")));
  EXPECT_TRUE(AllClose(ff.net0.bias.grad(), golden.values("grad.net.0.bias")));
  EXPECT_TRUE(AllClose(ff.net2->weight.grad(), golden.values("grad.net.2.weight")));
  EXPECT_TRUE(AllClose(ff.net2->bias.grad(), golden.values("grad.net.2.bias")));
}

TEST(FeedForward, WorksOnEachPositionAlone) {
  Generator gen(3);
  FeedForward ff(6, true, 0.0f, gen);
  const Tensor x = randn({2, 5, 6}, gen);
  const Tensor before = ff(x);
  Tensor changed = x.detach();
  changed.at({1, 2, 4}) += 1.5f;
  const Tensor after = ff(changed);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 5; ++t)
      for (int64_t c = 0; c < 6; ++c) {
        if (b == 1 && t == 2) continue;
        EXPECT_EQ(after.at({b, t, c}), before.at({b, t, c}))
            << "changing the input at batch 1, position 2 changed the output at batch " << b
            << ", position " << t << ": the feed-forward must work on each position alone";
      }
  bool moved = false;
  for (int64_t c = 0; c < 6; ++c) moved = moved || after.at({1, 2, c}) != before.at({1, 2, c});
  EXPECT_TRUE(moved) << "changing the input at batch 1, position 2 must change its own output";
}

TEST(FeedForward, GradcheckBothShapes) {
  for (bool expand : {false, true}) {
    Generator gen(expand ? 15 : 2);
    FeedForward ff(4, expand, 0.0f, gen);
    std::vector<Tensor*> w = {&ff.net0.weight, &ff.net0.bias};
    if (expand) {
      w.push_back(&ff.net2->weight);
      w.push_back(&ff.net2->bias);
    }
    std::vector<Tensor> inputs{randn({2, 3, 4}, gen).requires_grad_()};
    for (Tensor* t : w) inputs.push_back(t->detach().requires_grad_());
    // ReLU has a kink at 0: a finite-difference step across it measures neither slope. The
    // seeds are chosen so every input of the ReLU is further from 0 than one step can move it.
    const Tensor z = ff.net0(inputs[0]);
    float nearest = 1e9f;
    for (float v : z.data()) nearest = std::min(nearest, std::abs(v));
    ASSERT_GT(nearest, 0.03f);
    EXPECT_TRUE(GradOk(
        expand ? "FeedForward 4 -> 16 -> 4" : "FeedForward 4 -> 4",
        [&](const std::vector<Tensor>& in) {
          for (size_t i = 0; i < w.size(); ++i) *w[i] = in[i + 1];
          return ff(in[0]);
        },
        inputs));
  }
}

TEST(FeedForward, ATensorUsedTwice) {
  // x feeds the network and is added to its output; the network's weights are used twice when
  // it is applied to its own output. Every gradient must be the sum over both uses.
  Generator gen(33);
  FeedForward ff(4, true, 0.0f, gen);
  std::vector<Tensor> inputs{randn({1, 3, 4}, gen).requires_grad_(),
                             ff.net0.weight.detach().requires_grad_(),
                             ff.net2->weight.detach().requires_grad_()};
  EXPECT_TRUE(GradOk(
      "ff(ff(x) + x)",
      [&](const std::vector<Tensor>& in) {
        ff.net0.weight = in[1];
        ff.net2->weight = in[2];
        return ff(add(ff(in[0]), in[0]));
      },
      inputs));
}

TEST(FeedForward, DropoutComesLastAndOnlyInTraining) {
  // v8+: net.3 = Dropout after net.2 (bias included). In training mode every output is 0 or
  // 1 / (1 - p) times the eval-mode output; in eval mode nothing is dropped.
  Generator gen(34);
  FeedForward ff(4, true, 0.5f, gen);
  const Tensor x = randn({2, 4, 4}, gen);
  ff.eval();
  const Tensor kept = ff(x);
  ff.train();
  manual_seed(1);
  const Tensor dropped = ff(x);
  int zeros_seen = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float d = dropped.data()[static_cast<size_t>(i)];
    const float k = kept.data()[static_cast<size_t>(i)];
    if (d == 0.0f) {
      ++zeros_seen;
    } else {
      EXPECT_FLOAT_EQ(d, 2.0f * k) << i;
    }
  }
  EXPECT_GT(zeros_seen, 0);
  EXPECT_LT(zeros_seen, x.numel());
}

TEST(FeedForward, RejectsTheWrongWidth) {
  FeedForward ff(8, true);
  EXPECT_BG_ERROR(ff(zeros({2, 3, 5})), "[2, 3, 5]");
}

// ============================================================ exercise 2: a plain block

TEST(PlainBlock, IsTheFeedForwardOfTheAttention) {
  Generator gen(40);
  Block block(plain_config(), gen);
  const Tensor x = randn({2, 4, 8}, gen);
  const Tensor expected = block.ffwd(block.sa->forward(x));  // communication, then computation
  const Tensor y = block(x);
  ASSERT_EQ(y.shape(), (Shape{2, 4, 8}));
  EXPECT_TRUE(AllClose(y, expected, 0.0, 0.0))
      << "the plain block must be ffwd(sa(x)): attention first (communication), then the "
         "feed-forward (computation), and nothing added";
  // the other order would be a different function
  ASSERT_FALSE(AllClose(block.sa->forward(block.ffwd(x)), expected.tolist()))
      << "test set-up: the two orders must differ here";
}

TEST(PlainBlock, HandsBackTheAttentionWeights) {
  Generator gen(41);
  Block block(plain_config(8, 4, 6), gen);
  const Tensor x = randn({3, 5, 8}, gen);
  std::vector<Tensor> weights;
  block.forward(x, &weights);
  std::vector<Tensor> own;
  block.sa->forward(x, &own);
  ASSERT_EQ(weights.size(), 4u);
  for (size_t h = 0; h < 4; ++h) {
    EXPECT_EQ(weights[h].shape(), (Shape{3, 5, 5}));
    EXPECT_EQ(weights[h].tolist(), own[h].tolist()) << "head " << h;
  }
}

TEST(PlainBlock, WithZeroWeightsForgetsItsInput) {
  // No residual: when both sub-layers output zeros, so does the block — x is gone.
  Generator gen(42);
  Block block(plain_config(), gen);
  zero_all(block);
  const Tensor x = randn({1, 4, 8}, gen);
  EXPECT_TRUE(AllClose(block(x), std::vector<float>(32, 0.0f), 0.0, 0.0))
      << "with every weight zero the plain block must output zeros: lesson 09's block has no "
         "residual (x + … comes in lesson 10)";
}

TEST(PlainBlock, TheFutureDoesNotLeakIntoThePast) {
  Generator gen(43);
  Block block(plain_config(8, 2, 5), gen);
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

TEST(PlainBlock, GradcheckInputAndEveryWeight) {
  Generator gen(44);
  Block block(plain_config(4, 2, 3), gen);
  const std::vector<Tensor*> w = weights_of(block);
  std::vector<Tensor> inputs{randn({2, 3, 4}, gen).requires_grad_()};
  for (Tensor* t : w) inputs.push_back(t->detach().requires_grad_());
  EXPECT_TRUE(GradOk(
      "plain block",
      [&](const std::vector<Tensor>& in) {
        for (size_t i = 0; i < w.size(); ++i) *w[i] = in[i + 1];
        return block(in[0]);
      },
      inputs));
}

TEST(PlainBlock, RejectsBadShapes) {
  Block block(plain_config());
  EXPECT_EQ(block(zeros({1, 4, 8})).shape(), (Shape{1, 4, 8}));
  EXPECT_BG_ERROR(block(zeros({1, 4, 6})), "[1, 4, 6]", "(B, T, 8)");
  EXPECT_BG_ERROR(block(zeros({4, 8})), "[4, 8]");
  EXPECT_BG_ERROR(block(zeros({1, 5, 8})), "[1, 5, 8]", "block_size 4");
}

// ============================================================ exercise 3: blocks in sequence

TEST(Blocks, RunsEachBlockOnTheOutputOfThePreviousOne) {
  // Built from the same seed, three separate blocks hold the same weights as Blocks' three.
  Generator g1(50), g2(50);
  Blocks blocks(3, plain_config(), g1);
  Block b0(plain_config(), g2), b1(plain_config(), g2), b2(plain_config(), g2);
  const Tensor x = randn({2, 4, 8}, g1);
  const Tensor expected = b2(b1(b0(x)));
  const Tensor y = blocks(x);
  ASSERT_EQ(y.shape(), (Shape{2, 4, 8}));
  EXPECT_TRUE(AllClose(y, expected, 0.0, 0.0))
      << "Blocks must be block 2(block 1(block 0(x))): each block once, in order, on the "
         "previous block's output";
  // Each block has its own weights, and the order matters: neither block 0 three times nor the
  // blocks in reverse order compute the same function.
  EXPECT_FALSE(AllClose(b0(b0(b0(x))), expected.tolist()));
  EXPECT_FALSE(AllClose(b0(b1(b2(x))), expected.tolist()));
}

TEST(Blocks, NamesEveryBlocksParametersUnderItsIndex) {
  Blocks blocks(2, plain_config());
  const auto p = blocks.named_parameters();
  const std::vector<std::string> one = {"sa.heads.0.key.weight",   "sa.heads.0.query.weight",
                                        "sa.heads.0.value.weight", "sa.heads.1.key.weight",
                                        "sa.heads.1.query.weight", "sa.heads.1.value.weight",
                                        "ffwd.net.0.weight",       "ffwd.net.0.bias"};
  ASSERT_EQ(p.size(), 2 * one.size());
  for (size_t l = 0; l < 2; ++l)
    for (size_t i = 0; i < one.size(); ++i)
      EXPECT_EQ(p[l * one.size() + i].first, std::to_string(l) + "." + one[i]);
  EXPECT_EQ(blocks.num_parameters(), 2 * (3 * 8 * 8 + 8 * 8 + 8));
  EXPECT_EQ(blocks(zeros({1, 2, 8})).shape(), (Shape{1, 2, 8}));
}

// Each block's parameters get the gradient of that block's own use, and only that: the same
// gradients as three separate blocks holding the same weights (same seed), chained by hand.
// Catches: one block run three times (the others get no gradient, it gets all three), the
// blocks run in the wrong order, a block skipped.
TEST(Blocks, EveryBlockGetsItsOwnGradient) {
  Generator g1(51), g2(51);
  Blocks blocks(3, plain_config(), g1);
  Block b0(plain_config(), g2), b1(plain_config(), g2), b2(plain_config(), g2);
  const Tensor x = randn({2, 4, 8}, g1);
  const Tensor g = randn({2, 4, 8}, g1);
  sum(mul(blocks(x), g)).backward();
  sum(mul(b2(b1(b0(x))), g)).backward();
  const Block* separate[] = {&b0, &b1, &b2};
  for (size_t l = 0; l < 3; ++l) {
    const auto mine = blocks.blocks[l]->named_parameters();
    const auto own = separate[l]->named_parameters();
    ASSERT_EQ(mine.size(), own.size());
    for (size_t i = 0; i < mine.size(); ++i) {
      const std::string where = "block " + std::to_string(l) + ", parameter " + mine[i].first;
      if (!mine[i].second.has_grad()) {
        ADD_FAILURE() << where << " got no gradient: the backward never reached it, so block " << l
                      << " did not take part in the forward (each block must run once, on the "
                         "previous block's output)";
        continue;
      }
      EXPECT_TRUE(AllClose(mine[i].second.grad(), own[i].second.grad()))
          << where << " has a gradient other than the one of its own use in the chain "
          << "block 0 -> block 1 -> block 2 (a block run twice, or shared, or out of order)";
    }
  }
}

TEST(Blocks, HandsBackEveryLayersAttentionWeights) {
  Generator gen(52);
  Blocks blocks(3, plain_config(8, 2, 4), gen);
  const Tensor x = randn({1, 4, 8}, gen);
  std::vector<std::vector<Tensor>> weights;
  blocks.forward(x, &weights);
  ASSERT_EQ(weights.size(), 3u);
  Tensor h = x;
  for (size_t l = 0; l < 3; ++l) {
    std::vector<Tensor> own;
    h = blocks.blocks[l]->forward(h, &own);  // layer l sees layer l-1's output
    ASSERT_EQ(weights[l].size(), 2u) << "layer " << l;
    for (size_t k = 0; k < 2; ++k) EXPECT_EQ(weights[l][k].tolist(), own[k].tolist());
  }
  std::vector<std::vector<Tensor>> reused(5);  // an old, longer list is replaced
  blocks.forward(x, &reused);
  EXPECT_EQ(reused.size(), 3u);
}

TEST(Blocks, GradcheckThroughTwoBlocks) {
  Generator gen(53);
  Blocks blocks(2, plain_config(4, 2, 3), gen);
  EXPECT_TRUE(GradOk("two plain blocks",
                     [&](const std::vector<Tensor>& in) { return blocks(in[0]); },
                     {randn({2, 3, 4}, gen).requires_grad_()}));
}

}  // namespace
}  // namespace bg
