// The babygpt program's flag parsing, help texts, progress lines and FLOP count (bg/cli/).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/cli/commands.h"
#include "bg/cli/flags.h"
#include "bg/cli/model_cost.h"
#include "bg/cli/program.h"
#include "bg/cli/progress.h"
#include "bg/model_versions.h"
#include "testing.h"

namespace bg::cli {
namespace {

using ::bg::testing::Mentions;

using Args = std::vector<std::string>;

TEST(CliArgs, TrainDefaultsAreTheCourses) {
  const TrainOptions o = parse_train_args(Args{});
  EXPECT_FALSE(o.help);
  EXPECT_EQ(o.model, "v4");
  EXPECT_EQ(o.data, "data/ci.txt");
  EXPECT_EQ(o.out_dir(), "runs/v4");
  EXPECT_EQ(o.iters, 5000);
  EXPECT_EQ(o.batch_size, 32);
  EXPECT_EQ(o.block_size, 8);
  EXPECT_EQ(o.n_embed, 32);
  EXPECT_EQ(o.n_head, 4);
  EXPECT_EQ(o.lr, 1e-2f);
  EXPECT_EQ(o.eval_interval, 200);
  EXPECT_EQ(o.eval_iters, 100);
  EXPECT_EQ(o.seed, 1337u);
  const ModelConfig c = o.config(77);
  EXPECT_EQ(c.model, "v4");
  EXPECT_EQ(c.vocab_size, 77);
  EXPECT_EQ(c.block_size, 8);
}

TEST(CliArgs, BothFlagStyles) {
  const TrainOptions o = parse_train_args(Args{"--model", "v2", "--iters=30", "--lr", "3e-4",
                                               "--block-size=16", "--out", "x/y", "--seed=7"});
  EXPECT_EQ(o.model, "v2");
  EXPECT_EQ(o.iters, 30);
  EXPECT_EQ(o.lr, 3e-4f);
  EXPECT_EQ(o.block_size, 16);
  EXPECT_EQ(o.out_dir(), "x/y");
  EXPECT_EQ(o.seed, 7u);
  EXPECT_EQ(parse_train_args(Args{"--model=v1"}).out_dir(), "runs/v1");
  // "--name=value" keeps everything after the first '=', '=' included.
  const SampleCommandOptions s = parse_sample_args(Args{"--checkpoint=a=b.safetensors"});
  EXPECT_EQ(s.checkpoint, "a=b.safetensors");
}

TEST(CliArgs, HelpAnywhereStopsParsing) {
  EXPECT_TRUE(parse_train_args(Args{"--iters", "3", "--help"}).help);
  EXPECT_TRUE(parse_train_args(Args{"-h", "--bogus"}).help);
  EXPECT_TRUE(parse_sample_args(Args{"--help"}).help);  // --checkpoint not required then
  EXPECT_TRUE(parse_eval_args(Args{"--help"}).help);
  EXPECT_TRUE(parse_attention_args(Args{"--help"}).help);
  EXPECT_TRUE(parse_prepare_data_args(Args{"--help"}).help);
}

TEST(CliArgs, UnknownFlag) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--iterz", "3"}), "unknown flag --iterz", "train --help");
  EXPECT_BG_ERROR(parse_eval_args(Args{"--checkpoint", "a", "--data", "b", "--tokens", "3"}),
                  "unknown flag --tokens");
  EXPECT_THROW(parse_train_args(Args{"--iterz=3"}), UsageError);
}

TEST(CliArgs, PositionalArgumentsAreRefused) {
  EXPECT_BG_ERROR(parse_train_args(Args{"data.txt"}), "unexpected argument 'data.txt'");
  EXPECT_BG_ERROR(parse_train_args(Args{"-iters", "3"}), "unexpected argument '-iters'");
}

TEST(CliArgs, MissingValue) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters"}), "--iters needs a value");
  EXPECT_BG_ERROR(parse_train_args(Args{"--data", "--iters", "3"}), "--data needs a value");
  EXPECT_BG_ERROR(parse_sample_args(Args{"--checkpoint"}), "--checkpoint needs a value");
  EXPECT_BG_ERROR(parse_train_args(Args{"--data="}), "--data must not be empty");
}

TEST(CliArgs, BadNumbers) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters", "abc"}), "--iters", "integer", "'abc'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters", "12x"}), "--iters", "'12x'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters", "1.5"}), "--iters", "'1.5'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters", "0"}), "--iters must be", "at least 1");
  EXPECT_BG_ERROR(parse_train_args(Args{"--batch-size=-3"}), "--batch-size must be", "'-3'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters", "99999999999999999999"}), "--iters");
  EXPECT_BG_ERROR(parse_train_args(Args{"--lr", "fast"}), "--lr expects a number", "'fast'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--lr", "0"}), "--lr must be greater than 0");
  EXPECT_BG_ERROR(parse_train_args(Args{"--lr", "nan"}), "--lr expects a number");
  EXPECT_BG_ERROR(parse_train_args(Args{"--lr", "inf"}), "--lr expects a number");
  EXPECT_BG_ERROR(parse_train_args(Args{"--seed", "-1"}), "--seed", "'-1'");
  EXPECT_BG_ERROR(parse_sample_args(Args{"--checkpoint", "c", "--temperature", "-1"}),
                  "--temperature must be greater than 0");
  EXPECT_BG_ERROR(parse_sample_args(Args{"--checkpoint", "c", "--top-k", "-1"}), "--top-k");
  const std::string every =
      "--model must be one of v1, v2, … " + std::string(kModelVersions.back().name);  // … v11 today
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v99"}), every.c_str(), "'v99'");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "V4"}), "--model", "'V4'");
}

TEST(CliArgs, EmbedMustBeDivisibleByHeads) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--n-embed", "30", "--n-head", "4"}),
                  "--n-embed 30 is not divisible by --n-head 4");
  EXPECT_EQ(parse_train_args(Args{"--n-embed", "30", "--n-head", "5"}).n_embed, 30);
  // Only v4 splits n_embed between heads.
  EXPECT_EQ(parse_train_args(Args{"--model", "v3", "--n-embed", "30"}).n_embed, 30);
}

TEST(CliArgs, RepeatedFlags) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--iters", "3", "--iters=4"}), "--iters is given twice");
  const SampleCommandOptions s =
      parse_sample_args(Args{"--checkpoint", "c", "--prompt", "春", "--prompt=江"});
  EXPECT_EQ(s.prompts, (std::vector<std::string>{"春", "江"}));
  EXPECT_EQ(parse_sample_args(Args{"--checkpoint", "c"}).prompts,
            (std::vector<std::string>{"春江", "往事"}));
}

TEST(CliArgs, RequiredFlags) {
  EXPECT_BG_ERROR(parse_sample_args(Args{}), "--checkpoint FILE is required");
  EXPECT_BG_ERROR(parse_eval_args(Args{"--checkpoint", "c"}), "--data FILE is required");
  EXPECT_BG_ERROR(parse_attention_args(Args{"--checkpoint", "c", "--prompt", "p"}),
                  "--out FILE.svg is required");
  EXPECT_BG_ERROR(parse_eval_args(Args{"--checkpoint", "c", "--data", "d", "--split", "test"}),
                  "--split must be train, val or all");
  const EvalOptions e = parse_eval_args(Args{"--data=d", "--checkpoint=c"});
  EXPECT_EQ(e.split, "val");
  EXPECT_EQ(e.checkpoint, "c");
  EXPECT_EQ(e.data, "d");
}

TEST(CliArgs, SwitchesTakeNoValue) {
  const std::vector<Flag> flags = {{"verbose", "", "talk more"}, {"n", "N", "a number"}};
  const ParsedFlags p = parse_flags("x", Args{"--verbose", "--n", "-5"}, flags);
  EXPECT_TRUE(p.has("verbose"));
  ASSERT_NE(p.get("n"), nullptr);
  EXPECT_EQ(*p.get("n"), "-5");  // a value may start with one dash
  EXPECT_BG_ERROR(parse_flags("x", Args{"--verbose=yes"}, flags), "--verbose takes no value");
}

TEST(CliArgs, UsageListsEveryFlag) {
  const std::string u = usage("train");
  for (const char* flag :
       {"--model", "--data", "--out", "--iters", "--batch-size", "--block-size", "--n-embed",
        "--n-head", "--n-layer", "--dropout", "--lr", "--eval-interval", "--eval-iters", "--seed",
        "--sample-tokens", "--help"}) {
    EXPECT_TRUE(Mentions(u, flag, "the usage text"));
  }
  const std::string top = usage();
  for (const char* c : {"prepare-data", "train", "sample", "eval", "attention", "bench"}) {
    EXPECT_TRUE(Mentions(top, c, "the usage text"));
  }
  EXPECT_BG_ERROR(usage("frobnicate"), "unknown command 'frobnicate'");
}

TEST(CliProgress, Durations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7.9), "0:07");
  EXPECT_EQ(format_duration(205), "3:25");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "--:--");
}

TEST(CliProgress, EtaAndLines) {
  Progress p;
  p.step = 200;
  p.total = 5000;
  p.elapsed = 4.0;
  p.tokens_per_second = 61234;
  EXPECT_DOUBLE_EQ(eta_seconds(p), 4.0 / 200 * 4800);
  EXPECT_EQ(format_eval_line(p, 5.12344, 5.2),
            "step 200/5000 | train 5.1234 | val 5.2000 | "
            "61.2k tok/s | elapsed 0:04 | ETA 1:36");
  EXPECT_EQ(format_progress_line(p), "step 200/5000 | 61.2k tok/s | elapsed 0:04 | ETA 1:36");
  p.step = 0;
  EXPECT_EQ(format_progress_line(p), "step 0/5000 | 61.2k tok/s | elapsed 0:04 | ETA --:--");
  p.step = 5000;
  EXPECT_DOUBLE_EQ(eta_seconds(p), 0.0);
}

TEST(CliArgs, BenchDefaultsAreTheCourseConfiguration) {
  const BenchOptions o = parse_bench_args(Args{});
  EXPECT_EQ(o.model, "v4");
  EXPECT_EQ(o.batch_size, 32);
  EXPECT_EQ(o.block_size, 8);
  EXPECT_EQ(o.n_embed, 32);
  EXPECT_EQ(o.n_head, 4);
  EXPECT_EQ(o.threads, 0);  // pick the fastest
  EXPECT_TRUE(o.data.empty());
}

TEST(CliArgs, BenchFlags) {
  const std::vector<std::string> args = {"--threads=2", "--iters",  "7", "--n-embed",
                                         "256",         "--n-head", "8", "--vocab-size=99"};
  const BenchOptions o = parse_bench_args(args);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.iters, 7);
  EXPECT_EQ(o.n_embed, 256);
  EXPECT_EQ(o.n_head, 8);
  EXPECT_EQ(o.vocab_size, 99);
  EXPECT_THROW(parse_bench_args(std::vector<std::string>{"--threads", "-1"}), UsageError);
  EXPECT_THROW(parse_bench_args(std::vector<std::string>{"--n-embed", "30"}), UsageError);
  EXPECT_THROW(parse_bench_args(std::vector<std::string>{"--iterz", "3"}), UsageError);
}

TEST(CliArgs, TrainingFlopsCountTheMatrixProducts) {
  ModelConfig c;
  c.model = "v4";
  c.vocab_size = 6104;
  c.block_size = 8;
  c.n_embed = 32;
  c.n_head = 4;
  // per step, multiply-adds: lm_head 256·32·6104, projections 256·3·32·32,
  // attention 32 sequences · 2 · 8·8 · 32; FLOPs = 2 per multiply-add, × 3 for backward.
  const double macs = 256.0 * 32 * 6104 + 256.0 * 3 * 32 * 32 + 32.0 * 2 * 8 * 8 * 32;
  EXPECT_DOUBLE_EQ(training_flops(c, 32, 8), 6.0 * macs);
  c.model = "v1";
  EXPECT_DOUBLE_EQ(training_flops(c, 32, 8), 6.0 * 256.0 * 32 * 6104);
}

}  // namespace
}  // namespace bg::cli
