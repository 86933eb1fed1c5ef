// The babygpt program with grouped-query attention (lesson 14): --n-kv-head, its checks, what it
// costs (parameters, FLOPs, KV-cache bytes), checkpoints that say n_kv_head only when the model
// is grouped, and K = n_head leaving every run bit for bit as it was.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/cli/program.h"
#include "bg/data.h"
#include "bg/grouped_attention.h"
#include "bg/io/fileio.h"
#include "bg/io/safetensors.h"
#include "bg/kv_cache.h"
#include "cli_testing.h"
#include "testing.h"

namespace bg::cli {
namespace {

using ::bg::testing::Mentions;
using testing::Args;
namespace fs = std::filesystem;

class CliGrouped : public testing::CliTest {
 protected:
  // A tiny v9 run: 4 x 6 tokens, n_embed 8, 4 heads, 2 layers, `extra` flags appended.
  static Args tiny_train(const fs::path& data, const fs::path& out, const Args& extra = {}) {
    Args a = {"train",           "--data=" + data.string(),
              "--out",           out.string(),
              "--model",         "v9",
              "--iters",         "30",
              "--batch-size",    "4",
              "--block-size",    "6",
              "--n-embed",       "8",
              "--n-head",        "4",
              "--n-layer",       "2",
              "--eval-interval", "15",
              "--eval-iters",    "2",
              "--sample-tokens", "8",
              "--seed=5"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

// The shape of the tensor named `name` in `f`; empty when there is none.
Shape shape_of(const SafetensorsFile& f, const std::string& name) {
  for (const auto& [n, t] : f.tensors) {
    if (n == name) return t.shape();
  }
  return {};
}

ModelConfig grouped_config(const std::string& model, int64_t n_kv_head) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = 13;
  c.block_size = 6;
  c.n_embed = 12;
  c.n_head = 4;
  c.n_layer = 2;
  c.n_kv_head = n_kv_head;
  c.dropout = c.has_dropout() ? 0.1f : 0.0f;
  return c;
}

TEST(CliGroupedArgs, TheFlagIsCheckedAndKEqualToNHeadIsTodaysModel) {
  EXPECT_EQ(parse_train_args(Args{"--model", "v9", "--n-kv-head", "2"}).n_kv_head, 2);
  EXPECT_EQ(parse_train_args(Args{"--model", "v9"}).n_kv_head, 0);
  // v9's course n_head is 4: K = 4 is every head its own, the model without the flag.
  EXPECT_EQ(parse_train_args(Args{"--model", "v9", "--n-kv-head", "4"}).n_kv_head, 0);
  EXPECT_EQ(parse_bench_args(Args{"--model", "v11", "--n-kv-head", "1"}).n_kv_head, 1);
  for (const char* model : {"v1", "v3", "v4", "v5", "v6", "v7"}) {
    EXPECT_BG_ERROR(parse_train_args(Args{"--model", model, "--n-kv-head", "1"}),
                    "--n-kv-head applies to v8, v9, v10, v11", model);
  }
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v9", "--n-kv-head", "3"}),
                  "--n-head 4 is not divisible by --n-kv-head 3");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v9", "--n-kv-head", "0"}),
                  "--n-kv-head must be at least 1");
  EXPECT_BG_ERROR(parse_bench_args(Args{"--model", "v8", "--n-head", "2", "--n-kv-head", "4"}),
                  "--n-head 2 is not divisible by --n-kv-head 4");
}

TEST_F(CliGrouped, HelpNamesTheFlag) {
  const Result help = babygpt({"train", "--help"});
  EXPECT_TRUE(Mentions(help.out, "--n-kv-head K", "train --help"));
}

TEST(CliGroupedArgs, ParametersFlopsAndCacheBytesAreCounted) {
  for (const char* model : {"v8", "v9", "v10", "v11"}) {
    for (int64_t k : {1, 2, 4}) {
      BG_TRACE(std::string(model) + ", n_kv_head " + std::to_string(k));
      const ModelConfig c = grouped_config(model, k);
      Generator gen(1);
      const auto m = make_model(c, gen);
      EXPECT_EQ(parameter_count(c), static_cast<double>(m->num_parameters()));
      // The cache holds K heads of hs = 3 floats for keys and for values, per layer.
      const KVCache cache(*m, 5);
      size_t floats = 0;
      for (const auto& layer : cache.layers) {
        EXPECT_EQ(static_cast<int64_t>(layer.size()), k);
        for (const HeadCache& h : layer) floats += h.k.size() + h.v.size();
      }
      EXPECT_EQ(kv_cache_bytes(c, 5), 4.0 * static_cast<double>(floats));
      EXPECT_EQ(kv_cache_bytes(c, 1), 4.0 * 2 * 2 * static_cast<double>(k * 3));
    }
  }
  // FLOPs: key and value shrink to K / n_head of C x C each, nothing else changes.
  const ModelConfig full = grouped_config("v9", 0), mqa = grouped_config("v9", 1);
  const double N = 2.0 * 6, C = 12;
  EXPECT_DOUBLE_EQ(training_flops(full, 2, 6) - training_flops(mqa, 2, 6),
                   6.0 * 2 * (2 * N * C * C * (1.0 - 1.0 / 4)));
}

TEST_F(CliGrouped, CheckpointSaysNKvHeadOnlyWhenGrouped) {
  const CharTokenizer tok("春江花月夜潮水连海平\n。，");
  const std::vector<int32_t> idx = {0, 3, 1, 5, 2, 12, 4, 1, 0, 3, 5, 11};  // (2, 6)
  for (int64_t k : {0, 1, 2}) {
    BG_TRACE("n_kv_head " + std::to_string(k));
    Generator gen(3);
    const auto m = make_model(grouped_config("v10", k), gen);
    m->eval();
    save_checkpoint(path("m.safetensors"), *m, tok);
    const SafetensorsFile f = load_safetensors(path("m.safetensors"));
    EXPECT_EQ(f.metadata.count("n_kv_head"), k == 0 ? 0u : 1u);
    if (k != 0) {
      EXPECT_EQ(f.meta("n_kv_head"), std::to_string(k));
      // PyTorch's names and shapes: one fused projection per role, K heads of 3 for k and v.
      EXPECT_EQ(shape_of(f, "blocks.1.sa.key.weight"), (Shape{k * 3, 12}));
      EXPECT_EQ(shape_of(f, "blocks.1.sa.query.weight"), (Shape{12, 12}));
      EXPECT_EQ(shape_of(f, "blocks.1.sa.value.weight"), (Shape{k * 3, 12}));
      EXPECT_EQ(shape_of(f, "blocks.1.sa.heads.0.key.weight"), Shape{});
    }
    const Checkpoint ck = load_checkpoint(path("m.safetensors"));
    EXPECT_EQ(ck.config.n_kv_head, k);
    EXPECT_EQ(ck.model->forward(idx, 2, 6).tolist(), m->forward(idx, 2, 6).tolist());
  }
}

TEST_F(CliGrouped, KEqualToNHeadTrainsTheSameBitsAsWithoutTheFlag) {
  const fs::path data = make_text();
  const Result plain = babygpt(tiny_train(data, path("plain")));
  ASSERT_EQ(plain.code, kExitOk) << plain.err;
  const Result same = babygpt(tiny_train(data, path("same"), {"--n-kv-head", "4"}));
  ASSERT_EQ(same.code, kExitOk) << same.err;
  EXPECT_EQ(read_file(path("plain") / "model.safetensors"),
            read_file(path("same") / "model.safetensors"));
  EXPECT_EQ(read_file(path("plain") / "samples.txt"), read_file(path("same") / "samples.txt"));
}

TEST_F(CliGrouped, AGroupedModelTrainsEvaluatesAndSamplesWithASmallerCache) {
  const fs::path data = make_text();
  const Result t = babygpt(tiny_train(data, path("mqa"), {"--n-kv-head", "1"}));
  ASSERT_EQ(t.code, kExitOk) << t.err;
  EXPECT_TRUE(Mentions(t.out, "n_head 4, n_kv_head 1, n_layer 2", "stdout"));
  const std::string ckpt = (path("mqa") / "model.safetensors").string();
  const Result e = babygpt({"eval", "--checkpoint", ckpt, "--data", data.string()});
  ASSERT_EQ(e.code, kExitOk) << e.err;
  const Checkpoint ck = load_checkpoint(ckpt);
  const Split split = split_train_val(ck.tokenizer.encode(read_file(data)));
  EXPECT_NEAR(std::stod(testing::last_line(e.out).substr(9)),
              evaluate_loss(*ck.model, split.val, 6), 1e-4);
  // The same text with and without the cache; the cache holds 2 layers x 1 head x 2 x 2 floats.
  const Args sample = {"sample", "--checkpoint", ckpt, "--prompt", "春江", "--tokens", "10"};
  const Result cached = babygpt(sample);
  ASSERT_EQ(cached.code, kExitOk) << cached.err;
  EXPECT_TRUE(Mentions(cached.err, "with the KV cache: 32 bytes per token", "stderr"));
  Args plain_args = sample;
  plain_args.push_back("--no-kv-cache");
  EXPECT_EQ(babygpt(plain_args).out, cached.out);
}

}  // namespace
}  // namespace bg::cli
