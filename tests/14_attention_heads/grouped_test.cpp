// Lesson 14, exercises 3-5: grouped-query attention (bg/grouped_attention.h): one key/value
// head copied for a group of query heads (bg::repeat_kv), the attention built on it
// (bg::GroupedQueryAttention::forward) and the same attention with a KV cache of K heads
// (bg::forward_cached).
//   exercise 3: ctest -L lesson14 -R RepeatKv
//   exercise 4: ctest -L lesson14 -R GroupedQueryAttention
//   exercise 5: ctest -L lesson14 -R CachedGrouped
// (or build/lesson14_exercises --gtest_filter='RepeatKv.*', and so on).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bg/attention.h"
#include "bg/autograd.h"
#include "bg/blocks.h"
#include "bg/data.h"
#include "bg/grouped_attention.h"
#include "bg/kv_cache.h"
#include "bg/models.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"
#include "golden.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

// ============================================================ exercise 3: repeat_kv

TEST(RepeatKv, CopiesEachHeadIntoTheHeadsOfItsGroup) {
  // two rows of K = 2 heads of size 2, each head used by n_rep = 3 query heads
  const Tensor x = tensor({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4});
  const Tensor y = repeat_kv(x, 2, 3);
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  EXPECT_EQ(y.tolist(), (std::vector<float>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,  //
                                            5, 6, 5, 6, 5, 6, 7, 8, 7, 8, 7, 8}))
      << "head g must fill heads g·n_rep … g·n_rep+n_rep-1 (query head h reads head h / n_rep), "
         "not heads g, g+K, … (that would be h % K)";
}

TEST(RepeatKv, EveryLeadingShapeAndEveryGroupSize) {
  // (B, T, K·hs) = (2, 3, 6): y[..., (g·n_rep + r)·hs + i] = x[..., g·hs + i]
  const Tensor x = randn({2, 3, 6});
  for (const int64_t K : {1, 2, 3, 6}) {
    for (const int64_t n_rep : {2, 3}) {
      BG_TRACE("n_kv_head " + std::to_string(K) + ", n_rep " + std::to_string(n_rep));
      const int64_t hs = 6 / K, width = K * n_rep * hs;
      const Tensor y = repeat_kv(x, K, n_rep);
      ASSERT_EQ(y.shape(), (Shape{2, 3, width}));
      for (int64_t row = 0; row < 6; ++row)
        for (int64_t g = 0; g < K; ++g)
          for (int64_t r = 0; r < n_rep; ++r)
            for (int64_t i = 0; i < hs; ++i) {
              ASSERT_EQ(y.data()[static_cast<size_t>(row * width + (g * n_rep + r) * hs + i)],
                        x.data()[static_cast<size_t>(row * 6 + g * hs + i)])
                  << "row " << row << ", head " << g << ", copy " << r << ", channel " << i;
            }
    }
  }
}

TEST(RepeatKv, OneRepetitionIsXItself) {
  // every head its own (K = n_head): nothing to copy, and no new node in the graph
  const Tensor x = randn({2, 3, 4}).requires_grad_();
  for (const int64_t K : {1, 2, 4}) {
    BG_TRACE("n_kv_head " + std::to_string(K));
    const Tensor y = repeat_kv(x, K, 1);
    EXPECT_EQ(y.node_ptr(), x.node_ptr()) << "repeat_kv(x, K, 1) must return x itself";
  }
}

TEST(RepeatKv, GradientOfEachHeadIsTheSumOfItsCopies) {
  // x (1, 4): heads [x0 x1] and [x2 x3], each copied 3 times; upstream 1 … 12
  Tensor x = zeros({1, 4}, true);
  repeat_kv(x, 2, 3).backward(tensor({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {1, 12}));
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{1 + 3 + 5, 2 + 4 + 6, 7 + 9 + 11, 8 + 10 + 12}));
}

TEST(RepeatKv, GradientsAddUpWithTheRestOfTheGraph) {
  // x used twice: its own gradient (1 each) plus the sum of the 2 copies
  Tensor x = tensor({1, 2, 3, 4}, {1, 2, 2}).requires_grad_();
  add(sum(repeat_kv(x, 1, 2)), sum(x)).backward();
  EXPECT_EQ(x.grad().tolist(), (std::vector<float>{3, 3, 3, 3}));
}

TEST(RepeatKv, CopiesAreSummedInOrder) {
  // One head of one value copied 3 times, upstream [1, 1e8, -1e8]. Added in float in the order
  // r = 0, 1, 2: (1 + 1e8) rounds to 1e8, then -1e8 leaves 0. Another order (2, 1, 0, or the
  // sum in double) gives 1: the bits would depend on how the loop was written.
  Tensor x = zeros({1, 1}, true);
  repeat_kv(x, 1, 3).backward(tensor({1.0f, 1e8f, -1e8f}, {1, 3}));
  EXPECT_EQ(x.grad().item(), 0.0f)
      << "the copies' gradients must be added in float, copy 0 first, then 1, 2, …";
}

TEST(RepeatKv, GradcheckEveryGroupSize) {
  const Tensor x = randn({2, 3, 4}).requires_grad_();
  for (const std::pair<int64_t, int64_t>& sizes :
       std::vector<std::pair<int64_t, int64_t>>{{1, 4}, {2, 2}, {2, 3}, {4, 2}, {2, 1}}) {
    const int64_t K = sizes.first, n_rep = sizes.second;
    const std::string name =
        "repeat_kv(x, " + std::to_string(K) + ", " + std::to_string(n_rep) + ")";
    BG_TRACE(name);
    EXPECT_TRUE(GradOk(
        name, [K, n_rep](const std::vector<Tensor>& in) { return repeat_kv(in[0], K, n_rep); },
        {x}));
  }
}

TEST(RepeatKv, BadSizesSayWhatIsWrong) {
  const Tensor x = zeros({2, 6});
  EXPECT_BG_ERROR(repeat_kv(x, 0, 2), "repeat_kv", "[2, 6]");  // no key/value head
  EXPECT_BG_ERROR(repeat_kv(x, -2, 2), "repeat_kv", "[2, 6]", "-2");
  EXPECT_BG_ERROR(repeat_kv(x, 2, 0), "repeat_kv", "[2, 6]");  // no copy
  EXPECT_BG_ERROR(repeat_kv(x, 2, -3), "repeat_kv", "[2, 6]", "-3");
  EXPECT_BG_ERROR(repeat_kv(x, 4, 2), "repeat_kv", "[2, 6]", "4");  // 6 columns, 4 heads
  EXPECT_BG_ERROR(repeat_kv(zeros({3, 5, 7}), 2, 2), "repeat_kv", "[3, 5, 7]");
  EXPECT_BG_ERROR(repeat_kv(scalar(1.0f), 1, 2), "repeat_kv", "[]");  // no last dimension
}

// ============================================================ exercise 4: the attention

// The parameters of `m` filled as tests/support/golden_model.h fills the tiny models: element i
// of the k-th parameter in named_parameters() order is ((7i + 5k + 3) mod 17 - 8) / 16.
void fill_parameters(Module& m) {
  int k = 0;
  for (auto& [name, p] : m.named_parameters()) {
    int i = 0;
    for (float& v : p.data()) v = static_cast<float>((7 * i++ + 5 * k + 3) % 17 - 8) / 16.0f;
    ++k;
  }
}

// A (shape) tensor whose element i is ((a·i + b) mod m - c) / d: exact in float.
Tensor pattern(const Shape& shape, int a, int b, int m, int c, float d) {
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>((a * static_cast<int>(i) + b) % m - c) / d;
  }
  return tensor(v, shape);
}

// Copies the values of `from` to `to` onwards.
void copy_values(const Tensor& from, std::span<float>::iterator to) {
  std::copy(from.data().begin(), from.data().end(), to);
}

// Lesson 10's attention (a list of heads, then W^O) holding the weights of `g`: head h's key
// and value are g's key/value head h / n_rep, its query g's query rows h·hs …. It computes the
// function grouped-query attention computes, one head at a time.
std::unique_ptr<ProjectedAttention> as_list_of_heads(const GroupedQueryAttention& g) {
  auto pa = std::make_unique<ProjectedAttention>(g.n_embed(), g.n_head(), g.block_size());
  const int64_t C = g.n_embed(), hs = g.head_size();
  for (int64_t h = 0; h < g.n_head(); ++h) {
    Head& head = *pa->heads[static_cast<size_t>(h)];
    const int64_t kv = h / g.n_rep();
    const auto rows = [&](const Linear& from, int64_t first, Linear& to) {
      std::copy_n(from.weight.data().begin() + first * hs * C, hs * C, to.weight.data().begin());
    };
    rows(g.key, kv, head.key);
    rows(g.query, h, head.query);
    rows(g.value, kv, head.value);
  }
  copy_values(g.proj.weight, pa->proj.weight.data().begin());
  copy_values(g.proj.bias, pa->proj.bias.data().begin());
  return pa;
}

// The other way round: grouped-query attention with K = n_head holding `pa`'s weights, head h's
// (hs, C) weights stacked into rows h·hs … of each fused projection (as
// FusedMultiHeadAttention::load_from stacks them).
std::unique_ptr<GroupedQueryAttention> from_list_of_heads(const ProjectedAttention& pa) {
  auto g = std::make_unique<GroupedQueryAttention>(pa.n_embed(), pa.n_head(), pa.n_head(),
                                                   pa.block_size());
  const int64_t block = pa.head_size() * pa.n_embed();
  for (int64_t h = 0; h < pa.n_head(); ++h) {
    const Head& head = *pa.heads[static_cast<size_t>(h)];
    copy_values(head.key.weight, g->key.weight.data().begin() + h * block);
    copy_values(head.query.weight, g->query.weight.data().begin() + h * block);
    copy_values(head.value.weight, g->value.weight.data().begin() + h * block);
  }
  copy_values(pa.proj.weight, g->proj.weight.data().begin());
  copy_values(pa.proj.bias, g->proj.bias.data().begin());
  return g;
}

TEST(GroupedQueryAttention, WithAKeyValueHeadPerHeadItIsLesson10sAttentionBitForBit) {
  // K = n_head: no sharing, so the module must compute lesson 10's function. Bit for bit with
  // lesson 08's fused attention followed by W^O (the same products, read where the heads lie),
  // and with lesson 10's list of heads too: its per-head products sum in the same order.
  Generator gen(21);
  // (n_embed, n_head, block_size): small, and large enough for the matrix products' blocking
  for (const auto& [C, nh, block] : std::vector<std::array<int64_t, 3>>{{12, 3, 6}, {96, 6, 40}}) {
    ProjectedAttention pa(C, nh, block, gen);
    const auto g = from_list_of_heads(pa);
    FusedMultiHeadAttention fused(C, nh, block);
    fused.load_from(pa);
    for (const int64_t T : {int64_t{1}, block - 2, block}) {
      BG_TRACE("n_embed " + std::to_string(C) + ", T = " + std::to_string(T));
      const Tensor x = randn({2, T, C}, gen);
      const Tensor out = g->forward(x);
      ASSERT_EQ(out.shape(), (Shape{2, T, C}));
      EXPECT_TRUE(AllClose(out, pa.proj(fused(x)), 0.0, 0.0))
          << "K = n_head must give lesson 08's fused attention + W^O, bit for bit";
      EXPECT_TRUE(AllClose(out, pa.forward(x), 0.0, 0.0))
          << "K = n_head must give lesson 10's attention, bit for bit";
    }
  }
}

TEST(GroupedQueryAttention, EqualsAListOfHeadsWhoseGroupsShareKeysAndValues) {
  // 4 query heads, 2 key/value heads: heads 0 and 1 read key/value head 0, heads 2 and 3 head 1.
  Generator gen(22);
  GroupedQueryAttention g(16, 4, 2, 5, gen);
  const auto pa = as_list_of_heads(g);
  const Tensor x = randn({2, 5, 16}, gen);
  EXPECT_TRUE(AllClose(g.forward(x), pa->forward(x), 1e-6, 1e-6))
      << "query head h must read key/value head h / n_rep (h / 2 here)";
  // multi-query attention: every head reads the one key/value head
  GroupedQueryAttention mqa(16, 4, 1, 5, gen);
  EXPECT_TRUE(AllClose(mqa.forward(x), as_list_of_heads(mqa)->forward(x), 1e-6, 1e-6));
}

// PyTorch's numbers: tests/golden/data/grouped_attention.safetensors, made by
// tests/golden/gpt_golden.py --grouped-attention: n_embed 8, 4 heads, 2 key/value heads, block 4,
// the parameters filled as fill_parameters does, x (2, 4, 8) with element i
// ((5i + 2) mod 13 - 6) / 8 and loss = sum(out · w), w (2, 4, 8) with element i
// ((3i + 1) mod 7 - 3) / 4.
TEST(GroupedQueryAttention, MatchesPyTorchWithTwoKeyValueHeadsForFourHeads) {
  const testing::GoldenFile& golden = testing::golden_file("grouped_attention");
  GroupedQueryAttention g(8, 4, 2, 4);
  fill_parameters(g);
  const Tensor x = pattern({2, 4, 8}, 5, 2, 13, 6, 8.0f).requires_grad_();
  std::vector<Tensor> weights;
  const Tensor out = g.forward(x, &weights);
  ASSERT_TRUE(AllClose(out, golden.values("out"), 1e-5, 1e-5))
      << "the forward pass differs from PyTorch's; the gradients are not checked until it matches";
  // the weights of query head h: wei[:, h] of PyTorch's (B, nh, T, T)
  ASSERT_EQ(weights.size(), 4u);
  const std::vector<float>& wei = golden.values("wei");
  for (size_t h = 0; h < 4; ++h) {
    BG_TRACE("head " + std::to_string(h));
    std::vector<float> expected;
    for (size_t b = 0; b < 2; ++b) {
      const auto from = wei.begin() + static_cast<std::ptrdiff_t>((b * 4 + h) * 16);
      expected.insert(expected.end(), from, from + 16);
    }
    EXPECT_EQ(weights[h].shape(), (Shape{2, 4, 4}));
    EXPECT_TRUE(AllClose(weights[h], expected, 1e-6, 1e-5));
  }
  sum(mul(out, pattern({2, 4, 8}, 3, 1, 7, 3, 4.0f))).backward();
  EXPECT_TRUE(AllClose(x.grad(), golden.values("x.grad"), 1e-5, 1e-4)) << "d loss / d x";
  for (const auto& [name, p] : g.named_parameters()) {
    BG_TRACE(name);
    EXPECT_TRUE(AllClose(p.grad(), golden.values("grad." + name), 1e-5, 1e-4))
        << "the gradient of " << name << " differs from PyTorch's";
  }
}

TEST(GroupedQueryAttention, GradcheckXAndEveryWeight) {
  Generator gen(23);
  for (const int64_t K : {1, 2, 4}) {
    BG_TRACE("n_kv_head " + std::to_string(K));
    GroupedQueryAttention g(8, 4, K, 5, gen);
    const Tensor x = randn({2, 5, 8}, gen).requires_grad_();
    const Tensor wk = g.key.weight, wq = g.query.weight, wv = g.value.weight;
    const Tensor wo = g.proj.weight, bo = g.proj.bias;
    // the checked copies plugged in as the weights the forward pass reads
    const auto f = [&g](const std::vector<Tensor>& in) {
      g.key.weight = in[1];
      g.query.weight = in[2];
      g.value.weight = in[3];
      g.proj.weight = in[4];
      g.proj.bias = in[5];
      return g.forward(in[0]);
    };
    EXPECT_TRUE(GradOk("GroupedQueryAttention, x", f,
                       {x, wk.detach(), wq.detach(), wv.detach(), wo.detach(), bo.detach()}));
    EXPECT_TRUE(GradOk("GroupedQueryAttention, weights", f, {x.detach(), wk, wq, wv, wo, bo}));
  }
}

TEST(GroupedQueryAttention, EachQueryHeadHasItsWeightsAndAGroupSharesItsKeys) {
  Generator gen(24);
  GroupedQueryAttention g(12, 4, 2, 6, gen);  // hs 3; heads 0, 1 -> kv 0; heads 2, 3 -> kv 1
  const Tensor x = randn({2, 6, 12}, gen);
  std::vector<Tensor> weights;
  (void)g.forward(x, &weights);
  ASSERT_EQ(weights.size(), 4u) << "one (B, T, T) tensor per QUERY head";
  for (size_t h = 0; h < 4; ++h) {
    BG_TRACE("head " + std::to_string(h));
    ASSERT_EQ(weights[h].shape(), (Shape{2, 6, 6}));
    EXPECT_FALSE(weights[h].requires_grad()) << "the pictures' weights hold no graph";
    // lesson 07's Head with query head h and key/value head h / 2 gives the same weights
    Head head(12, 3, 6);
    const auto copy_rows = [](const Linear& from, int64_t first, Linear& to) {
      std::copy_n(from.weight.data().begin() + first * 36, 36, to.weight.data().begin());
    };
    copy_rows(g.key, static_cast<int64_t>(h / 2), head.key);
    copy_rows(g.query, static_cast<int64_t>(h), head.query);
    copy_rows(g.value, static_cast<int64_t>(h / 2), head.value);
    Tensor expected;
    (void)head.forward(x, &expected);
    EXPECT_TRUE(AllClose(weights[h], expected, 1e-6, 1e-6));
  }
  // Give heads 1 (same group as 0) and 2 (the other group) head 0's query: head 1 reads the
  // same keys as head 0, so its weights become head 0's; head 2 reads other keys.
  const int64_t rows = 3 * 12;
  std::copy_n(g.query.weight.data().begin(), rows, g.query.weight.data().begin() + rows);
  std::copy_n(g.query.weight.data().begin(), rows, g.query.weight.data().begin() + 2 * rows);
  (void)g.forward(x, &weights);
  EXPECT_TRUE(AllClose(weights[1], weights[0], 0.0, 0.0))
      << "heads 0 and 1 share key head 0: the same query must give the same weights";
  EXPECT_FALSE(AllClose(weights[2], weights[0], 1e-3, 0.0))
      << "head 2 must read key head 1, not key head 0";
}

TEST(GroupedQueryAttention, BadInputShapesSayWhatIsWrong) {
  GroupedQueryAttention g(8, 4, 2, 4);
  EXPECT_BG_ERROR(g.forward(zeros({2, 5, 8})), "[2, 5, 8]", "4");  // T > block_size
  EXPECT_BG_ERROR(g.forward(zeros({2, 4, 6})), "[2, 4, 6]", "8");  // wrong C
  EXPECT_BG_ERROR(g.forward(zeros({4, 8})), "[4, 8]");             // not (B, T, C)
  EXPECT_BG_ERROR(g.forward(zeros({1, 2, 4, 8})), "[1, 2, 4, 8]");
}

TEST(GroupedQueryAttention, DropoutChangesTheOutputInTrainingModeOnly) {
  Generator gen(25);
  GroupedQueryAttention g(8, 4, 2, 5, gen, 0.5f);
  GroupedQueryAttention plain(8, 4, 2, 5, gen);  // dropout 0, the same weights
  const auto from = g.named_parameters();
  auto to = plain.named_parameters();
  for (size_t k = 0; k < from.size(); ++k) {
    copy_values(from[k].second, to[k].second.data().begin());
  }
  const Tensor x = randn({2, 5, 8}, gen);
  const Tensor reference = plain.forward(x);
  manual_seed(3);
  const Tensor trained = g.forward(x);  // a fresh module is in training mode
  EXPECT_FALSE(AllClose(trained, reference, 1e-4, 0.0)) << "dropout 0.5 in training mode";
  g.eval();
  EXPECT_TRUE(AllClose(g.forward(x), reference, 0.0, 0.0)) << "eval mode: no dropout at all";
  EXPECT_TRUE(AllClose(g.forward(x), g.forward(x), 0.0, 0.0));
  g.train();
  manual_seed(3);
  EXPECT_TRUE(AllClose(g.forward(x), trained, 0.0, 0.0)) << "the same seed, the same masks";
}

TEST(GroupedQueryAttention, HandsBackTheWeightsAfterAttentionDropout) {
  // As lesson 07's Head does: the weights handed back are the ones the values are mixed with.
  // In training mode with p = 0.5, about half the weights on or below the diagonal are dropped
  // (0) and the rest are doubled; in eval mode every one of them is a softmax value above 0.
  Generator gen(26);
  GroupedQueryAttention g(8, 4, 2, 5, gen, 0.5f);
  const Tensor x = randn({2, 5, 8}, gen);
  const auto dropped = [&] {
    std::vector<Tensor> weights;
    (void)g.forward(x, &weights);
    int zeros = 0;
    for (const Tensor& w : weights) {
      for (int64_t b = 0; b < 2; ++b) {
        for (int64_t t = 0; t < 5; ++t) {
          for (int64_t j = 0; j <= t; ++j) zeros += w.at({b, t, j}) == 0.0f ? 1 : 0;
        }
      }
    }
    return zeros;  // of 4 heads x 2 x 15 = 120
  };
  manual_seed(4);
  const int in_training = dropped();
  EXPECT_GT(in_training, 20) << "training mode: the weights after attn_drop, some of them 0";
  EXPECT_LT(in_training, 100);
  g.eval();
  EXPECT_EQ(dropped(), 0) << "eval mode: no weight is dropped";
}

// ============================================================ exercise 5: with a KV cache

// The rows start … start+n-1 of x (1, T, C).
Tensor rows(const Tensor& x, int64_t start, int64_t n) { return narrow(x, 1, start, n); }

std::vector<HeadCache> empty_caches(const GroupedQueryAttention& g, int64_t capacity) {
  return std::vector<HeadCache>(static_cast<size_t>(g.n_kv_head()),
                                HeadCache(g.head_size(), capacity));
}

TEST(CachedGrouped, PiecesGiveTheUncachedRows) {
  Generator gen(31);
  for (const int64_t K : {1, 2, 4}) {
    BG_TRACE("n_kv_head " + std::to_string(K));
    GroupedQueryAttention g(12, 4, K, 6, gen);
    g.eval();
    const Tensor x = randn({1, 5, 12}, gen);
    std::vector<HeadCache> caches = empty_caches(g, 6);
    std::vector<Tensor> pieces;
    for (int64_t at = 0; const int64_t n : {2, 1, 1, 1}) {
      pieces.push_back(forward_cached(g, rows(x, at, n), caches));
      at += n;
      for (const HeadCache& c : caches) EXPECT_EQ(c.len, at);
    }
    const Tensor full = g.forward(x);  // the uncached attention on all 5 rows
    for (int64_t at = 0; const Tensor& piece : pieces) {
      const int64_t n = piece.size(1);
      BG_TRACE("rows " + std::to_string(at) + " … " + std::to_string(at + n - 1));
      ASSERT_EQ(piece.shape(), (Shape{1, n, 12}));
      EXPECT_TRUE(AllClose(piece, rows(full, at, n), 1e-5, 1e-5));
      at += n;
    }
  }
}

TEST(CachedGrouped, TheCachesHoldTheKeyValueHeadsOnly) {
  Generator gen(32);
  GroupedQueryAttention g(12, 4, 2, 6, gen);  // hs 3
  g.eval();
  const Tensor x = randn({1, 4, 12}, gen);
  std::vector<HeadCache> caches = empty_caches(g, 6);
  (void)forward_cached(g, rows(x, 0, 3), caches);
  (void)forward_cached(g, rows(x, 3, 1), caches);
  NoGradGuard no_grad;
  const Tensor k = g.key(x), v = g.value(x);  // (1, 4, 6): key/value head g in columns 3g …
  for (int64_t kv = 0; kv < 2; ++kv) {
    BG_TRACE("key/value head " + std::to_string(kv));
    const HeadCache& c = caches[static_cast<size_t>(kv)];
    EXPECT_EQ(c.len, 4);
    EXPECT_EQ(c.head_size, 3);
    EXPECT_TRUE(AllClose(narrow(tensor(c.k, {1, 6, 3}), 1, 0, 4), narrow(k, 2, kv * 3, 3), 0, 0))
        << "row t of cache g holds the keys of position t, head g (columns g·hs … of key(x))";
    EXPECT_TRUE(AllClose(narrow(tensor(c.v, {1, 6, 3}), 1, 0, 4), narrow(v, 2, kv * 3, 3), 0, 0));
  }
}

TEST(CachedGrouped, RejectsBadInput) {
  GroupedQueryAttention g(12, 4, 2, 6);  // 2 key/value heads of 3
  g.eval();
  const Tensor x = randn({1, 2, 12});
  std::vector<HeadCache> per_query_head(4, HeadCache(3, 6));
  EXPECT_BG_ERROR(forward_cached(g, x, per_query_head), "2", "4");  // one cache per query head
  std::vector<HeadCache> one(1, HeadCache(3, 6));
  EXPECT_BG_ERROR(forward_cached(g, x, one), "2", "1");
  std::vector<HeadCache> wrong_size(2, HeadCache(4, 6));
  EXPECT_BG_ERROR(forward_cached(g, x, wrong_size), "4", "3");  // rows of 4, heads of 3
  std::vector<HeadCache> small(2, HeadCache(3, 3));
  (void)forward_cached(g, x, small);                  // 2 of 3 rows
  EXPECT_BG_ERROR(forward_cached(g, x, small), "3");  // no room for 2 more
  EXPECT_EQ(small[0].len, 2) << "a refused call must leave the cache as it was";
  std::vector<HeadCache> caches(2, HeadCache(3, 6));
  EXPECT_BG_ERROR(forward_cached(g, zeros({2, 1, 12}), caches), "[2, 1, 12]");  // B = 2
  EXPECT_BG_ERROR(forward_cached(g, zeros({1, 1, 8}), caches), "[1, 1, 8]");    // wrong C
  EXPECT_BG_ERROR(forward_cached(g, zeros({1, 12}), caches), "[1, 12]");
}

// A tiny v9 with grouped-query attention and random weights, in eval mode: vocabulary 11,
// block 5, n_embed 8, 4 heads, 2 layers.
constexpr int64_t kVocab = 11;
constexpr int64_t kBlock = 5;

std::unique_ptr<LanguageModel> tiny_grouped(int64_t n_kv_head, uint64_t seed) {
  ModelConfig c;
  c.model = "v9";
  c.vocab_size = kVocab;
  c.block_size = kBlock;
  c.n_embed = 8;
  c.n_head = 4;
  c.n_layer = 2;
  c.n_kv_head = n_kv_head;
  Generator gen(seed);
  auto m = make_model(c, gen);
  // LayerNorms start as (1, 0): give them other values so that a norm in the wrong place shows
  for (auto& [name, p] : m->named_parameters()) {
    if (name.find("ln") != std::string::npos) {
      for (float& w : p.data()) w = gen.uniform(-1.5f, 1.5f);
    }
  }
  m->eval();
  return m;
}

// The uncached logits of the token after `context`: the last row of the model on the last
// block_size tokens, as bg::generate computes them.
std::vector<float> uncached(const LanguageModel& model, std::span<const int32_t> context) {
  NoGradGuard no_grad;
  const std::vector<int32_t> idx = crop_context(context, model.config().block_size);
  const auto T = static_cast<int64_t>(idx.size());
  return narrow(model.forward(idx, 1, T), 1, T - 1, 1).tolist();
}

TEST(CachedGrouped, AWholeModelGivesTheUncachedLogitsAndTokens) {
  std::vector<int32_t> tokens;
  Generator draw(33);
  for (int i = 0; i < 3 * kBlock; ++i) tokens.push_back(static_cast<int32_t>(draw.randint(kVocab)));
  for (const int64_t K : {1, 2}) {
    BG_TRACE("v9, 4 heads, n_kv_head " + std::to_string(K));
    const auto model = tiny_grouped(K, 34);
    KVCache cache(*model);
    ASSERT_EQ(cache.layers.size(), 2u);
    for (const auto& layer : cache.layers) {
      EXPECT_EQ(layer.size(), static_cast<size_t>(K)) << "one cache per key/value head";
    }
    // token after token, past block_size (the window slides and the cache is rebuilt)
    for (size_t t = 1; t <= tokens.size(); ++t) {
      BG_TRACE(std::to_string(t) + " tokens");
      const auto context = std::span<const int32_t>(tokens).first(t);
      const Tensor cached = next_logits(*model, context, cache);
      EXPECT_TRUE(AllClose(cached, uncached(*model, context)));
    }
    SampleOptions o;
    o.max_new_tokens = 3 * kBlock;
    Generator g1(6), g2(6);
    const std::vector<int32_t> cached = generate_cached(*model, {2, 7, 1}, o, g1);
    EXPECT_EQ(cached, generate(*model, {2, 7, 1}, o, g2));
  }
}

}  // namespace
}  // namespace bg
