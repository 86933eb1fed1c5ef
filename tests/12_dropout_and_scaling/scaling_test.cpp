// Lesson 12, exercise 3: a GPT's parameters and forward FLOPs in closed form (bg/scaling.h).
//   ctest -L lesson12 -R GptCount
#include "bg/scaling.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "bg/models.h"
#include "bg/tensor.h"
#include "testing.h"

namespace bg {
namespace {

ModelConfig config(int version, int64_t V, int64_t block, int64_t C, int64_t heads, int64_t layers,
                   float dropout = 0.0f) {
  ModelConfig c;
  c.model = std::to_string(version);
  c.model.insert(c.model.begin(), 'v');  // not "v" + ...: g++ 12 warns falsely (-Wrestrict)
  c.vocab_size = V;
  c.block_size = block;
  c.n_embed = C;
  c.n_head = heads;
  c.n_layer = layers;
  c.dropout = version >= 10 ? dropout : 0.0f;
  return c;
}

// Many small configurations of every version: the sizes vary one at a time and together, so
// that a term with the wrong size (C where it should be 4C, block where it should be V, a
// forgotten bias, ln_final counted per layer) shows.
std::vector<ModelConfig> many_configs() {
  std::vector<ModelConfig> out;
  for (int v = 1; v <= 11; ++v) {
    out.push_back(config(v, 11, 4, 8, 2, 2));
    out.push_back(config(v, 65, 8, 12, 3, 1));
    out.push_back(config(v, 7, 16, 16, 4, 3, 0.2f));
    out.push_back(config(v, 100, 5, 6, 1, 4));
    out.push_back(config(v, 13, 3, 20, 5, 2));
  }
  return out;
}

// Catches: a wrong term for any version (each is compared with the model actually built).
TEST(GptCount, ParametersEqualTheModelsForEveryVersion) {
  for (const ModelConfig& c : many_configs()) {
    const int64_t counted = gpt_parameter_count(c);
    Generator gen(1);
    EXPECT_EQ(counted, make_model(c, gen)->num_parameters())
        << c.model << " V " << c.vocab_size << " block " << c.block_size << " C " << c.n_embed
        << " heads " << c.n_head << " layers " << c.n_layer;
  }
}

// The course's two large models, built for real: v4 and v11 on the ci corpus (6,104
// characters). These are the numbers lessons 08 and 12 quote.
TEST(GptCount, ParametersOfTheCourseModels) {
  const ModelConfig v4 = config(4, 6104, 8, 32, 4, 3);
  const ModelConfig v11 = config(11, 6104, 256, 384, 6, 6, 0.2f);
  const int64_t n4 = gpt_parameter_count(v4), n11 = gpt_parameter_count(v11);
  Generator gen(1);
  EXPECT_EQ(n4, make_model(v4, gen)->num_parameters());
  EXPECT_EQ(n11, make_model(v11, gen)->num_parameters());
  EXPECT_EQ(n11, 15432920);  // the count in lessons/12_dropout_and_scaling/README.md
}

// ---- an independent count of the forward's multiply-adds: run the forward, then walk the
// graph it recorded and add up the products each node computed, from its inputs' shapes.
struct MacCount {
  double macs = 0.0;
  std::set<std::string> unknown_ops;
};

MacCount count_products(const Tensor& out) {
  // Ops that compute no matrix product (their cost is O(size of their output)).
  static const std::unordered_set<std::string> elementwise = {
      "leaf",          "embedding",   "add",     "sub",    "mul",     "div",       "relu",
      "softmax",       "causal_mask", "dropout", "concat", "reshape", "transpose", "layer_norm",
      "add_positions", "masked_fill", "neg",     "narrow", "sum",     "mean",      "copy"};
  MacCount r;
  std::unordered_set<const Node*> seen;
  std::vector<const Node*> todo{&out.node()};
  while (!todo.empty()) {
    const Node* n = todo.back();
    todo.pop_back();
    if (!seen.insert(n).second) continue;
    const std::string op = n->op;
    if (op == "linear") {
      // x (..., in) · Wᵀ, W (out, in): one multiply-add per input element and output feature.
      const Tensor& x = n->parents[0];
      const Tensor& w = n->parents[1];
      r.macs += static_cast<double>(x.numel()) * static_cast<double>(w.size(0));
    } else if (op == "matmul") {
      // (..., n, k) · (..., k, m) -> (..., n, m): k multiply-adds per output element.
      const Tensor& a = n->parents[0];
      r.macs += static_cast<double>(numel(n->shape)) * static_cast<double>(a.size(-1));
    } else if (!elementwise.count(op)) {
      r.unknown_ops.insert(op);
    }
    for (const Tensor& p : n->parents) todo.push_back(&p.node());
  }
  return r;
}

// Catches: attention counted over T/2 or T², per head instead of summed, the feed-forward at
// C² instead of 8C² (v8+), a missing W^O, lm_head forgotten, a factor 2 missing.
TEST(GptCount, ForwardFlopsEqualTheProductsTheForwardComputes) {
  for (const ModelConfig& c : many_configs()) {
    for (int64_t T : {int64_t{1}, c.block_size / 2 + 1, c.block_size}) {
      const double counted = gpt_forward_flops_per_token(c, T);
      Generator gen(2);
      auto model = make_model(c, gen);
      model->eval();
      const int64_t B = 2;
      std::vector<int32_t> idx(static_cast<size_t>(B * T));
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int32_t>(i % c.vocab_size);
      const MacCount graph = count_products(model->forward(idx, B, T));
      EXPECT_TRUE(graph.unknown_ops.empty())
          << "the forward uses ops this test does not know: " << *graph.unknown_ops.begin()
          << " (add them to count_products, with their multiply-adds)";
      EXPECT_DOUBLE_EQ(counted, 2.0 * graph.macs / static_cast<double>(B * T))
          << c.model << " T " << T << " C " << c.n_embed << " heads " << c.n_head << " layers "
          << c.n_layer;
    }
  }
}

// The v11 numbers quoted in the README, and the shape of the formula: 2 FLOPs per parameter
// of every product, plus attention's 4·T·C per layer.
TEST(GptCount, ForwardFlopsOfV11) {
  const ModelConfig v11 = config(11, 6104, 256, 384, 6, 6, 0.2f);
  const double f = gpt_forward_flops_per_token(v11, 256);
  const double C = 384, V = 6104, L = 6, T = 256;
  EXPECT_DOUBLE_EQ(f, 2.0 * (L * (12 * C * C + 2 * T * C) + C * V));
  EXPECT_DOUBLE_EQ(f, 21233664.0 + 2359296.0 + 4687872.0);  // block products, scores, lm_head
}

// v1 has no position table: it reads one token at a time, so any T >= 1 is allowed, also
// longer than block_size (bg/scaling.h). Its forward is the token table (a lookup, no product)
// and lm_head, a Linear(C, V): C·V multiply-adds per token whatever T is. With V 11, C 8:
// 2 · 8 · 11 = 176 FLOPs per token. The graph count agrees (v1's forward takes T > block_size).
// Catches: the T <= block_size check applied to every version; T used in v1's count.
TEST(GptCount, V1TakesSequencesLongerThanItsBlock) {
  const ModelConfig v1 = config(1, 11, 4, 8, 2, 2);
  for (int64_t T : {int64_t{5}, int64_t{9}, int64_t{1000}}) {
    BG_TRACE("v1, block_size 4, T " + std::to_string(T));
    double counted = 0.0;
    try {
      counted = gpt_forward_flops_per_token(v1, T);
    } catch (const NotImplemented&) {
      throw;
    } catch (const Error& e) {
      ADD_FAILURE() << "v1 has no position table, so any T >= 1 is allowed (also T > block_size), "
                       "but gpt_forward_flops_per_token threw: "
                    << e.what();
      continue;
    }
    EXPECT_DOUBLE_EQ(counted, 2.0 * 8 * 11)
        << "v1's forward FLOPs per token are 2·C·V (lm_head only), whatever T is";
    if (T > 9) continue;  // the graph of a 1000-token forward is not needed to make the point
    Generator gen(3);
    auto model = make_model(v1, gen);
    std::vector<int32_t> idx(static_cast<size_t>(T));
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int32_t>(i % 11);
    const MacCount graph = count_products(model->forward(idx, 1, T));
    EXPECT_DOUBLE_EQ(counted, 2.0 * graph.macs / static_cast<double>(T))
        << "the count must equal the products v1's forward computes on T tokens";
  }
}

// Catches: no check of T or of the configuration.
TEST(GptCount, RejectsBadInput) {
  const ModelConfig c = config(9, 11, 4, 8, 2, 2);
  EXPECT_BG_ERROR(gpt_forward_flops_per_token(c, 5), "T", "4", "5");
  EXPECT_BG_ERROR(gpt_forward_flops_per_token(c, 0), "T");
  ModelConfig bad = c;
  bad.n_head = 3;  // 8 is not divisible by 3
  EXPECT_BG_ERROR(gpt_parameter_count(bad), "divisible");
  EXPECT_BG_ERROR(gpt_forward_flops_per_token(bad, 2), "divisible");
  bad = c;
  bad.model = "v99";
  EXPECT_BG_ERROR(gpt_parameter_count(bad), "v99");
}

}  // namespace
}  // namespace bg
