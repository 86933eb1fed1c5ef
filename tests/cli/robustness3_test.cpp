// The babygpt program against bad input, round three (issue 21): memory follows what was asked
// (the KV cache sized by the prompt and --tokens, the attention picture bounded, the training
// text held as one int32 per character and counted by the memory check), Ctrl-C during the
// closing samples, --n-head for a version without heads, --dropout shown and stored as given,
// and sample's text shown as it is drawn.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/cli/program.h"
#include "bg/data.h"
#include "bg/io/fileio.h"
#include "bg/kv_cache.h"
#include "bg/text.h"
#include "cli_testing.h"
#include "testing.h"

#if defined(__SANITIZE_ADDRESS__)
#define BG_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BG_TEST_UNDER_ASAN 1
#endif
#endif

namespace bg::cli {
namespace {

using ::bg::testing::DoesNotMention;
using ::bg::testing::Mentions;
using testing::Args;
namespace fs = std::filesystem;

// This process's peak resident memory so far, in MB (ru_maxrss is in KiB on Linux).
double peak_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
#if defined(__APPLE__)
  return static_cast<double>(u.ru_maxrss) / (1024.0 * 1024.0);
#else
  return static_cast<double>(u.ru_maxrss) / 1024.0;
#endif
}

class CliRound3 : public testing::CliTest {
 protected:
  // A checkpoint of a random model of `c` over the characters of `vocab`.
  fs::path checkpoint(ModelConfig c, const std::string& vocab, const std::string& name) const {
    const CharTokenizer tok(vocab);
    c.vocab_size = tok.vocab_size();
    Generator gen(7);
    const auto m = make_model(c, gen);
    const fs::path p = path(name);
    save_checkpoint(p, *m, tok);
    return p;
  }
  static Args tiny_train(const fs::path& data, const fs::path& out, const std::string& model) {
    Args a = {"train",           "--data=" + data.string(),
              "--out",           out.string(),
              "--model",         model,
              "--iters",         "2",
              "--batch-size",    "2",
              "--block-size",    "4",
              "--n-embed",       "8",
              "--eval-iters",    "1",
              "--eval-interval", "1",
              "--sample-tokens", "6"};
    ModelConfig c;
    c.model = model;
    if (c.has_heads()) a.insert(a.end(), {"--n-head", "2"});
    if (c.has_blocks()) a.insert(a.end(), {"--n-layer", "1"});
    return a;
  }
};

const char* const kVocab = "春江花月夜往事风雨，。\n";

// ---- 2. the KV cache holds what the prompt and --tokens need, not block_size

TEST_F(CliRound3, SampleSizesTheKvCacheByThePromptAndTokens) {
  // 128 layers of n_embed 8 and block_size 65,536: a full cache is 512 MB, the 2 + 6 positions
  // this sample needs are 64 KB.
  ModelConfig c;
  c.model = "v6";
  c.block_size = 65536;
  c.n_embed = 8;
  c.n_head = 2;
  c.n_layer = 128;
  const fs::path ckpt = checkpoint(c, kVocab, "deep.safetensors");
  const Args args = {"sample", "--checkpoint", ckpt.string(), "--prompt", "春江", "--tokens", "6"};
  const double before = peak_mb();
  const Result cached = babygpt(args);
  const double grown = peak_mb() - before;
  ASSERT_EQ(cached.code, kExitOk) << cached.err;
  EXPECT_LT(grown, 128.0) << "sampling 6 tokens grew the peak memory by " << grown << " MB";
  Args plain_args = args;
  plain_args.push_back("--no-kv-cache");
  const Result plain = babygpt(plain_args);
  ASSERT_EQ(plain.code, kExitOk) << plain.err;
  EXPECT_EQ(cached.out, plain.out);
}

TEST_F(CliRound3, KvCacheMemoryIsCountedAndCheckedBeforeSampling) {
  // The count is what a KVCache of that many positions holds.
  ModelConfig c;
  c.model = "v9";
  c.vocab_size = 9;
  c.block_size = 16;
  c.n_embed = 12;
  c.n_head = 3;
  c.n_layer = 2;
  Generator gen(1);
  const auto model = make_model(c, gen);
  const KVCache cache(*model, 5);
  size_t floats = 0;
  for (const auto& layer : cache.layers) {
    for (const HeadCache& h : layer) floats += h.k.size() + h.v.size();
  }
  EXPECT_EQ(kv_cache_bytes(c, 5), 4.0 * static_cast<double>(floats));
  EXPECT_NO_THROW(check_kv_cache_fits_in_memory(c, 5));
  // 1,024 layers x 65,536 positions x n_embed 65,536: 35 TB.
  c.model = "v6";
  c.n_layer = 1024;
  c.n_embed = 65536;
  c.block_size = 65536;
  EXPECT_BG_ERROR(check_kv_cache_fits_in_memory(c, 65536), "KV cache", "1,024 layers",
                  "65,536 positions", "--tokens", "--prompt", "--no-kv-cache");
}

// ---- 3. the attention picture is bounded

TEST_F(CliRound3, AttentionPictureIsBoundedAndSaysWhatItLeftOut) {
  ModelConfig c;
  c.model = "v9";
  c.block_size = 64;
  c.n_embed = 8;
  c.n_head = 4;
  c.n_layer = 12;  // 48 heads
  const fs::path ckpt = checkpoint(c, kVocab, "v9.safetensors");
  std::string prompt;
  for (int i = 0; i < 12; ++i) prompt += "春江花月夜";  // 60 characters
  const fs::path svg = path("a.svg");
  Result r = babygpt(
      {"attention", "--checkpoint", ckpt.string(), "--prompt", prompt, "--out", svg.string()});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  // The defaults: the last 32 characters, 9 whole layers of 4 heads (36).
  EXPECT_TRUE(Mentions(r.err, "the prompt has 60 characters", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "its last 32 (--max-chars 32", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "48 heads (12 layers of 4)", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "layers 0 … 8", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "the other 12 (--max-heads 36)", "stderr"));
  EXPECT_TRUE(Mentions(r.out, "9 layers x 4 heads, 32 x 32", "stdout"));
  std::string text = read_file(svg);
  EXPECT_TRUE(Mentions(text, "layer 8", "the picture"));
  EXPECT_TRUE(DoesNotMention(text, "layer 9", "the picture"));
  EXPECT_LT(text.size(), 36u * 32 * 32 * 400) << "more than 400 bytes per cell";

  // Smaller bounds: one layer's first 2 heads, 8 characters.
  r = babygpt({"attention", "--checkpoint", ckpt.string(), "--prompt", prompt, "--out",
               svg.string(), "--max-chars", "8", "--max-heads", "2"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Mentions(r.err, "the first 2 heads of layer 0", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "the other 46", "stderr"));
  EXPECT_TRUE(Mentions(r.out, "1 layer x 2 heads, 8 x 8", "stdout"));

  // Within the bounds: no note.
  r = babygpt({"attention", "--checkpoint", ckpt.string(), "--prompt", "春江花月", "--out",
               svg.string(), "--max-heads", "48"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(DoesNotMention(r.err, "note", "stderr"));
  EXPECT_TRUE(Mentions(r.out, "12 layers x 4 heads, 4 x 4", "stdout"));

  for (const char* flag : {"--max-chars", "--max-heads"}) {
    r = babygpt({"attention", "--checkpoint", ckpt.string(), "--prompt", "春", "--out",
                 svg.string(), flag, "0"});
    EXPECT_EQ(r.code, kExitUsage) << flag;
    EXPECT_TRUE(Mentions(r.err, flag, "stderr"));
  }
  EXPECT_TRUE(Mentions(usage("attention"), "--max-chars N", "the usage text"));
  EXPECT_TRUE(Mentions(usage("attention"), "--max-heads N", "the usage text"));
}

// ---- 5. the training text: one int32 per character, counted by the memory check

TEST_F(CliRound3, TrainingHoldsTheTextAsOneTokenPerCharacter) {
  // 24 MB of ASCII: the text, its code points twice and its ids twice were 13 bytes per byte.
  const std::string words[] = {"spring ", "river ", "flower ", "moon ", "night ", "wind ", "\n"};
  std::string text;
  text.reserve(24u << 20);
  Generator gen(3);
  while (text.size() < (24u << 20)) text += words[gen.randint(7)];
  write_file_atomic(path("big.txt"), text);
  const double bytes_mb = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  text.clear();
  text.shrink_to_fit();
  Args a = tiny_train(path("big.txt"), path("run"), "v1");
  *(std::find(a.begin(), a.end(), "--sample-tokens") + 1) = "0";
  const double before = peak_mb();
  const Result r = babygpt(a);
  const double grown = peak_mb() - before;
  ASSERT_EQ(r.code, kExitOk) << r.err;
#ifdef BG_TEST_UNDER_ASAN
  GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident; grown " << grown
               << " MB for " << bytes_mb << " MB of text";
#else
  // the text (1 byte a character) and one int32 per character, and a little more
  EXPECT_LT(grown, 7.0 * bytes_mb) << "training on " << bytes_mb << " MB of text grew the peak "
                                   << "memory by " << grown << " MB";
#endif
}

TEST_F(CliRound3, TrainingTokenizesLikeTheWholeText) {
  // More than one 1 MiB piece, three-byte characters across the pieces' ends.
  std::string text;
  Generator gen(5);
  const std::vector<std::string> chars = {"春", "江", "a", "b", "\n", "😀", "é"};
  while (text.size() < 2'500'000) text += chars[gen.randint(chars.size())];
  write_file_atomic(path("t.txt"), text);
  const Result r = babygpt(tiny_train(path("t.txt"), path("run"), "v2"));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const CharTokenizer whole(text);
  const Split split = split_train_val(whole.encode(text));
  EXPECT_TRUE(Mentions(r.out,
                       grouped(static_cast<int64_t>(split.train.size() + split.val.size())) +
                           " characters, " + grouped(static_cast<int64_t>(split.train.size())) +
                           " train / " + grouped(static_cast<int64_t>(split.val.size())) + " val",
                       "stdout"));
  EXPECT_EQ(load_checkpoint(path("run") / "model.safetensors").tokenizer.vocab_string(),
            whole.vocab_string());
  // Invalid UTF-8 past the first piece: the offset in the whole text.
  text[2'000'001] = '\xFF';
  write_file_atomic(path("bad.txt"), text);
  std::string expected;
  try {
    (void)decode_utf8(text);
  } catch (const Error& e) {
    expected = e.what();
  }
  ASSERT_FALSE(expected.empty());
  const Result bad = babygpt(tiny_train(path("bad.txt"), path("run2"), "v2"));
  EXPECT_EQ(bad.code, kExitError);
  EXPECT_TRUE(Mentions(bad.err, "bad.txt: " + expected, "stderr"));
}

TEST(CliRound3Args, TheMemoryCheckCountsTheTrainingText) {
  ModelConfig c;
  c.model = "v1";
  c.vocab_size = 10;
  c.block_size = 8;
  c.n_embed = 8;
  EXPECT_NO_THROW(check_step_fits_in_memory(c, 4, 8, 1'000'000));
  // 2^42 tokens are 17.6 TB.
  EXPECT_BG_ERROR(check_step_fits_in_memory(c, 4, 8, int64_t{1} << 42), "--data",
                  "4,398,046,511,104 tokens", "17592.2 GB");
}

// ---- 7. small ones

// Raises SIGINT once the text written to it contains `trigger`.
class InterruptingBuffer : public std::stringbuf {
 public:
  explicit InterruptingBuffer(std::string trigger) : trigger_(std::move(trigger)) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const std::streamsize r = std::stringbuf::xsputn(s, n);
    if (!fired_ && str().find(trigger_) != std::string::npos) {
      fired_ = true;
      std::raise(SIGINT);
    }
    return r;
  }

 private:
  std::string trigger_;
  bool fired_ = false;
};

TEST_F(CliRound3, CtrlCDuringTheClosingSamplesStops) {
  const fs::path data = make_text();
  Args a = tiny_train(data, path("run"), "v4");
  *(std::find(a.begin(), a.end(), "--sample-tokens") + 1) = "2000";
  InterruptingBuffer buffer("--- 春江");
  std::ostream out(&buffer);
  std::ostringstream err;
  const int code = run(a, out, err);
  EXPECT_EQ(code, kExitInterrupted) << err.str();
  EXPECT_TRUE(fs::exists(path("run") / "model.safetensors")) << "the checkpoint is written first";
  EXPECT_FALSE(fs::exists(path("run") / "samples.txt"));
  EXPECT_TRUE(Mentions(buffer.str(), "stopped during the closing samples", "stdout"));
  EXPECT_TRUE(DoesNotMention(buffer.str(), "--- 往事", "stdout"));
}

TEST(CliRound3Args, NHeadIsAUsageErrorForAVersionWithoutHeads) {
  const std::string first = first_version_with([](const ModelVersion& m) { return m.has_heads(); });
  for (const ModelVersion& m : kModelVersions) {
    const std::string name(m.name);
    BG_TRACE(name);
    const Args a = {"--model", name, "--n-head", "2", "--n-embed", "8"};
    if (m.has_heads()) {
      EXPECT_EQ(parse_train_args(a).n_head, 2);
      EXPECT_EQ(parse_bench_args(a).n_head, 2);
      continue;
    }
    EXPECT_THROW(parse_train_args(a), UsageError);
    EXPECT_THROW(parse_bench_args(a), UsageError);
    const std::string applies = "--n-head applies to " + first + " and later";
    const std::string why =
        name + (m.has_attention() ? " has one attention head" : " has no attention");
    EXPECT_BG_ERROR(parse_train_args(a), applies.c_str(), why.c_str());
  }
}

TEST_F(CliRound3, DropoutIsShownAndStoredAsGiven) {
  const TrainOptions zero = parse_train_args(Args{"--model", "v10", "--dropout", "-0"});
  EXPECT_EQ(zero.dropout, 0.0f);
  EXPECT_FALSE(std::signbit(zero.dropout)) << "-0 is stored as 0";
  const fs::path data = make_text();
  struct Case {
    const char* given;
    const char* shown;
  };
  for (const Case& k : {Case{"-0", "dropout 0,"}, Case{"0.9999999", "dropout 0.9999999,"},
                        Case{"0.25", "dropout 0.25,"}}) {
    BG_TRACE(k.given);
    Args a = tiny_train(data, path(std::string("run") + k.given), "v10");
    a.insert(a.end(), {"--dropout", k.given});
    const Result r = babygpt(a);
    ASSERT_EQ(r.code, kExitOk) << r.err;
    EXPECT_TRUE(Mentions(r.out, k.shown, "stdout"));
    const Checkpoint ck = load_checkpoint(path(std::string("run") + k.given) / "model.safetensors");
    EXPECT_FALSE(std::signbit(ck.config.dropout));
    EXPECT_EQ(ck.config.dropout,
              parse_train_args(Args{"--model", "v10", "--dropout", k.given}).dropout);
  }
}

// Records what had been written each time the stream was flushed.
class FlushRecorder : public std::stringbuf {
 public:
  std::vector<std::string> flushed;

 protected:
  int sync() override {
    flushed.push_back(str());
    return std::stringbuf::sync();
  }
};

TEST_F(CliRound3, SampleShowsTheTextAsItIsDrawn) {
  ModelConfig c;
  c.model = "v4";
  c.block_size = 8;
  c.n_embed = 8;
  c.n_head = 2;
  const fs::path ckpt = checkpoint(c, kVocab, "v4.safetensors");
  for (const char* cache : {"", "--no-kv-cache"}) {
    BG_TRACE(cache);
    Args a = {"sample",   "--checkpoint", ckpt.string(), "--prompt", "春江",
              "--prompt", "往事",         "--tokens",    "20"};
    if (*cache != '\0') a.push_back(cache);
    FlushRecorder buffer;
    std::ostream out(&buffer);
    std::ostringstream err;
    ASSERT_EQ(run(a, out, err), kExitOk) << err.str();
    const std::string all = buffer.str();
    // The bytes of the texts, one line each, a blank line between them.
    SampleCommandOptions o = parse_sample_args(std::span<const std::string>(a).subspan(1));
    std::ostringstream quiet_out, quiet_err;
    Console quiet{quiet_out, quiet_err};
    const std::vector<std::string> texts = sample(o, quiet);
    ASSERT_EQ(texts.size(), 2u);
    EXPECT_EQ(all, texts[0] + "\n\n" + texts[1] + "\n");
    // Shown as drawn: a flush after every character.
    size_t partial = 0;
    for (const std::string& s : buffer.flushed) {
      if (s.size() > 6 && s.size() < texts[0].size() && all.starts_with(s)) ++partial;
    }
    EXPECT_GE(partial, 15u) << buffer.flushed.size() << " flushes";
  }
}

}  // namespace
}  // namespace bg::cli
