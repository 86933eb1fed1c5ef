// Lesson 13, exercises 1-3: attention over cached keys and values, one head and one attention
// layer with a cache, a block with a cache (bg/kv_cache.h). The reference is always the
// uncached module on the whole sequence: its last rows are what the cached path must give.
//   exercise 1: ctest -L lesson13 -R CachedAttention
//   exercise 2: ctest -L lesson13 -R CachedHead
//   exercise 3: ctest -L lesson13 -R CachedBlock
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/kv_cache.h"
#include "bg/linalg.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;

// The full causal attention of lesson 07 on (T, hs) arrays, with the engine's ops:
// softmax(causal_mask(q·kᵀ / sqrt(hs))) · v, (T, hs).
Tensor full_attention(const Tensor& q, const Tensor& k, const Tensor& v) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(q.size(-1)));
  return matmul(softmax(causal_mask(mul(matmul(q, transpose(k, -2, -1)), scale)), -1), v);
}

// cached_attention on the new rows past … T-1, with k and v stored in a buffer of `capacity`
// rows whose unused rows hold NaN: reading a row that is not filled yet poisons the output.
std::vector<float> run_cached(const Tensor& q, const Tensor& k, const Tensor& v, int64_t past,
                              int64_t capacity) {
  const int64_t T = q.size(0), hs = q.size(1), n_new = T - past;
  std::vector<float> kc(static_cast<size_t>(capacity * hs), std::nanf(""));
  std::vector<float> vc = kc;
  std::copy(k.data().begin(), k.data().end(), kc.begin());
  std::copy(v.data().begin(), v.data().end(), vc.begin());
  std::vector<float> out(static_cast<size_t>(n_new * hs), std::nanf(""));
  cached_attention(q.data().data() + past * hs, kc.data(), vc.data(), out.data(), n_new, past, hs);
  return out;
}

// ============================================================ exercise 1: cached_attention

TEST(CachedAttention, HandWorkedRows) {
  // hs = 1, equal keys: each row averages the values it may see.
  const Tensor q = tensor({0.5f, -1.0f, 2.0f}, {3, 1});
  const Tensor k = tensor({0.0f, 0.0f, 0.0f}, {3, 1});
  const Tensor v = tensor({1.0f, 2.0f, 6.0f}, {3, 1});
  // one new row at position 2: (1 + 2 + 6) / 3
  EXPECT_NEAR(run_cached(q, k, v, 2, 3)[0], 3.0f, 1e-6);
  // two new rows at positions 1 and 2: (1 + 2) / 2, then (1 + 2 + 6) / 3
  const std::vector<float> two = run_cached(q, k, v, 1, 3);
  EXPECT_NEAR(two[0], 1.5f, 1e-6);
  EXPECT_NEAR(two[1], 3.0f, 1e-6);
  // no past: the first row sees only itself
  EXPECT_NEAR(run_cached(q, k, v, 0, 3)[0], 1.0f, 1e-6);
  // unequal keys: scores 0 and q·k/sqrt(1) = ln 3, weights 1/4 and 3/4
  const Tensor q2 = tensor({1.0f, 1.0f}, {2, 1});
  const Tensor k2 = tensor({0.0f, std::log(3.0f)}, {2, 1});
  const Tensor v2 = tensor({4.0f, 8.0f}, {2, 1});
  EXPECT_NEAR(run_cached(q2, k2, v2, 1, 2)[0], 0.25f * 4.0f + 0.75f * 8.0f, 1e-5);
}

TEST(CachedAttention, WithoutAPastItIsTheWholeCausalAttention) {
  Generator gen(1);
  const Tensor q = randn({6, 4}, gen), k = randn({6, 4}, gen), v = randn({6, 4}, gen);
  EXPECT_TRUE(AllClose(tensor(run_cached(q, k, v, 0, 6), {6, 4}), full_attention(q, k, v)));
}

TEST(CachedAttention, NewRowsAreTheLastRowsOfTheFullAttention) {
  // Every split of 7 positions into `past` cached and the rest new, from one new row (the
  // sampling step) to all of them; hs 1, 3 and 8. Row i of the new rows is row past + i of the
  // full T x T attention: a mask that is not shifted by `past`, or shifted by one too many or
  // too few, changes the rows.
  for (int64_t hs : {1, 3, 8}) {
    Generator gen(static_cast<uint64_t>(10 + hs));
    const int64_t T = 7;
    const Tensor q = randn({T, hs}, gen), k = randn({T, hs}, gen), v = randn({T, hs}, gen);
    const Tensor full = full_attention(q, k, v);  // (T, hs)
    for (int64_t past = 0; past < T; ++past) {
      BG_TRACE("hs " + std::to_string(hs) + ", past " + std::to_string(past));
      const Tensor expected = narrow(full, 0, past, T - past);
      EXPECT_TRUE(AllClose(tensor(run_cached(q, k, v, past, T + 2), {T - past, hs}), expected));
    }
  }
}

TEST(CachedAttention, NeverReadsRowsAfterTheLastPosition) {
  // The rows after past + n_new are NaN in run_cached's buffer: a loop that runs one key too
  // far (j <= p + 1, or over the whole capacity) makes the output NaN.
  Generator gen(2);
  const Tensor q = randn({4, 2}, gen), k = randn({4, 2}, gen), v = randn({4, 2}, gen);
  for (int64_t past = 0; past < 4; ++past) {
    for (float x : run_cached(q, k, v, past, 9)) EXPECT_TRUE(std::isfinite(x)) << "past " << past;
  }
}

TEST(CachedAttention, LargeScoresDoNotOverflow) {
  // scores of several hundred: exp overflows unless the row's maximum is subtracted first
  const Tensor q = tensor({30.0f, 30.0f}, {1, 2});
  const Tensor k = tensor({20.0f, 20.0f, 21.0f, 21.0f}, {2, 2});  // scores 848.5, 891.0
  const Tensor v = tensor({1.0f, -1.0f, 3.0f, 5.0f}, {2, 2});
  const Tensor qq = concat({q, q}, 0);  // row 1 is the new one (past = 1)
  const std::vector<float> out = run_cached(qq, k, v, 1, 2);
  // weight of key 1 = 1 / (1 + e^-42.4) = 1 in float
  EXPECT_NEAR(out[0], 3.0f, 1e-5);
  EXPECT_NEAR(out[1], 5.0f, 1e-5);
}

// ============================================================ exercise 2: forward_cached(Head)

// Feeds x (1, T, C) to a cached module in pieces of the given sizes and checks that the
// pieces' outputs are the rows of full (1, T, out).
template <class Step>
void expect_pieces_match(const Tensor& x, const Tensor& full, const std::vector<int64_t>& pieces,
                         Step step) {
  int64_t t = 0;
  for (int64_t n : pieces) {
    BG_TRACE("rows " + std::to_string(t) + " … " + std::to_string(t + n - 1));
    const Tensor out = step(narrow(x, 1, t, n));
    ASSERT_EQ(out.shape(), (Shape{1, n, full.size(2)}));
    EXPECT_TRUE(AllClose(out, narrow(full, 1, t, n)));
    t += n;
  }
  EXPECT_EQ(t, x.size(1));
}

TEST(CachedHead, StepByStepEqualsTheFullHead) {
  Generator gen(3);
  const Head head(8, 4, 6, gen);
  const Tensor x = randn({1, 6, 8}, gen);
  NoGradGuard no_grad;
  const Tensor full = head(x);  // (1, 6, 4)
  HeadCache cache(4, 6);
  expect_pieces_match(x, full, {1, 1, 1, 1, 1, 1},
                      [&](const Tensor& rows) { return forward_cached(head, rows, cache); });
  EXPECT_EQ(cache.len, 6);
  // the cache holds exactly the keys and values of the six positions
  EXPECT_TRUE(AllClose(tensor(cache.k, {1, 6, 4}), head.key(x)));
  EXPECT_TRUE(AllClose(tensor(cache.v, {1, 6, 4}), head.value(x)));
}

TEST(CachedHead, APrefillThenSteps) {
  Generator gen(4);
  const Head head(6, 6, 8, gen);  // v3's shape: one head as wide as the embedding
  const Tensor x = randn({1, 8, 6}, gen);
  NoGradGuard no_grad;
  const Tensor full = head(x);
  HeadCache cache(6, 8);
  expect_pieces_match(x, full, {3, 1, 2, 1, 1},
                      [&](const Tensor& rows) { return forward_cached(head, rows, cache); });
}

TEST(CachedHead, EveryHeadHasItsOwnCacheAndProjectionMixesThem) {
  Generator gen(5);
  const MultiHeadAttention list(8, 2, 5, gen);       // v4–v7
  const ProjectedAttention projected(8, 4, 5, gen);  // v8+
  const Tensor x = randn({1, 5, 8}, gen);
  NoGradGuard no_grad;
  for (const MultiHeadAttention* sa : {&list, static_cast<const MultiHeadAttention*>(&projected)}) {
    BG_TRACE(sa == &list ? "MultiHeadAttention" : "ProjectedAttention");
    const Tensor full = sa->forward(x);
    std::vector<HeadCache> caches(sa->heads.size(), HeadCache(sa->head_size(), 5));
    expect_pieces_match(x, full, {2, 1, 1, 1},
                        [&](const Tensor& rows) { return forward_cached(*sa, rows, caches); });
    for (const HeadCache& c : caches) EXPECT_EQ(c.len, 5);
  }
}

TEST(CachedHead, RejectsBadInput) {
  const Head head(8, 4, 3);
  HeadCache cache(4, 3);
  EXPECT_BG_ERROR(forward_cached(head, zeros({2, 1, 8}), cache), "[2, 1, 8]");
  EXPECT_BG_ERROR(forward_cached(head, zeros({1, 1, 6}), cache), "[1, 1, 6]");
  HeadCache wrong(5, 3);
  EXPECT_BG_ERROR(forward_cached(head, zeros({1, 1, 8}), wrong), "5", "4");
  (void)forward_cached(head, zeros({1, 2, 8}), cache);
  EXPECT_BG_ERROR(forward_cached(head, zeros({1, 2, 8}), cache), "full", "2", "3");
  EXPECT_EQ(cache.len, 2);  // a refused call changes nothing
  const MultiHeadAttention sa(8, 2, 3);
  std::vector<HeadCache> one(1, HeadCache(4, 3));
  EXPECT_BG_ERROR(forward_cached(sa, zeros({1, 1, 8}), one), "2", "1");
}

// ============================================================ exercise 3: forward_cached(Block)

// Gives every LayerNorm of the block weights and biases other than 1 and 0, so that using
// ln1 where ln2 belongs (or no norm at all) shows.
void randomise_norms(const Block& block, Generator& gen) {
  for (LayerNorm* ln : {block.ln1.get(), block.ln2.get()}) {
    if (ln == nullptr) continue;
    for (Tensor* p : {&ln->weight, &ln->bias}) {
      for (float& w : p->data()) w = gen.uniform(-1.5f, 1.5f);
    }
  }
}

TEST(CachedBlock, EveryKindEqualsItsFullForward) {
  struct Case {
    const char* name;
    BlockKind kind;
    bool projection;
  };
  for (const Case& k : {Case{"plain (v6)", BlockKind::plain, false},
                        Case{"residual (v7)", BlockKind::residual, false},
                        Case{"residual + W^O (v8)", BlockKind::residual, true},
                        Case{"prenorm (v9+)", BlockKind::prenorm, true}}) {
    BG_TRACE(k.name);
    BlockConfig config;
    config.n_embed = 8;
    config.n_head = 2;
    config.block_size = 6;
    config.kind = k.kind;
    config.projection = k.projection;
    Generator gen(6);
    Block block(config, gen);
    randomise_norms(block, gen);
    block.eval();
    const Tensor x = randn({1, 6, 8}, gen);
    NoGradGuard no_grad;
    const Tensor full = block(x);
    std::vector<HeadCache> caches(2, HeadCache(4, 6));
    expect_pieces_match(x, full, {1, 2, 1, 1, 1},
                        [&](const Tensor& rows) { return forward_cached(block, rows, caches); });
  }
}

TEST(CachedBlock, DropoutBlockInEvalModeIsDeterministic) {
  // v10's block: dropout 0.5 everywhere, eval mode: the cached rows equal the full forward,
  // which has no dropout in eval mode either.
  BlockConfig config;
  config.n_embed = 8;
  config.n_head = 2;
  config.block_size = 4;
  config.kind = BlockKind::prenorm;
  config.projection = true;
  config.dropout = 0.5f;
  Generator gen(7);
  Block block(config, gen);
  block.eval();
  const Tensor x = randn({1, 4, 8}, gen);
  NoGradGuard no_grad;
  const Tensor full = block(x);
  std::vector<HeadCache> caches(2, HeadCache(4, 4));
  expect_pieces_match(x, full, {1, 1, 1, 1},
                      [&](const Tensor& rows) { return forward_cached(block, rows, caches); });
}

}  // namespace
}  // namespace bg
