// The fast engine's grouped-query attention (lesson 14) computes what the course's module
// computes: bg::fast::attend(gqa, x) against GroupedQueryAttention::forward, the same outputs,
// the same gradients for x and every parameter (the head gates' too), the same dropout masks
// drawn from the same seed; the coarse op on its own against finite differences; and whole
// models with fewer key/value heads than heads against their own forward.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "bg/autograd.h"
#include "bg/data.h"
#include "bg/fast/fast_model.h"
#include "bg/fast/ops.h"
#include "bg/grouped_attention.h"
#include "bg/kernels/parallel.h"
#include "bg/models.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;
using fast::attend;
using fast::attention;

// The sizes of one case: x (B, T, C), nh query heads, K key/value heads.
struct Sizes {
  int64_t B, T, C, nh, K;
};

std::string describe(const Sizes& s) {
  return "B " + std::to_string(s.B) + " T " + std::to_string(s.T) + " C " + std::to_string(s.C) +
         " heads " + std::to_string(s.nh) + " kv heads " + std::to_string(s.K);
}

Generator& case_gen() {
  static Generator g(2025);
  return g;
}

// What the dropouts and the gates are set to in a case: {attn_p, proj_p, gated}.
struct Setting {
  float attn_p = 0.0f;  // attn_drop on the attention weights
  float proj_p = 0.0f;  // drop after W^O
  bool gated = false;   // head gates on W^O's input, learning their gradient
};

// The module's forward and the fast engine's attend on the same weights, seed and input: the
// output, dL/dx, every parameter's gradient, the gates' gradient and the next draw of the
// generator agree.
void ExpectSameAsTheModule(const Sizes& s, const Setting& set) {
  BG_TRACE(describe(s) + " attn_drop " + std::to_string(set.attn_p) + " drop " +
           std::to_string(set.proj_p) + (set.gated ? " gated" : ""));
  GroupedQueryAttention gqa(s.C, s.nh, s.K, /*block_size=*/std::max<int64_t>(s.T, 8), case_gen());
  gqa.attn_drop.set_p(set.attn_p);
  gqa.drop.set_p(set.proj_p);
  Tensor gates;
  if (set.gated) {
    std::vector<float> values(static_cast<size_t>(s.nh));
    for (size_t h = 0; h < values.size(); ++h) values[h] = h % 3 == 1 ? 0.0f : 1.0f - 0.2f * h;
    gates = tensor(values, {s.nh}).requires_grad_();
    gqa.proj.set_gates(gates);
  }
  Tensor x = randn({s.B, s.T, s.C}, case_gen()).requires_grad_();
  const Tensor g = randn({s.B, s.T, s.C}, case_gen());
  auto run = [&](bool fast) {
    x.zero_grad();
    for (Tensor& w : gqa.parameters()) w.zero_grad();
    if (gates.defined()) gates.zero_grad();
    manual_seed(99);
    const Tensor y = fast ? attend(gqa, x) : gqa.forward(x);
    y.backward(g);
    std::vector<Tensor> out{y.detach(), x.grad()};
    for (const Tensor& w : gqa.parameters()) out.push_back(w.grad());
    if (gates.defined()) out.push_back(gates.grad());
    out.push_back(scalar(static_cast<float>(default_generator().next_u32() >> 8)));
    return out;
  };
  const std::vector<Tensor> lesson = run(false), fast = run(true);
  const auto names = gqa.named_parameters();
  for (size_t i = 0; i + 1 < lesson.size(); ++i) {
    const std::string what = i == 0                 ? "output"
                             : i == 1               ? "dL/dx"
                             : i - 2 < names.size() ? "gradient of " + names[i - 2].first
                                                    : "gradient of the gates";
    EXPECT_TRUE(AllClose(fast[i], lesson[i], 1e-5, 1e-4)) << what;
  }
  // the generator moved past exactly the draws the module made
  EXPECT_EQ(fast.back().item(), lesson.back().item()) << "next draw after the attention";
}

// K = 1 (multi-query), K = 2, and K = n_head (every head its own keys and values).
const Sizes kShapes[] = {
    {2, 5, 16, 4, 1}, {2, 5, 16, 4, 2}, {2, 5, 16, 4, 4},
    {3, 8, 12, 6, 3}, {2, 1, 8, 2, 1},  // one position
    {1, 7, 6, 1, 1},                    // one head
};

TEST(FastGroupedAttention, MatchesTheModule) {
  for (const Sizes& s : kShapes) ExpectSameAsTheModule(s, {});
}

TEST(FastGroupedAttention, DropsTheSameWeightsAsTheModule) {
  for (const Sizes& s : kShapes) {
    ExpectSameAsTheModule(s, {0.3f, 0.0f, false});  // attention dropout alone
    ExpectSameAsTheModule(s, {0.5f, 0.2f, false});  // and after W^O
  }
}

TEST(FastGroupedAttention, GatesTheHeadsAsTheModule) {
  for (const Sizes& s : kShapes) {
    ExpectSameAsTheModule(s, {0.0f, 0.0f, true});
    ExpectSameAsTheModule(s, {0.3f, 0.2f, true});
  }
}

// The causal products go in blocks of 32 rows; 70 positions are two whole blocks and a part.
TEST(FastGroupedAttention, MatchesTheModuleOverSeveralCausalBlocks) {
  for (int64_t K : {1, 2, 4}) {
    ExpectSameAsTheModule({2, 70, 16, 4, K}, {});
    ExpectSameAsTheModule({2, 70, 16, 4, K}, {0.3f, 0.1f, true});
  }
}

// Work big enough to be split across threads: the forward by (sequence, query head), the
// backward by (sequence, key/value head) with the group's query heads one after the other, so
// every key/value head's gradient has one writer and one order of sums. One thread and three
// give the same bits, and those are the module's numbers.
TEST(FastGroupedAttention, TheSameBitsOnOneThreadAndOnThree) {
  const int64_t B = 3, T = 128, C = 32, nh = 8, K = 2;
  ExpectSameAsTheModule({B, T, C, nh, K}, {0.2f, 0.1f, false});
  GroupedQueryAttention gqa(C, nh, K, T, case_gen(), /*dropout=*/0.2f);
  Tensor x = randn({B, T, C}, case_gen()).requires_grad_();
  const Tensor g = randn({B, T, C}, case_gen());
  auto run = [&](int threads) {
    set_num_threads(threads);
    x.zero_grad();
    for (Tensor& w : gqa.parameters()) w.zero_grad();
    manual_seed(12);
    const Tensor y = attention(x, gqa);
    y.backward(g);
    std::vector<std::vector<float>> out{y.tolist(), x.grad().tolist()};
    for (const Tensor* w : {&gqa.query.weight, &gqa.key.weight, &gqa.value.weight})
      out.push_back(w->grad().tolist());
    return out;
  };
  const int before = num_threads();
  const auto one = run(1), three = run(3);
  set_num_threads(before);
  const char* names[] = {"output", "dL/dx", "dL/dquery", "dL/dkey", "dL/dvalue"};
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], three[i]) << names[i];
}

// With a key/value head per head, grouped-query attention is the list of heads: on the same
// weights (head h's rows of the fused projections) the two ops give the same bits, outputs and
// gradients, since they are the same kernels on the same stacked weights.
TEST(FastGroupedAttention, WithAKeyValueHeadPerHeadItIsTheListOfHeadsToTheBit) {
  const int64_t B = 2, T = 40, C = 16, nh = 4, hs = C / nh;
  MultiHeadAttention list(C, nh, T, case_gen());
  GroupedQueryAttention grouped(C, nh, nh, T, case_gen());
  Linear* fused[] = {&grouped.query, &grouped.key, &grouped.value};
  for (int64_t h = 0; h < nh; ++h) {
    const Head& head = *list.heads[static_cast<size_t>(h)];
    const Linear* own[] = {&head.query, &head.key, &head.value};
    for (int part = 0; part < 3; ++part) {
      const auto w = own[part]->weight.data();  // (hs, C) into rows h·hs … of the fused (C, C)
      std::copy(w.begin(), w.end(), fused[part]->weight.data().begin() + h * hs * C);
    }
  }
  Tensor x = randn({B, T, C}, case_gen()).requires_grad_();
  const Tensor g = randn({B, T, C}, case_gen());
  const Tensor a = attention(x, list);
  a.backward(g);
  const std::vector<float> dx_list = x.grad().tolist();
  x.zero_grad();
  const Tensor b = attention(x, grouped);
  b.backward(g);
  EXPECT_EQ(a.tolist(), b.tolist()) << "output";
  EXPECT_EQ(dx_list, x.grad().tolist()) << "dL/dx";
  for (int64_t h = 0; h < nh; ++h) {
    const Head& head = *list.heads[static_cast<size_t>(h)];
    const Linear* own[] = {&head.query, &head.key, &head.value};
    for (int part = 0; part < 3; ++part) {
      const std::vector<float> mine = own[part]->weight.grad().tolist();
      const std::vector<float> all = fused[part]->weight.grad().tolist();
      const std::vector<float> rows(all.begin() + h * hs * C, all.begin() + (h + 1) * hs * C);
      EXPECT_EQ(mine, rows) << "head " << h << ", part " << part << " (query, key, value)";
    }
  }
}

TEST(FastGroupedAttention, InEvalModeNothingIsDroppedOrDrawn) {
  GroupedQueryAttention gqa(8, 4, 2, 8, case_gen(), /*dropout=*/0.5f);
  const Tensor x = randn({2, 6, 8}, case_gen());
  gqa.eval();
  manual_seed(5);
  const Tensor fast = attend(gqa, x);
  EXPECT_EQ(default_generator().next_u32(), Generator(5).next_u32()) << "nothing drawn";
  EXPECT_TRUE(AllClose(fast, gqa.forward(x)));
}

// The op alone, before W^O: every input's gradient against finite differences, with K = 1
// and K = 2 key/value heads for 4 query heads, without and with dropout (the same masks on
// every evaluation: the seed is set inside f).
TEST(FastGroupedAttention, GradientsMatchFiniteDifferences) {
  for (int64_t K : {1, 2}) {
    for (float p : {0.0f, 0.25f}) {
      BG_TRACE("kv heads " + std::to_string(K) + " dropout " + std::to_string(p));
      GroupedQueryAttention gqa(8, 4, K, 8, case_gen(), p);
      const Tensor x = randn({2, 4, 8}, case_gen()).requires_grad_();
      EXPECT_TRUE(GradOk("grouped attention",
                         [&](const std::vector<Tensor>& in) {
                           manual_seed(3);
                           return attention(in[0], gqa);
                         },
                         {x, gqa.query.weight, gqa.key.weight, gqa.value.weight}));
    }
  }
}

TEST(FastGroupedAttention, InputsThatDoNotRequireGradGetNone) {
  GroupedQueryAttention gqa(8, 4, 2, 8, case_gen());
  const Tensor x = randn({1, 3, 8}, case_gen());
  gqa.key.weight.requires_grad_(false);
  attention(x, gqa).backward(ones({1, 3, 8}));
  EXPECT_FALSE(x.has_grad());
  EXPECT_FALSE(gqa.key.weight.has_grad());
  EXPECT_TRUE(gqa.query.weight.has_grad());
  EXPECT_TRUE(gqa.value.weight.has_grad());
}

TEST(FastGroupedAttention, BadShapesAreNamed) {
  GroupedQueryAttention gqa(8, 4, 2, 8, case_gen());
  EXPECT_BG_ERROR(attention(zeros({2, 3, 5}), gqa), "attention", "[2, 3, 5]");
  EXPECT_BG_ERROR(attention(zeros({2, 9, 8}), gqa), "block_size 8", "[2, 9, 8]");
  EXPECT_BG_ERROR(attention(zeros({3, 8}), gqa), "[3, 8]");
}

// ------------------------------------------------------------------ whole models

// A small model of `version` with n_kv_head key/value heads for 4 heads, its weights drawn
// from a fixed seed, and one batch.
struct GroupedModelCase {
  ModelConfig config;
  std::unique_ptr<LanguageModel> model;
  Batch batch;
  GroupedModelCase(const std::string& version, int64_t n_kv_head) {
    config.model = version;
    config.vocab_size = 13;
    config.block_size = 6;
    config.n_embed = 16;
    config.n_head = 4;
    config.n_kv_head = n_kv_head;
    config.n_layer = 2;
    config.dropout = version == "v10" || version == "v11" ? 0.2f : 0.0f;
    Generator gen(31);
    model = make_model(config, gen);
    const std::vector<int32_t> text{1, 5, 2, 9, 0, 3, 12, 7, 4, 4, 8, 6, 11, 10, 2};
    batch = get_batch(text, 3, 6, gen);
  }
};

const char* const kGroupedVersions[] = {"v8", "v9", "v10", "v11"};

// One training step's loss and every parameter's gradient from the fast engine equal those of
// the model's own forward, dropout (v10+) included, and both leave the dropout generator at
// the same place.
TEST(FastGroupedEngine, ModelsWithFewerKeyValueHeadsGiveTheLessonsNumbers) {
  for (const char* version : kGroupedVersions) {
    for (int64_t K : {1, 2}) {
      GroupedModelCase c(version, K);
      BG_TRACE(c.config.model + " n_kv_head " + std::to_string(K));
      ASSERT_TRUE(c.config.grouped());
      LanguageModel& model = *c.model;
      auto run = [&](bool fast) {
        for (Tensor& p : model.parameters()) p.zero_grad();
        manual_seed(77);
        const Tensor loss = fast ? fast::loss(model, c.batch) : model_loss(model, c.batch);
        loss.backward();
        std::vector<Tensor> out{loss.detach()};
        for (const Tensor& p : model.parameters()) out.push_back(p.grad());
        out.push_back(scalar(static_cast<float>(default_generator().next_u32() >> 8)));
        return out;
      };
      const std::vector<Tensor> lesson = run(false), fast = run(true);
      const auto names = model.named_parameters();
      EXPECT_TRUE(AllClose(fast[0], lesson[0])) << "loss";
      for (size_t i = 1; i + 1 < lesson.size(); ++i) {
        EXPECT_TRUE(AllClose(fast[i], lesson[i], 1e-5, 1e-4))
            << "gradient of " << names[i - 1].first;
      }
      EXPECT_EQ(fast.back().item(), lesson.back().item()) << "the next draw after the step";
    }
  }
}

// The logits in eval mode (what sampling and evaluation see) agree too.
TEST(FastGroupedEngine, LogitsInEvalModeAreTheModelsLogits) {
  for (const char* version : kGroupedVersions) {
    GroupedModelCase c(version, 2);
    c.model->eval();
    NoGradGuard no_grad;
    EXPECT_TRUE(AllClose(fast::logits(*c.model, c.batch.x, c.batch.B, c.batch.T),
                         c.model->forward(c.batch.x, c.batch.B, c.batch.T), 1e-5, 1e-4))
        << version;
  }
}

}  // namespace
}  // namespace bg
