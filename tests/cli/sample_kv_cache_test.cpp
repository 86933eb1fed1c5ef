// `babygpt sample` with the KV cache (lesson 13) and without it (--no-kv-cache): the same text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/commands.h"
#include "bg/cli/program.h"
#include "bg/models.h"
#include "bg/random.h"
#include "bg/text.h"
#include "testing.h"

namespace bg {
namespace {

using ::bg::testing::Mentions;

namespace fs = std::filesystem;

ModelConfig config(const std::string& model) {
  ModelConfig c;
  c.model = model;
  c.vocab_size = 9;
  c.block_size = 6;
  c.n_embed = 12;
  c.n_head = 3;
  c.n_layer = 2;
  c.dropout = c.has_dropout() ? 0.25f : 0.0f;
  return c;
}

// ---- babygpt sample with and without the cache

class SampleCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bg_kv_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  struct Result {
    int code;
    std::string out, err;
  };
  static Result babygpt(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    const int code = cli::run(args, out, err);
    return {code, out.str(), err.str()};
  }
  // A checkpoint of a random model of `model` over the characters of `vocab`.
  std::string checkpoint(const std::string& model, const std::string& vocab) {
    const CharTokenizer tok(vocab);
    ModelConfig c = config(model);
    c.vocab_size = tok.vocab_size();
    c.n_layer = 3;  // the checkpoint's default depth
    c.dropout = 0.0f;
    Generator gen(7);
    const auto m = make_model(c, gen);
    const fs::path p = dir_ / (model + ".safetensors");
    cli::save_checkpoint(p, *m, tok);
    return p.string();
  }
  fs::path dir_;
};

TEST_F(SampleCli, SameTextWithAndWithoutTheCache) {
  for (const char* model : {"v4", "v9"}) {
    BG_TRACE(model);
    const std::string ckpt = checkpoint(model, "春江花月夜往事风雨，。\n");
    const std::vector<std::string> args = {
        "sample",   "--checkpoint", ckpt,      "--prompt", "春江",   "--prompt", "往事",
        "--tokens", "30",           "--top-k", "4",        "--seed", "3"};
    const Result cached = babygpt(args);
    ASSERT_EQ(cached.code, cli::kExitOk) << cached.err;
    std::vector<std::string> plain_args = args;
    plain_args.push_back("--no-kv-cache");
    const Result plain = babygpt(plain_args);
    ASSERT_EQ(plain.code, cli::kExitOk) << plain.err;
    EXPECT_EQ(cached.out, plain.out);
    EXPECT_TRUE(Mentions(cached.err, "tokens/s, with the KV cache", "stderr"));
    EXPECT_TRUE(Mentions(plain.err, "tokens/s, without the KV cache", "stderr"));
  }
}

TEST(SampleArgs, NoKvCacheIsASwitch) {
  using Args = std::vector<std::string>;
  EXPECT_TRUE(cli::parse_sample_args(Args{"--checkpoint", "c"}).kv_cache);
  EXPECT_FALSE(cli::parse_sample_args(Args{"--checkpoint", "c", "--no-kv-cache"}).kv_cache);
  EXPECT_THROW(cli::parse_sample_args(Args{"--checkpoint", "c", "--no-kv-cache=1"}),
               cli::UsageError);
  EXPECT_TRUE(Mentions(cli::usage("sample"), "--no-kv-cache", "the usage text"));
}

}  // namespace
}  // namespace bg
