// The babygpt program end to end, through bg::cli::run and the checkpoint functions: a tiny
// training run on a text the test makes, checkpoints that round-trip and refuse to load
// when anything is off, evaluation, sampling, attention pictures and the error paths.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/commands.h"
#include "bg/cli/program.h"
#include "bg/data.h"
#include "bg/io/fileio.h"
#include "bg/io/safetensors.h"
#include "bg/kernels/gemm.h"
#include "bg/kernels/muladd.h"
#include "bg/model_versions.h"
#include "cli_testing.h"
#include "testing.h"

namespace bg::cli {
namespace {

using ::bg::testing::Mentions;

using testing::Args;
using testing::last_line;
namespace fs = std::filesystem;

class CliTest : public testing::CliTest {
 protected:
  // A tiny run: 30 steps of 4 x 6 tokens, n_embed 8, 2 heads (for a version with heads).
  static Args tiny_train(const fs::path& data, const fs::path& out, const std::string& seed = "5",
                         const std::string& iters = "30", const std::string& model = "v4") {
    Args a = {"train",
              "--data=" + data.string(),
              "--out",
              out.string(),
              "--model",
              model,
              "--iters",
              iters,
              "--batch-size",
              "4",
              "--block-size",
              "6",
              "--n-embed",
              "8",
              "--eval-interval=10",
              "--eval-iters",
              "2",
              "--sample-tokens",
              "12",
              "--seed=" + seed};
    if (model_version(model).has_heads()) a.insert(a.end(), {"--n-head", "2"});
    return a;
  }
};

ModelConfig tiny_config(const std::string& model, int64_t vocab) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = vocab;
  c.block_size = 6;
  c.n_embed = 8;
  c.n_head = 2;
  return c;
}

TEST_F(CliTest, CheckpointRoundTrip) {
  const CharTokenizer tok("春江花月夜\n");
  for (const std::string model : {"v1", "v2", "v3", "v4"}) {
    Generator gen(3);
    const auto m = make_model(tiny_config(model, tok.vocab_size()), gen);
    save_checkpoint(path("m.safetensors"), *m, tok);
    const Checkpoint ck = load_checkpoint(path("m.safetensors"));
    EXPECT_EQ(ck.config.model, model);
    EXPECT_EQ(ck.config.vocab_size, 6);
    EXPECT_EQ(ck.config.block_size, 6);
    EXPECT_EQ(ck.config.n_embed, 8);
    EXPECT_EQ(ck.config.n_head, 2);
    EXPECT_EQ(ck.tokenizer.vocab_string(), tok.vocab_string());
    const auto a = m->named_parameters();
    const auto b = ck.model->named_parameters();
    ASSERT_EQ(a.size(), b.size()) << model;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].first, b[i].first);
      EXPECT_EQ(a[i].second.tolist(), b[i].second.tolist()) << a[i].first;
    }
    // The file holds PyTorch's state_dict names and the metadata a reader needs.
    const SafetensorsFile f = load_safetensors(path("m.safetensors"));
    EXPECT_NE(f.find("lm_head.bias"), nullptr);
    EXPECT_EQ(f.meta("vocab"), "\n夜春月江花");  // sorted by code point
    EXPECT_EQ(f.meta("vocab_size"), "6");
    if (model == "v4") {
      EXPECT_NE(f.find("sa_heads.heads.1.value.weight"), nullptr);
    }
  }
}

TEST_F(CliTest, CheckpointErrors) {
  const CharTokenizer tok("abcd");
  Generator gen(3);
  const auto m = make_model(tiny_config("v4", 4), gen);
  auto params = m->named_parameters();
  std::map<std::string, std::string> meta = {{"model", "v4"},     {"vocab_size", "4"},
                                             {"block_size", "6"}, {"n_embed", "8"},
                                             {"n_head", "2"},     {"vocab", "abcd"}};
  const fs::path p = path("bad.safetensors");

  EXPECT_BG_ERROR(load_checkpoint(path("nothing.safetensors")), "nothing.safetensors");

  save_safetensors(p, params, meta);
  const std::string bytes = read_file(p);
  write_file_atomic(p, std::string_view(bytes).substr(0, bytes.size() - 10));
  EXPECT_BG_ERROR(load_checkpoint(p), "bad.safetensors");

  auto fewer = params;
  fewer.pop_back();  // lm_head.bias
  save_safetensors(p, fewer, meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "missing tensors", "lm_head.bias");

  auto more = params;
  more.emplace_back("sa_heads.proj.weight", zeros({8, 8}));
  save_safetensors(p, more, meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "unexpected tensors", "sa_heads.proj.weight");

  auto wrong = meta;
  wrong["n_embed"] = "12";  // the stored (4, 8) embedding no longer fits
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "token_embedding_table.weight has shape [4, 8]",
                  "needs [4, 12]");

  auto poisoned = params;
  poisoned[1].second = zeros(params[1].second.shape());
  poisoned[1].second.data()[3] = std::numeric_limits<float>::quiet_NaN();
  save_safetensors(p, poisoned, meta);
  EXPECT_BG_ERROR(load_checkpoint(p), "position_embedding_table.weight", "non-finite", "index 3");

  wrong = meta;
  wrong["vocab_size"] = "5";
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "vocabulary holds 4 characters", "vocab_size says 5");

  wrong = meta;
  wrong["block_size"] = "eight";
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "block_size", "'eight'");

  wrong = meta;
  wrong.erase("vocab");
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "no 'vocab'");

  wrong = meta;
  wrong["model"] = "v99";
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "bad config", "v99");

  // Through the program: exit 1 and the reason.
  const Result r = babygpt({"eval", "--checkpoint", p.string(), "--data", p.string()});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "v99", "stderr"));
}

TEST_F(CliTest, TrainEvalSampleEndToEnd) {
  const fs::path data = make_text();
  const Result t = babygpt((tiny_train(data, path("run"))));
  ASSERT_EQ(t.code, kExitOk) << t.err;
  for (const char* f : {"model.safetensors", "loss.svg", "samples.txt"}) {
    EXPECT_TRUE(fs::exists(path("run") / f)) << f;
  }
  // A line per evaluation (steps 0, 10, 20, 30) and the course's two prompts at the end.
  for (const char* s : {"step 0/30 | train", "step 10/30", "step 20/30", "step 30/30 | train",
                        "--- 春江\n春江", "--- 往事\n往事"}) {
    EXPECT_TRUE(Mentions(t.out, s, "stdout"));
  }
  const std::string samples = read_file(path("run") / "samples.txt");
  EXPECT_TRUE(Mentions(samples, "--- 春江\n春江", "the samples file"));
  EXPECT_TRUE(Mentions(read_file(path("run") / "loss.svg"), "<svg", "the file"));

  const Checkpoint ck = load_checkpoint(path("run") / "model.safetensors");
  EXPECT_EQ(ck.config.model, "v4");
  EXPECT_EQ(ck.tokenizer.vocab_size(), 19);  // 16 characters + ， 。 \n

  // The same seed gives the same checkpoint, byte for byte; another seed does not.
  ASSERT_EQ(babygpt((tiny_train(data, path("again")))).code, kExitOk);
  EXPECT_EQ(read_file(path("run") / "model.safetensors"),
            read_file(path("again") / "model.safetensors"));
  ASSERT_EQ(babygpt((tiny_train(data, path("other"), "6"))).code, kExitOk);
  EXPECT_NE(read_file(path("run") / "model.safetensors"),
            read_file(path("other") / "model.safetensors"));

  // eval: deterministic, the loss is the last thing printed, and it is the exact mean loss.
  const std::string ckpt = (path("run") / "model.safetensors").string();
  const Result e1 = babygpt({"eval", "--checkpoint", ckpt, "--data", data.string()});
  ASSERT_EQ(e1.code, kExitOk) << e1.err;
  const Result e2 = babygpt({"eval", "--checkpoint=" + ckpt, "--data=" + data.string()});
  EXPECT_EQ(e1.out, e2.out);
  const std::string line = last_line(e1.out);
  ASSERT_EQ(line.rfind("val loss ", 0), 0u) << e1.out;
  const double printed = std::stod(line.substr(9));
  const std::vector<int32_t> ids = ck.tokenizer.encode(read_file(data));
  const Split split = split_train_val(ids);
  EXPECT_NEAR(printed, evaluate_loss(*ck.model, split.val, 6), 1e-4);
  // Better than uniform guessing (ln 19 = 2.94) after 30 steps, and plausible.
  EXPECT_GT(printed, 0.5);
  EXPECT_LT(printed, 2.8);
  const Result all =
      babygpt({"eval", "--checkpoint", ckpt, "--data", data.string(), "--split", "all"});
  ASSERT_EQ(all.code, kExitOk) << all.err;
  EXPECT_EQ(last_line(all.out).rfind("all loss ", 0), 0u) << all.out;

  // sample: deterministic for a seed, prompts kept, tokens/s on stderr.
  const Args s = {"sample", "--checkpoint", ckpt, "--prompt", "春", "--prompt",
                  "风雨",   "--tokens",     "20", "--seed",   "9"};
  const Result s1 = babygpt(s);
  ASSERT_EQ(s1.code, kExitOk) << s1.err;
  EXPECT_EQ(s1.out, babygpt(s).out);
  EXPECT_EQ(s1.out.rfind("春", 0), 0u);
  EXPECT_TRUE(Mentions(s1.out, "\n\n风雨", "stdout"));
  EXPECT_TRUE(Mentions(s1.err, "tokens/s", "stderr"));
  std::ostringstream out, err;
  Console console{out, err};
  const std::vector<std::string> texts = sample(
      parse_sample_args(Args{"--checkpoint", ckpt, "--tokens", "20", "--top-k", "1"}), console);
  ASSERT_EQ(texts.size(), 2u);  // the default prompts 春江 and 往事
  EXPECT_EQ(texts[0].rfind("春江", 0), 0u);
  EXPECT_EQ(ck.tokenizer.encode(texts[0]).size(), 22u);

  // attention: one heatmap per head.
  const Result a = babygpt({"attention", "--checkpoint", ckpt, "--prompt", "春江花月夜往事归风",
                            "--out", path("att.svg").string()});
  ASSERT_EQ(a.code, kExitOk) << a.err;
  EXPECT_TRUE(Mentions(a.err, "last 6", "stderr"));  // cropped to block_size
  const std::string svg = read_file(path("att.svg"));
  EXPECT_TRUE(Mentions(svg, "head 0", "the SVG"));
  EXPECT_TRUE(Mentions(svg, "head 1", "the SVG"));
}

TEST_F(CliTest, AttentionNeedsAttention) {
  const fs::path data = make_text();
  const Result t = babygpt(tiny_train(data, path("v2"), "5", "1", "v2"));
  ASSERT_EQ(t.code, kExitOk) << t.err;
  const Result r =
      babygpt({"attention", "--checkpoint", (path("v2") / "model.safetensors").string(), "--prompt",
               "春江", "--out", path("a.svg").string()});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "v2 model, which has no attention", "stderr"));
  EXPECT_FALSE(fs::exists(path("a.svg")));
}

TEST_F(CliTest, PromptCharactersOutsideTheVocabulary) {
  const fs::path data = make_text();
  Args a = (tiny_train(data, path("run")));
  ASSERT_EQ(babygpt(a).code, kExitOk);
  const Result r = babygpt({"sample", "--checkpoint", (path("run") / "model.safetensors").string(),
                            "--prompt", "春x江€"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "'x' (U+0078)", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "'€' (U+20AC)", "stderr"));
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, CorpusShorterThanABlock) {
  write_file_atomic(path("short.txt"), "春江花月夜春江花月夜");  // 10 chars: 9 train, 1 val
  const Result r = babygpt((tiny_train(path("short.txt"), path("run"))));
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "shorter than a block", "stderr"));
  EXPECT_FALSE(fs::exists(path("run") / "model.safetensors"));
}

TEST_F(CliTest, InvalidUtf8Data) {
  write_file_atomic(path("bad.txt"), "春江\xff花月夜");  // 春江 is bytes 0..5
  const Result r = babygpt((tiny_train(path("bad.txt"), path("run"))));
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "bad.txt", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "invalid UTF-8 at byte 6", "stderr"));
}

TEST_F(CliTest, MissingDataSaysHowToGetIt) {
  const Result r = babygpt({"train", "--data", path("none.txt").string()});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "none.txt does not exist", "stderr"));
}

TEST_F(CliTest, NonFiniteLossStopsTraining) {
  const fs::path data = make_text();
  Args a = (tiny_train(data, path("run")));
  a.insert(a.end(), {"--lr", "1e30"});
  const Result r = babygpt(a);
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "training diverged", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "--lr", "stderr"));
  EXPECT_FALSE(fs::exists(path("run") / "model.safetensors"));
}

TEST_F(CliTest, PrepareDataRefusesAWrongTarball) {
  write_file_atomic(path("junk.tgz"), "not the package");
  const Result r = babygpt({"prepare-data", "--tarball", path("junk.tgz").string(), "--out",
                            path("data/ci.txt").string()});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "b6e7e60d0accac7c723d066a5c360549aab8299d", "stderr"));
  EXPECT_FALSE(fs::exists(path("data/ci.txt")));
  const Result missing = babygpt({"prepare-data", "--tarball", path("none.tgz").string()});
  EXPECT_EQ(missing.code, kExitError);
  EXPECT_TRUE(Mentions(missing.err, "none.tgz", "stderr"));
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(babygpt({}).code, kExitUsage);
  EXPECT_EQ(babygpt({"frobnicate"}).code, kExitUsage);
  EXPECT_EQ(babygpt({"bench", "--threads", "x"}).code, kExitUsage);
  const Result r = babygpt({"train", "--iterz", "3"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Mentions(r.err, "unknown flag --iterz", "stderr"));
  EXPECT_EQ(babygpt({"sample"}).code, kExitUsage);
  EXPECT_EQ(babygpt({"eval", "--checkpoint", "x", "--data"}).code, kExitUsage);
  const Result h = babygpt({"attention", "--help"});
  EXPECT_EQ(h.code, kExitOk);
  EXPECT_TRUE(Mentions(h.out, "--prompt TEXT", "stdout"));
  EXPECT_EQ(babygpt({"--help"}).code, kExitOk);
}

TEST_F(CliTest, BenchReportsEveryFigure) {
  const Result r = babygpt({"bench", "--data", make_text().string(), "--iters", "3", "--warmup",
                            "1", "--threads", "1", "--n-embed", "8", "--n-head", "2",
                            "--block-size", "4", "--batch-size", "4"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  for (const char* figure : {"ms/step: median", "tokens/s:", "forward", "backward", "optimizer",
                             "GFLOP/s", "peak resident memory:", "threads: 1"}) {
    EXPECT_TRUE(Mentions(r.out, figure, "stdout"));
  }
  // The instruction set and the register tile this build's matrix products use.
  const std::string tile =
      std::string("built for: ") + kGemmTile.isa + (kHardwareFma ? " with" : " without") +
      " fused multiply-add; matrix-product register tile " + std::to_string(kGemmTile.rows) +
      " x " + std::to_string(kGemmTile.cols) + " floats (";
  EXPECT_TRUE(Mentions(r.out, tile, "stdout"));
}

TEST_F(CliTest, BenchWithoutATextUsesRandomTokens) {
  // The current directory has no data/ci.txt here, so bench draws random tokens.
  const fs::path before = fs::current_path();
  fs::current_path(dir_);
  const Result r = babygpt({"bench", "--iters", "2", "--warmup", "0", "--threads", "1",
                            "--vocab-size", "50", "--n-embed", "8", "--n-head", "2"});
  fs::current_path(before);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Mentions(r.out, "vocab 50 (random tokens)", "stdout"));
}

}  // namespace
}  // namespace bg::cli
