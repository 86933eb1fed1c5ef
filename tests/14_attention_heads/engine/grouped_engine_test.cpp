// Lesson 14's engine code around grouped-query attention (bg/grouped_attention.h, bg/models.h,
// bg/kv_cache.h): the module's constructor, its parameters, head_weights, n_kv_head in
// ModelConfig, and the promise that n_kv_head == n_head is today's model, bit for bit.
#include "bg/grouped_attention.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "bg/blocks.h"
#include "bg/kv_cache.h"
#include "bg/models.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;

TEST(GroupedModule, RefusesBadSizes) {
  for (const std::array<int64_t, 4>& sizes : std::vector<std::array<int64_t, 4>>{
           {0, 4, 2, 8}, {8, 0, 2, 8}, {8, 4, 0, 8}, {8, 4, -2, 8}, {8, 4, 2, 0}}) {
    const int64_t C = sizes[0], nh = sizes[1], K = sizes[2], block = sizes[3];
    BG_TRACE("n_embed " + std::to_string(C) + ", n_head " + std::to_string(nh) + ", n_kv_head " +
             std::to_string(K) + ", block_size " + std::to_string(block));
    const std::string kv = "n_kv_head " + std::to_string(K);  // the message shows every size
    EXPECT_BG_ERROR(GroupedQueryAttention(C, nh, K, block), "GroupedQueryAttention", "positive",
                    kv.c_str());
  }
  EXPECT_BG_ERROR(GroupedQueryAttention(10, 4, 2, 8), "n_embed 10", "n_head 4");
  EXPECT_BG_ERROR(GroupedQueryAttention(12, 4, 3, 8), "n_head 4 is not divisible by n_kv_head 3");
  EXPECT_BG_ERROR(GroupedQueryAttention(12, 2, 4, 8), "n_head 2 is not divisible by n_kv_head 4");
  EXPECT_BG_ERROR(GroupedQueryAttention(8, 4, 2, 8, default_generator(), 1.5f));  // dropout
}

TEST(GroupedModule, ParametersAreNamedAndShapedAsThePyTorchTwin) {
  GroupedQueryAttention g(12, 6, 2, 8);  // hs 2, n_rep 3
  EXPECT_EQ(g.n_embed(), 12);
  EXPECT_EQ(g.n_head(), 6);
  EXPECT_EQ(g.n_kv_head(), 2);
  EXPECT_EQ(g.n_rep(), 3);
  EXPECT_EQ(g.head_size(), 2);
  EXPECT_EQ(g.block_size(), 8);
  EXPECT_EQ(g.proj.n_head(), 6) << "W^O gates the query heads";
  const auto named = g.named_parameters();
  const std::vector<std::pair<std::string, Shape>> expected = {{"key.weight", {4, 12}},
                                                               {"query.weight", {12, 12}},
                                                               {"value.weight", {4, 12}},
                                                               {"proj.weight", {12, 12}},
                                                               {"proj.bias", {12}}};
  ASSERT_EQ(named.size(), expected.size());
  for (size_t k = 0; k < named.size(); ++k) {
    EXPECT_EQ(named[k].first, expected[k].first);
    EXPECT_EQ(named[k].second.shape(), expected[k].second) << named[k].first;
    EXPECT_TRUE(named[k].second.requires_grad()) << named[k].first;
  }
  EXPECT_EQ(g.num_parameters(), 4 * 12 + 144 + 4 * 12 + 144 + 12);
}

TEST(GroupedModule, DrawsKeyQueryValueThenProjFromTheGenerator) {
  Generator a(7), b(7);
  GroupedQueryAttention g(8, 4, 2, 4, a);
  Linear key(8, 4, false, b), query(8, 8, false, b), value(8, 4, false, b);
  HeadProjection proj(8, 4, b);
  EXPECT_EQ(g.key.weight.tolist(), key.weight.tolist());
  EXPECT_EQ(g.query.weight.tolist(), query.weight.tolist());
  EXPECT_EQ(g.value.weight.tolist(), value.weight.tolist());
  EXPECT_EQ(g.proj.weight.tolist(), proj.weight.tolist());
  EXPECT_EQ(g.proj.bias.tolist(), proj.bias.tolist());
  EXPECT_EQ(a.next_u32(), b.next_u32()) << "nothing else is drawn";
}

TEST(GroupedModule, DropoutIsSetOnBothDropouts) {
  GroupedQueryAttention g(8, 4, 2, 4, default_generator(), 0.25f);
  EXPECT_EQ(g.attn_drop.p(), 0.25f);
  EXPECT_EQ(g.drop.p(), 0.25f);
}

TEST(HeadWeights, CutsTheHeadsApartWithoutAGraph) {
  const Tensor wei = randn({2, 3, 4, 4}).requires_grad_();
  const std::vector<Tensor> heads = head_weights(wei);
  ASSERT_EQ(heads.size(), 3u);
  for (int64_t h = 0; h < 3; ++h) {
    BG_TRACE("head " + std::to_string(h));
    const Tensor& w = heads[static_cast<size_t>(h)];
    ASSERT_EQ(w.shape(), (Shape{2, 4, 4}));
    EXPECT_FALSE(w.requires_grad());
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 4; ++j) EXPECT_EQ(w.at({b, i, j}), wei.at({b, h, i, j}));
  }
  EXPECT_BG_ERROR(head_weights(zeros({3, 4, 4})), "head_weights", "[3, 4, 4]");
  EXPECT_BG_ERROR(head_weights(zeros({1, 2, 3, 4})), "head_weights", "[1, 2, 3, 4]");
}

ModelConfig config(const std::string& model, int64_t n_head, int64_t n_kv_head) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = 11;
  c.block_size = 6;
  c.n_embed = 12;
  c.n_head = n_head;
  c.n_layer = 2;
  c.n_kv_head = n_kv_head;
  c.dropout = c.has_dropout() ? 0.1f : 0.0f;
  return c;
}

TEST(GroupedConfig, OnlyVersionsWithWOShareKeyValueHeads) {
  for (const char* v : {"v1", "v2", "v3", "v4", "v5", "v6", "v7"}) {
    BG_TRACE(v);
    EXPECT_BG_ERROR(config(v, 4, 2).validate(), "n_kv_head", v, "v8, v9, v10, v11");
    Generator gen(1);
    EXPECT_BG_ERROR(make_model(config(v, 4, 2), gen), "n_kv_head");
    EXPECT_NO_THROW(config(v, 4, 0).validate());
  }
  for (const char* v : {"v8", "v9", "v10", "v11"}) {
    BG_TRACE(v);
    for (const int64_t K : {0, 1, 2, 4}) EXPECT_NO_THROW(config(v, 4, K).validate()) << K;
  }
}

TEST(GroupedConfig, NKvHeadMustDivideNHead) {
  EXPECT_BG_ERROR(config("v9", 4, 3).validate(), "n_head 4 is not divisible by n_kv_head 3");
  EXPECT_BG_ERROR(config("v9", 4, 8).validate(), "n_head 4 is not divisible by n_kv_head 8");
  EXPECT_BG_ERROR(config("v9", 4, -1).validate(), "n_kv_head", "-1");
  Generator gen(1);
  EXPECT_BG_ERROR(make_model(config("v10", 6, 4), gen), "n_kv_head 4");
  BlockConfig bc;  // a block without W^O cannot hold grouped-query attention
  bc.n_embed = 8;
  bc.n_head = 4;
  bc.n_kv_head = 2;
  EXPECT_BG_ERROR(Block(bc, gen), "n_kv_head 2", "W^O");
}

TEST(GroupedConfig, KvHeadsAndGrouped) {
  EXPECT_EQ(config("v9", 4, 0).kv_heads(), 4);
  EXPECT_FALSE(config("v9", 4, 0).grouped());
  EXPECT_FALSE(config("v9", 4, 4).grouped());
  EXPECT_EQ(config("v9", 4, 2).kv_heads(), 2);
  EXPECT_TRUE(config("v9", 4, 2).grouped());
}

TEST(GroupedConfig, AsManyKeyValueHeadsAsHeadsIsTodaysModelBitForBit) {
  // n_kv_head = n_head builds the course's model: the same parameters, drawn in the same order,
  // so the same seed gives the same values and the same logits as n_kv_head unset.
  const std::vector<int32_t> idx = {1, 5, 10, 5, 0, 3, 3, 7, 2, 9, 4, 6};
  for (const char* v : {"v8", "v9", "v10", "v11"}) {
    BG_TRACE(v);
    Generator g1(5), g2(5);
    const auto today = make_model(config(v, 4, 0), g1);
    const auto same = make_model(config(v, 4, 4), g2);
    const auto a = today->named_parameters(), b = same->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].first, b[k].first);
      EXPECT_EQ(a[k].second.tolist(), b[k].second.tolist()) << a[k].first;
    }
    const auto& gpt = dynamic_cast<const GPT&>(*same);
    for (const auto& block : gpt.blocks->blocks) {
      EXPECT_NE(dynamic_cast<const ProjectedAttention*>(block->sa.get()), nullptr)
          << "n_kv_head == n_head: lesson 10's list of heads with W^O";
    }
    today->eval();
    same->eval();
    EXPECT_TRUE(AllClose(same->forward(idx, 2, 6), today->forward(idx, 2, 6), 0.0, 0.0));
  }
}

TEST(GroupedConfig, AGroupedModelHasGroupedBlocksAndAKvCacheOfKHeads) {
  Generator gen(3);
  const auto m = make_model(config("v9", 4, 2), gen);
  const auto& gpt = dynamic_cast<const GPT&>(*m);
  for (const auto& block : gpt.blocks->blocks) {
    const auto* sa = dynamic_cast<const GroupedQueryAttention*>(block->sa.get());
    ASSERT_NE(sa, nullptr);
    EXPECT_EQ(sa->n_kv_head(), 2);
  }
  EXPECT_EQ(m->named_parameters()[2].first, "blocks.0.sa.key.weight");
  EXPECT_EQ(m->named_parameters()[2].second.shape(), (Shape{6, 12}));
  // key and value of 2 heads instead of 4: 2 · (12 - 6) · 12 parameters fewer per layer
  Generator gen1(3);
  EXPECT_EQ(make_model(config("v9", 4, 0), gen1)->num_parameters() - m->num_parameters(),
            2 * 2 * 6 * 12);
  const KVCache cache(*m);
  ASSERT_EQ(cache.layers.size(), 2u);
  for (const auto& layer : cache.layers) {
    ASSERT_EQ(layer.size(), 2u);
    for (const HeadCache& c : layer) {
      EXPECT_EQ(c.head_size, 3);
      EXPECT_EQ(c.capacity, 6);
    }
  }
  // a cache of the ungrouped model does not fit the grouped one
  Generator gen2(3);
  const auto ungrouped = make_model(config("v9", 4, 0), gen2);
  EXPECT_BG_ERROR(KVCache(*ungrouped).check_fits(m->config()), "n_kv_head 4", "n_kv_head 2");
}

}  // namespace
}  // namespace bg
