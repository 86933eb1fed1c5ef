// Lesson 14's engine code (bg/head_study.h, bg/heads.h): W^O's gates, removing heads of a whole
// model, the head roles over a text and the ablation, checked against the lessons' own pieces
// (evaluate_loss, head_role on each window, the KV cache of lesson 13).
#include "bg/head_study.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/kv_cache.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;

std::unique_ptr<LanguageModel> small_model(const std::string& version = "v11", uint64_t seed = 5) {
  ModelConfig c;
  c.model = version;
  c.vocab_size = 13;
  c.block_size = 6;
  c.n_embed = 12;
  c.n_head = 3;
  c.n_layer = 2;
  c.dropout = c.has_dropout() ? 0.2f : 0.0f;
  Generator gen(seed);
  auto model = make_model(c, gen);
  model->eval();
  return model;
}

std::vector<int32_t> some_text(size_t n) {
  std::vector<int32_t> text;
  Generator gen(9);
  for (size_t i = 0; i < n; ++i) text.push_back(static_cast<int32_t>(gen.randint(13)));
  return text;
}

TEST(HeadProjection, GatesMustHaveOneValuePerHead) {
  HeadProjection proj(12, 3);
  EXPECT_FALSE(proj.has_gates());
  EXPECT_BG_ERROR(proj.set_gates(ones({4})), "3 heads", "[3]", "[4]");
  EXPECT_BG_ERROR(proj.set_gates(ones({3, 1})), "[3, 1]");
  proj.set_gates(ones({3}));
  EXPECT_TRUE(proj.has_gates());
  proj.clear_gates();
  EXPECT_FALSE(proj.has_gates());
}

TEST(HeadProjection, WithoutGatesItIsTheLinear) {
  HeadProjection proj(12, 3);
  const Tensor x = randn({2, 5, 12});
  EXPECT_EQ(proj(x).tolist(), proj.forward(x).tolist());
}

TEST(HeadIds, ParseAndPrint) {
  const std::vector<HeadId> ids = parse_head_ids("0.1,12.3");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], (HeadId{0, 1}));
  EXPECT_EQ(ids[1], (HeadId{12, 3}));
  EXPECT_EQ(to_string(ids[1]), "12.3");
  for (const char* bad : {"", "1", "1.", ".1", "a.b", "1.2,", "1.2.3", "-1.0", "1,2"}) {
    BG_TRACE(std::string("'") + bad + "'");
    EXPECT_BG_ERROR(parse_head_ids(bad), "is not a head", "LAYER.HEAD");
  }
}

TEST(RemoveHeads, OnlyVersionsWithWO) {
  EXPECT_EQ(head_projections(*small_model("v7")).size(), 0u);
  EXPECT_EQ(head_projections(*small_model("v8")).size(), 2u);
  EXPECT_BG_ERROR(remove_heads(*small_model("v7"), {}), "W^O", "comes in v8");
  EXPECT_BG_ERROR(remove_heads(*small_model("v4"), {}), "W^O");
}

TEST(RemoveHeads, NamesAHeadThatDoesNotExist) {
  auto model = small_model();
  const HeadId layer_too_far{2, 0}, head_too_far{0, 3};
  EXPECT_BG_ERROR(remove_heads(*model, std::span(&layer_too_far, 1)), "no head 2.0",
                  "2 layers (0 … 1) of 3 heads (0 … 2)");
  EXPECT_BG_ERROR(remove_heads(*model, std::span(&head_too_far, 1)), "no head 0.3");
}

TEST(RemoveHeads, ZeroesExactlyTheNamedGates) {
  auto model = small_model();
  const std::vector<HeadId> removed{{0, 2}, {1, 0}};
  remove_heads(*model, removed);
  const auto layers = head_projections(*model);
  EXPECT_EQ(layers[0]->gates().tolist(), (std::vector<float>{1, 1, 0}));
  EXPECT_EQ(layers[1]->gates().tolist(), (std::vector<float>{0, 1, 1}));
}

TEST(RemoveHeads, TheKVCacheGivesTheGatedModelsLogits) {
  // lesson 13's cached generation goes through W^O's gates too
  auto model = small_model();
  const std::vector<HeadId> removed{{1, 1}};
  remove_heads(*model, removed);
  const std::vector<int32_t> tokens{3, 1, 4, 1, 5, 9};
  KVCache cache(*model);
  const Tensor cached = next_logits(*model, tokens, cache);
  const Tensor all = model->forward(tokens, 1, 6);  // (1, 6, V)
  std::vector<float> last(all.data().end() - 13, all.data().end());
  EXPECT_TRUE(AllClose(cached, last, 1e-5, 1e-5));
  remove_heads(*model, {});
  KVCache fresh(*model);
  EXPECT_FALSE(AllClose(next_logits(*model, tokens, fresh), last, 1e-5, 1e-5))
      << "removing head 1.1 should have changed the logits";
}

TEST(HeadRoles, AreTheMeansOfEveryWindowsHeadRole) {
  auto model = small_model();
  const std::vector<int32_t> text = some_text(3 * 6 + 2);  // 3 windows, and a tail
  std::vector<bool> vocab_marks(13, false);
  vocab_marks[4] = vocab_marks[7] = true;
  const bool marks[13] = {false, false, false, false, true,  false, false,
                          true,  false, false, false, false, false};
  int64_t calls = 0;
  const std::vector<HeadRole> roles =
      head_roles(*model, text, 6, marks, 0, [&](int64_t done, int64_t total) {
        ++calls;
        EXPECT_EQ(total, 3);
        EXPECT_EQ(done, calls);
      });
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(roles.size(), 6u);  // 2 layers x 3 heads
  std::vector<HeadRole> expected(6);
  for (int w = 0; w < 3; ++w) {
    const std::span<const int32_t> idx(text.data() + w * 6, 6);
    const std::vector<Tensor> maps = model->attention_maps(idx, 6);
    bool window_marks[6];
    for (int t = 0; t < 6; ++t) window_marks[t] = vocab_marks[static_cast<size_t>(idx[t])];
    for (size_t h = 0; h < 6; ++h) {
      const HeadRole r = head_role(maps[h], window_marks);
      expected[h].self += r.self / 3;
      expected[h].punctuation += r.punctuation / 3;
      expected[h].entropy += r.entropy / 3;
    }
  }
  for (size_t h = 0; h < 6; ++h) {
    EXPECT_NEAR(roles[h].self, expected[h].self, 1e-12) << "head " << h;
    EXPECT_NEAR(roles[h].punctuation, expected[h].punctuation, 1e-12) << "head " << h;
    EXPECT_NEAR(roles[h].entropy, expected[h].entropy, 1e-12) << "head " << h;
  }
  // max_windows: the first window alone
  const std::vector<HeadRole> first = head_roles(*model, text, 6, marks, 1);
  const bool first_marks[6] = {
      vocab_marks[static_cast<size_t>(text[0])], vocab_marks[static_cast<size_t>(text[1])],
      vocab_marks[static_cast<size_t>(text[2])], vocab_marks[static_cast<size_t>(text[3])],
      vocab_marks[static_cast<size_t>(text[4])], vocab_marks[static_cast<size_t>(text[5])]};
  EXPECT_NEAR(
      first[4].distance,
      head_role(model->attention_maps(std::span(text.data(), 6), 6)[4], first_marks).distance,
      1e-12);
  EXPECT_BG_ERROR(head_roles(*model, some_text(6), 6, marks), "less than one window");
}

TEST(AblateHeads, EveryLossIsEvaluateLossWithThoseHeadsRemoved) {
  auto model = small_model();
  const std::vector<int32_t> text = some_text(40);
  int64_t last_done = 0;
  const HeadAblation a =
      ablate_heads(*model, text, 6, own_features, [&](int64_t done, int64_t total) {
        EXPECT_EQ(total, 13);
        last_done = done;
      });
  EXPECT_EQ(last_done, 13);
  EXPECT_EQ(a.layers, 2);
  EXPECT_EQ(a.heads_per_layer, 3);
  for (HeadProjection* proj : head_projections(*model)) {
    EXPECT_FALSE(proj->has_gates()) << "the gates must be cleared at the end";
  }
  EXPECT_EQ(a.base_loss, evaluate_loss(*model, text, 6));
  ASSERT_EQ(a.alone.size(), 6u);
  for (int64_t i = 0; i < 6; ++i) {
    const HeadId id{i / 3, i % 3};
    remove_heads(*model, std::span(&id, 1));
    EXPECT_EQ(a.alone[static_cast<size_t>(i)], evaluate_loss(*model, text, 6)) << to_string(id);
  }
  // the order follows the single-head losses
  for (size_t k = 1; k < a.order.size(); ++k) {
    const auto loss_of = [&](const HeadId& id) {
      return a.alone[static_cast<size_t>(id.layer * 3 + id.head)];
    };
    EXPECT_LE(loss_of(a.order[k - 1]), loss_of(a.order[k]));
  }
  remove_heads(*model, std::span(a.order.data(), 3));
  EXPECT_EQ(a.pruned_loss[2], evaluate_loss(*model, text, 6));
  EXPECT_EQ(a.pruned_loss.front(),
            a.alone[static_cast<size_t>(a.order[0].layer * 3 + a.order[0].head)]);
}

TEST(AblateHeads, RemovableCountsTheHeadsWithinTheTolerance) {
  HeadAblation a;
  a.base_loss = 2.0;
  a.pruned_loss = {2.001, 2.01, 2.03, 2.02, 2.2};
  EXPECT_EQ(a.removable(0.0), 0);
  EXPECT_EQ(a.removable(0.02), 2);  // the third goes past +0.02; the fourth does not count
  EXPECT_EQ(a.removable(0.05), 4);
  EXPECT_EQ(a.removable(1.0), 5);
}

}  // namespace
}  // namespace bg
