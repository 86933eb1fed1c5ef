// The babygpt program for BabyGPT v5–v11: each version's course defaults and the flags that
// came with them (--n-layer, --dropout), the FLOP count bench reports, checkpoints of every
// version (PyTorch's state_dict names, n_layer and dropout in the metadata, older files that
// lack them) and the attention picture of a model with several layers.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/cli/program.h"
#include "bg/data.h"
#include "bg/io/fileio.h"
#include "bg/io/safetensors.h"
#include "bg/model_versions.h"
#include "cli_testing.h"
#include "testing.h"

namespace bg::cli {
namespace {

using ::bg::testing::DoesNotMention;
using ::bg::testing::Mentions;

using testing::Args;
using testing::last_line;
namespace fs = std::filesystem;

class CliGpt : public testing::CliTest {
 protected:
  // A tiny run of `model`: 4 x 6 tokens, n_embed 8, 2 heads, 2 layers from v6 on, lr 0.01.
  static Args tiny_train(const fs::path& data, const fs::path& out, const std::string& model,
                         const std::string& seed = "5", const std::string& iters = "20") {
    Args a = {"train",           "--data=" + data.string(),
              "--out",           out.string(),
              "--model",         model,
              "--iters",         iters,
              "--batch-size",    "4",
              "--block-size",    "6",
              "--n-embed",       "8",
              "--n-head",        "2",
              "--eval-interval", "10",
              "--eval-iters",    "2",
              "--sample-tokens", "12",
              "--seed=" + seed};
    ModelConfig c;
    c.model = model;
    if (c.has_blocks()) a.insert(a.end(), {"--n-layer", "2"});
    // v11's course lr, 3e-4, is slow on this tiny run
    if (c.model_version().defaults.lr < 0.01f) a.insert(a.end(), {"--lr", "0.01"});
    return a;
  }
};

const char* const kNewVersions[] = {"v5", "v6", "v7", "v8", "v9", "v10", "v11"};

ModelConfig tiny_config(const std::string& model, int64_t vocab) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = vocab;
  c.block_size = 6;
  c.n_embed = 8;
  c.n_head = 2;
  c.n_layer = 2;
  c.dropout = c.has_dropout() ? 0.2f : 0.0f;
  return c;
}

// ---- flags and defaults

TEST(CliGptArgs, EveryVersionStartsFromItsCourseDefaults) {
  for (const std::string model : {"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10"}) {
    const TrainOptions o = parse_train_args(Args{"--model", model});
    EXPECT_EQ(o.batch_size, 32) << model;
    EXPECT_EQ(o.block_size, 8) << model;
    EXPECT_EQ(o.lr, 1e-2f) << model;
    EXPECT_EQ(o.n_embed, 32) << model;
    EXPECT_EQ(o.n_head, 4) << model;
    EXPECT_EQ(o.n_layer, 3) << model;
    EXPECT_EQ(o.dropout, model == "v10" ? 0.2f : 0.0f) << model;
    EXPECT_EQ(o.out_dir(), fs::path("runs") / model);
  }
  const TrainOptions o = parse_train_args(Args{"--model", "v11"});
  EXPECT_EQ(o.batch_size, 64);
  EXPECT_EQ(o.block_size, 256);
  EXPECT_EQ(o.lr, 3e-4f);
  EXPECT_EQ(o.n_embed, 384);
  EXPECT_EQ(o.n_head, 6);
  EXPECT_EQ(o.n_layer, 6);
  EXPECT_EQ(o.dropout, 0.2f);
  EXPECT_EQ(o.iters, 5000);
  const ModelConfig c = o.config(6104);
  EXPECT_EQ(c.model, "v11");
  EXPECT_EQ(c.n_layer, 6);
  EXPECT_FLOAT_EQ(c.dropout, 0.2f);
  EXPECT_EQ(c.block_size, 256);
  EXPECT_NO_THROW(c.validate());
  // bench starts from the same defaults.
  const BenchOptions b = parse_bench_args(Args{"--model", "v11"});
  EXPECT_EQ(b.batch_size, 64);
  EXPECT_EQ(b.block_size, 256);
  EXPECT_EQ(b.n_embed, 384);
  EXPECT_EQ(b.n_layer, 6);
  EXPECT_EQ(b.dropout, 0.2f);
  EXPECT_EQ(b.lr, 3e-4f);
  EXPECT_EQ(b.config(99).n_layer, 6);
}

TEST(CliGptArgs, ExplicitFlagsOverrideTheDefaults) {
  // Flags win wherever they stand, before or after --model.
  const TrainOptions o = parse_train_args(
      Args{"--block-size", "16", "--model", "v11", "--n-embed=32", "--n-head", "4", "--n-layer",
           "2", "--batch-size", "8", "--dropout", "0.1", "--lr=1e-3"});
  EXPECT_EQ(o.block_size, 16);
  EXPECT_EQ(o.n_embed, 32);
  EXPECT_EQ(o.n_head, 4);
  EXPECT_EQ(o.n_layer, 2);
  EXPECT_EQ(o.batch_size, 8);
  EXPECT_EQ(o.dropout, 0.1f);
  EXPECT_EQ(o.lr, 1e-3f);
  EXPECT_EQ(parse_train_args(Args{"--model", "v10", "--dropout", "0"}).dropout, 0.0f);
  EXPECT_EQ(parse_train_args(Args{"--model", "v6", "--n-layer", "1"}).n_layer, 1);
  const BenchOptions b = parse_bench_args(Args{"--model=v9", "--n-layer", "5"});
  EXPECT_EQ(b.n_layer, 5);
  EXPECT_EQ(b.block_size, 8);
}

TEST(CliGptArgs, NewFlagsAreChecked) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v6", "--n-layer", "0"}),
                  "--n-layer must be at least 1", "'0'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v6", "--n-layer", "two"}),
                  "--n-layer expects an integer");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v5", "--n-layer", "2"}),
                  "--n-layer applies to v6 and later", "v5");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v10", "--dropout", "1.5"}),
                  "--dropout must be in [0, 1)", "'1.5'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v10", "--dropout", "1"}),
                  "--dropout must be in [0, 1)");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v10", "--dropout=-0.1"}),
                  "--dropout must be in [0, 1)");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v10", "--dropout", "much"}),
                  "--dropout expects a number");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v9", "--dropout", "0.2"}),
                  "--dropout applies to v10 and later", "v9");
  EXPECT_THROW(parse_bench_args(Args{"--model", "v4", "--n-layer", "2"}), UsageError);
  EXPECT_THROW(parse_bench_args(Args{"--model", "v11", "--dropout", "2"}), UsageError);
  // Every version from v4 on splits n_embed between its heads.
  for (const char* model : kNewVersions) {
    EXPECT_BG_ERROR(parse_train_args(Args{"--model", model, "--n-embed", "30", "--n-head", "4"}),
                    "--n-embed 30 is not divisible by --n-head 4");
  }
  // v11's 6 heads do not divide a smaller n_embed of 32 unless --n-head changes too.
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v11", "--n-embed", "32"}),
                  "--n-embed 32 is not divisible by --n-head 6");
  EXPECT_BG_ERROR(parse_bench_args(Args{"--model", "v11", "--n-embed", "32"}), "not divisible");
}

TEST(CliGptArgs, HelpNamesTheNewFlagsAndEveryVersion) {
  const std::string u = usage("train");
  const std::string every_version = "--model v1.." + std::string(kModelVersions.back().name);
  const std::vector<std::string> wanted = {"--n-layer N", "--dropout P", every_version, "v11: 256",
                                           "v11: 6"};
  for (const std::string& s : wanted) {
    EXPECT_TRUE(Mentions(u, s, "the usage text"));
  }
  const std::string b = usage("bench");
  EXPECT_TRUE(Mentions(b, "--n-layer", "the usage text"));
  EXPECT_TRUE(Mentions(b, "--dropout", "the usage text"));
  EXPECT_TRUE(Mentions(usage("attention"), "every layer", "the usage text"));
}

// ---- the FLOP count of bench

TEST(CliGptArgs, TrainingFlopsCountEveryMatrixProduct) {
  ModelConfig c;
  c.vocab_size = 6104;
  c.block_size = 8;
  c.n_embed = 32;
  c.n_head = 4;
  c.n_layer = 3;
  // B = 32 sequences of T = 8: N = 256 tokens, C = 32. Multiply-adds of the forward pass:
  const double lm_head = 256.0 * 32 * 6104;
  const double qkv = 256.0 * 3 * 32 * 32;
  const double scores_and_sum = 32.0 * 2 * 8 * 8 * 32;      // per sequence q·kᵀ and wei·v
  const double proj = 256.0 * 32 * 32;                      // W^O, v8+
  const double ffwd_small = 256.0 * 32 * 32;                // C -> C, v5–v7
  const double ffwd_large = 256.0 * (32 * 128 + 128 * 32);  // C -> 4C -> C, v8+
  auto flops = [&](const std::string& model) {
    c.model = model;
    return training_flops(c, 32, 8);
  };
  EXPECT_DOUBLE_EQ(flops("v4"), 6.0 * (lm_head + qkv + scores_and_sum));
  EXPECT_DOUBLE_EQ(flops("v5"), 6.0 * (lm_head + qkv + scores_and_sum + ffwd_small));
  EXPECT_DOUBLE_EQ(flops("v6"), 6.0 * (lm_head + 3 * (qkv + scores_and_sum + ffwd_small)));
  EXPECT_DOUBLE_EQ(flops("v7"), flops("v6"));  // residual adds are elementwise
  const double large = 6.0 * (lm_head + 3 * (qkv + scores_and_sum + proj + ffwd_large));
  for (const char* model : {"v8", "v9", "v10", "v11"}) EXPECT_DOUBLE_EQ(flops(model), large);
  c.n_layer = 6;  // each layer costs the same
  EXPECT_DOUBLE_EQ(flops("v9") - 6.0 * lm_head, 2 * (large - 6.0 * lm_head));
}

// ---- checkpoints

TEST_F(CliGpt, CheckpointRoundTripOfEveryNewVersion) {
  const CharTokenizer tok("春江花月夜\n");
  const std::vector<int32_t> idx = {0, 3, 1, 5, 2, 2, 4, 1, 0, 3, 5, 4};  // (2, 6)
  for (const std::string model : kNewVersions) {
    BG_TRACE(model);
    Generator gen(3);
    const auto m = make_model(tiny_config(model, tok.vocab_size()), gen);
    m->eval();
    const Tensor expected = m->forward(idx, 2, 6);
    save_checkpoint(path("m.safetensors"), *m, tok);
    const Checkpoint ck = load_checkpoint(path("m.safetensors"));
    EXPECT_EQ(ck.config.model, model);
    EXPECT_EQ(ck.config.block_size, 6);
    EXPECT_EQ(ck.config.n_embed, 8);
    EXPECT_EQ(ck.config.n_head, 2);
    EXPECT_EQ(ck.config.n_layer, 2);
    EXPECT_FLOAT_EQ(ck.config.dropout, ck.config.has_dropout() ? 0.2f : 0.0f);
    EXPECT_FALSE(ck.model->is_training());  // loaded for use: no dropout
    const auto a = m->named_parameters();
    const auto b = ck.model->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].first, b[i].first);
      EXPECT_EQ(a[i].second.tolist(), b[i].second.tolist()) << a[i].first;
    }
    // Same weights, same logits: exactly, and again on a second call (no dropout in v10+).
    EXPECT_EQ(ck.model->forward(idx, 2, 6).tolist(), expected.tolist());
    EXPECT_EQ(ck.model->forward(idx, 2, 6).tolist(), expected.tolist());
    // The metadata as the PyTorch reference writes it: strings, n_layer and dropout included.
    const SafetensorsFile f = load_safetensors(path("m.safetensors"));
    EXPECT_EQ(f.meta("model"), model);
    EXPECT_EQ(f.meta("n_layer"), "2");
    EXPECT_EQ(f.meta("dropout"), ck.config.has_dropout() ? "0.2" : "0.0");
    EXPECT_EQ(f.tensors.size(), a.size());
  }
}

TEST_F(CliGpt, CheckpointNamesArePyTorchsStateDict) {
  // model.state_dict().keys() of the PyTorch reference (babygpt_torch.py --model v10
  // --embed 8 --heads 2 --layers 2 --block 6): a checkpoint with exactly these loads there
  // with load_state_dict(strict=True).
  std::vector<std::string> expected = {"token_embedding_table.weight",
                                       "position_embedding_table.weight"};
  for (const std::string l : {"0", "1"}) {
    const std::string b = "blocks." + l + ".";
    for (const std::string h : {"0", "1"}) {
      for (const char* w : {"key", "query", "value"}) {
        expected.push_back(b + "sa.heads." + h + "." + w + ".weight");
      }
    }
    for (const char* p : {"sa.proj.weight", "sa.proj.bias", "ffwd.net.0.weight", "ffwd.net.0.bias",
                          "ffwd.net.2.weight", "ffwd.net.2.bias", "ln1.weight", "ln1.bias",
                          "ln2.weight", "ln2.bias"}) {
      expected.push_back(b + p);
    }
  }
  for (const char* p : {"ln_final.weight", "ln_final.bias", "lm_head.weight", "lm_head.bias"}) {
    expected.push_back(p);
  }
  const CharTokenizer tok("abcd");
  Generator gen(1);
  const auto m = make_model(tiny_config("v10", 4), gen);
  save_checkpoint(path("m.safetensors"), *m, tok);
  const SafetensorsFile f = load_safetensors(path("m.safetensors"));
  std::vector<std::string> names;
  for (const auto& [name, t] : f.tensors) names.push_back(name);
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
  // v5 keeps v4's names and adds its feed-forward at the top level.
  const auto v5 = make_model(tiny_config("v5", 4), gen);
  const auto p5 = v5->named_parameters();
  ASSERT_EQ(p5.size(), 12u);
  EXPECT_EQ(p5[7].first, "sa_heads.heads.1.value.weight");
  EXPECT_EQ(p5[8].first, "ffwd.net.0.weight");
  EXPECT_EQ(p5[9].first, "ffwd.net.0.bias");
}

TEST_F(CliGpt, OlderCheckpointsWithoutTheNewMetadata) {
  const CharTokenizer tok("abcd");
  const std::map<std::string, std::string> old_meta = {{"model", "v4"},     {"vocab_size", "4"},
                                                       {"block_size", "6"}, {"n_embed", "8"},
                                                       {"n_head", "2"},     {"vocab", "abcd"}};
  const fs::path p = path("old.safetensors");
  // A v4 checkpoint from before v5 existed: no n_layer, no dropout. It loads.
  Generator gen(2);
  const auto v4 = make_model(tiny_config("v4", 4), gen);
  save_safetensors(p, v4->named_parameters(), old_meta);
  const Checkpoint ck = load_checkpoint(p);
  EXPECT_EQ(ck.config.model, "v4");
  EXPECT_FLOAT_EQ(ck.config.dropout, 0.0f);
  const std::vector<int32_t> idx = {0, 1, 2, 3};
  EXPECT_EQ(ck.model->forward(idx, 1, 4).tolist(), v4->forward(idx, 1, 4).tolist());

  // From v6 on the blocks cannot be built without n_layer, nor v10 described without dropout.
  auto meta = old_meta;
  meta["model"] = "v6";
  const auto v6 = make_model(tiny_config("v6", 4), gen);
  save_safetensors(p, v6->named_parameters(), meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "old.safetensors", "no 'n_layer'");
  meta["n_layer"] = "2";
  save_safetensors(p, v6->named_parameters(), meta);
  EXPECT_NO_THROW(load_checkpoint(p));
  // n_layer that disagrees with the tensors: the file lacks block 2.
  meta["n_layer"] = "3";
  save_safetensors(p, v6->named_parameters(), meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "missing tensors", "n_layer 3", "blocks.2.sa.heads.0.key");
  meta["n_layer"] = "0";
  save_safetensors(p, v6->named_parameters(), meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "n_layer must be a positive integer", "'0'");

  meta["model"] = "v10";
  meta["n_layer"] = "2";
  const auto v10 = make_model(tiny_config("v10", 4), gen);
  save_safetensors(p, v10->named_parameters(), meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "no 'dropout'");
  for (const char* bad : {"1.5", "-0.1", "lots", ""}) {
    meta["dropout"] = bad;
    save_safetensors(p, v10->named_parameters(), meta);
    EXPECT_BG_ERROR(load_checkpoint(p), "dropout must be a number in [0, 1)");
  }
  meta["dropout"] = "0.2";
  save_safetensors(p, v10->named_parameters(), meta);
  EXPECT_FLOAT_EQ(load_checkpoint(p).config.dropout, 0.2f);
}

// ---- the program end to end

TEST_F(CliGpt, TrainEvalAndAttentionForEveryNewVersion) {
  const fs::path data = make_text();
  for (const std::string model : kNewVersions) {
    BG_TRACE(model);
    const fs::path out = path(model);
    const Result t = babygpt(tiny_train(data, out, model, "5", "60"));
    ASSERT_EQ(t.code, kExitOk) << t.err;
    // The header names what the version has.
    ModelConfig c;
    c.model = model;
    EXPECT_TRUE(Mentions(t.out,
                         "training " + model +
                             " (vocab_size 19, block_size 6, n_embed 8, "
                             "n_head 2",
                         "stdout"));
    EXPECT_TRUE(c.has_blocks() ? Mentions(t.out, "n_layer 2", "stdout")
                               : DoesNotMention(t.out, "n_layer 2", "stdout"));
    EXPECT_TRUE(c.has_dropout() ? Mentions(t.out, "dropout 0.2,", "stdout")
                                : DoesNotMention(t.out, "dropout", "stdout"));
    EXPECT_TRUE(Mentions(t.out, "step 60/60 | train", "stdout"));
    EXPECT_TRUE(Mentions(t.out, "--- 春江\n春江", "stdout"));

    const std::string ckpt = (out / "model.safetensors").string();
    const Result e = babygpt({"eval", "--checkpoint", ckpt, "--data", data.string()});
    ASSERT_EQ(e.code, kExitOk) << e.err;
    const std::string line = last_line(e.out);
    ASSERT_EQ(line.rfind("val loss ", 0), 0u) << e.out;
    const double printed = std::stod(line.substr(9));
    const Checkpoint ck = load_checkpoint(ckpt);
    const Split split = split_train_val(ck.tokenizer.encode(read_file(data)));
    EXPECT_NEAR(printed, evaluate_loss(*ck.model, split.val, 6), 1e-4);
    EXPECT_LT(printed, 2.85);  // uniform guessing: ln 19 = 2.944
    EXPECT_EQ(babygpt({"eval", "--checkpoint", ckpt, "--data", data.string()}).out, e.out);

    // attention: every head of every layer.
    const Result a = babygpt({"attention", "--checkpoint", ckpt, "--prompt", "春江花月", "--out",
                              (out / "att.svg").string()});
    ASSERT_EQ(a.code, kExitOk) << a.err;
    const std::string svg = read_file(out / "att.svg");
    size_t panels = 0;
    for (size_t at = svg.find("<g class=\"head\">"); at != std::string::npos;
         at = svg.find("<g class=\"head\">", at + 1)) {
      ++panels;
    }
    EXPECT_EQ(panels, c.has_blocks() ? 4u : 2u);
    EXPECT_TRUE(c.has_blocks() ? Mentions(svg, ">layer 1<", "the SVG")
                               : DoesNotMention(svg, ">layer 1<", "the SVG"));
    EXPECT_TRUE(
        Mentions(a.out, c.has_blocks() ? "2 layers x 2 heads, 4 x 4" : "2 heads, 4 x 4", "stdout"));
  }
}

TEST_F(CliGpt, AttentionPictureOfATwoLayerModelShowsEachLayersOwnWeights) {
  const CharTokenizer tok("春江花月夜\n");
  Generator gen(8);
  const auto m = make_model(tiny_config("v9", tok.vocab_size()), gen);
  save_checkpoint(path("m.safetensors"), *m, tok);
  const Result a = babygpt({"attention", "--checkpoint", path("m.safetensors").string(), "--prompt",
                            "春江花", "--out", path("a.svg").string()});
  ASSERT_EQ(a.code, kExitOk) << a.err;
  const std::string svg = read_file(path("a.svg"));
  // Rows "layer 0" and "layer 1", in that order, each with heads 0 and 1.
  ASSERT_TRUE(Mentions(svg, ">layer 0<", "the SVG"));
  ASSERT_TRUE(Mentions(svg, ">layer 1<", "the SVG"));
  const size_t l0 = svg.find(">layer 0<"), l1 = svg.find(">layer 1<");
  EXPECT_LT(l0, l1);
  EXPECT_TRUE(DoesNotMention(svg, ">layer 2<", "the SVG"));
  // The panels are the model's maps, layer after layer: the value of (query 江, key 春) of
  // each panel, as its tooltip shows it, is that map's [1][0].
  const std::vector<int32_t> ids = tok.encode("春江花");
  m->eval();
  const std::vector<Tensor> maps = m->attention_maps(ids, 3);
  ASSERT_EQ(maps.size(), 4u);
  size_t at = 0;
  for (const Tensor& map : maps) {
    at = svg.find("<g class=\"head\">", at + 1);
    ASSERT_TRUE(at != std::string::npos) << "the SVG has fewer head panels than the model has maps";
    const size_t tip = svg.find("江 \u2192 春: ", at);
    ASSERT_TRUE(tip != std::string::npos)
        << "a head panel of the SVG should hold the tooltip \"江 → 春: \" of (query 江, key 春)";
    const double shown = std::stod(svg.substr(tip + std::string("江 \u2192 春: ").size()));
    EXPECT_NEAR(shown, map.tolist()[3], 1e-3);  // row 1, column 0 of the (3, 3) map
  }
  // Different layers attend differently (their weights differ).
  EXPECT_NE(maps[0].tolist(), maps[2].tolist());
}

TEST_F(CliGpt, DropoutIsReproducibleForASeedAndActuallyUsed) {
  const fs::path data = make_text();
  auto run = [&](const std::string& name, const std::string& seed, const char* dropout) {
    Args a = tiny_train(data, path(name), "v10", seed, "10");
    a.insert(a.end(), {"--dropout", dropout});
    const Result r = babygpt(a);
    EXPECT_EQ(r.code, kExitOk) << r.err;
    return read_file(path(name) / "model.safetensors");
  };
  const std::string a = run("a", "4", "0.2");
  EXPECT_EQ(run("b", "4", "0.2"), a);  // the same masks for the same seed
  EXPECT_NE(run("c", "5", "0.2"), a);
  EXPECT_NE(run("d", "4", "0.0"), a);  // the masks change what is learned
  EXPECT_NE(run("e", "4", "0.5"), a);
}

TEST(CliGptArgs, BenchKernelsFlag) {
  EXPECT_EQ(parse_bench_args(Args{}).kernels, "");  // the program's own choice
  EXPECT_EQ(parse_bench_args(Args{"--kernels", "lesson"}).kernels, "lesson");
  EXPECT_EQ(parse_bench_args(Args{"--kernels", "fast"}).kernels, "fast");
  EXPECT_BG_ERROR(parse_bench_args(Args{"--kernels", "quick"}), "--kernels must be fast or lesson",
                  "'quick'");
  EXPECT_BG_ERROR(parse_bench_args(Args{"--kernels", ""}), "--kernels");
}

// bench --kernels chooses the path and says which; both train the same model.
TEST_F(CliGpt, BenchRunsEitherKernels) {
  for (const char* kernels : {"lesson", "fast"}) {
    BG_TRACE(kernels);
    Args a = {"bench", "--model",      "v11", "--iters",      "2", "--warmup",  "1",    "--threads",
              "1",     "--vocab-size", "50",  "--n-embed",    "8", "--n-head",  "2",    "--n-layer",
              "2",     "--block-size", "6",   "--batch-size", "4", "--kernels", kernels};
    const Result r = babygpt(a);
    ASSERT_EQ(r.code, kExitOk) << r.err;
    EXPECT_TRUE(Mentions(r.out, std::string("kernels: ") + kernels, "stdout"));
  }
}

TEST_F(CliGpt, BenchRunsTheNewVersions) {
  for (const char* model : {"v6", "v11"}) {
    BG_TRACE(model);
    Args a = {"bench", "--model",      model, "--iters",      "2", "--warmup", "1", "--threads",
              "1",     "--vocab-size", "50",  "--n-embed",    "8", "--n-head", "2", "--n-layer",
              "2",     "--block-size", "6",   "--batch-size", "4"};
    const Result r = babygpt(a);
    ASSERT_EQ(r.code, kExitOk) << r.err;
    EXPECT_TRUE(Mentions(r.out, "n_layer 2", "stdout"));
    EXPECT_TRUE(Mentions(r.out, "GFLOP/s", "stdout"));
  }
}

}  // namespace
}  // namespace bg::cli
