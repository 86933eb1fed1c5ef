// babygpt heads (lesson 14) and --prune-heads on eval and sample.
#include <gtest/gtest.h>

#include <string>

#include "bg/cli/checkpoint.h"
#include "bg/cli/commands.h"
#include "bg/io/fileio.h"
#include "bg/models.h"
#include "bg/text.h"
#include "cli_testing.h"
#include "testing.h"

namespace bg::cli {
namespace {

using bg::testing::DoesNotMention;
using bg::testing::Mentions;
using testing::Args;
using testing::CliTest;

class HeadsCli : public CliTest {
 protected:
  // A random model of `version` (2 layers of 2 heads) over the test text's characters.
  std::string checkpoint(const std::string& version) {
    text_ = make_text().string();
    const CharTokenizer tok(read_file(text_));
    ModelConfig c;
    c.model = version;
    c.vocab_size = tok.vocab_size();
    c.block_size = 8;
    c.n_embed = 8;
    c.n_head = 2;
    c.n_layer = 2;
    c.dropout = c.has_dropout() ? 0.1f : 0.0f;
    Generator gen(3);
    const auto model = make_model(c, gen);
    const std::string file = path(version + ".safetensors").string();
    save_checkpoint(file, *model, tok);
    return file;
  }
  std::string text_;
};

TEST_F(HeadsCli, WritesTheTablesAndPictures) {
  const std::string ck = checkpoint("v11");
  const Result r =
      babygpt({"heads", "--checkpoint", ck, "--data", text_, "--out", path("out").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Mentions(r.out, "with all 4 heads", "stdout"));
  EXPECT_TRUE(Mentions(r.out, "within +0.02 nats", "stdout"));
  EXPECT_TRUE(Mentions(r.err, "ablation: 9 evaluations", "stderr"));
  const std::string roles = read_file(path("out/roles.md"));
  for (const char* head : {"| 0.0 |", "| 0.1 |", "| 1.0 |", "| 1.1 |"}) {
    EXPECT_TRUE(Mentions(roles, head, "roles.md"));
  }
  const std::string ablation = read_file(path("out/ablation.md"));
  EXPECT_TRUE(Mentions(ablation, "| 4 | ", "ablation.md"));  // the fourth head removed
  EXPECT_TRUE(Mentions(ablation, "| 0 |", "ablation.md"));   // … leaves none
  EXPECT_TRUE(Mentions(read_file(path("out/roles.svg")), "layer 1", "roles.svg"));
  EXPECT_TRUE(Mentions(read_file(path("out/pruning.svg")), "heads kept", "pruning.svg"));
}

TEST_F(HeadsCli, DefaultOutIsBesideTheCheckpointAndWindowsBoundTheRoles) {
  const std::string ck = checkpoint("v8");
  const Result r = babygpt({"heads", "--checkpoint", ck, "--data", text_, "--windows", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Mentions(r.err, "head roles: 2 windows", "stderr"));
  EXPECT_TRUE(Mentions(read_file(path("heads/roles.md")), "means over 2 windows", "roles.md"));
}

TEST_F(HeadsCli, RefusesAVersionWithoutWO) {
  const std::string ck = checkpoint("v7");
  const Result r = babygpt({"heads", "--checkpoint", ck, "--data", text_});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "holds a v7 model", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "comes in v8", "stderr"));
}

TEST_F(HeadsCli, PruneHeadsChangesEvalAndSample) {
  const std::string ck = checkpoint("v11");
  const Result all = babygpt({"eval", "--checkpoint", ck, "--data", text_});
  const Result none = babygpt({"eval", "--checkpoint", ck, "--data", text_, "--prune-heads", ""});
  EXPECT_EQ(none.code, kExitUsage);
  const Result pruned =
      babygpt({"eval", "--checkpoint", ck, "--data", text_, "--prune-heads", "1.0,0.1"});
  ASSERT_EQ(all.code, 0) << all.err;
  ASSERT_EQ(pruned.code, 0) << pruned.err;
  EXPECT_TRUE(Mentions(pruned.out, "heads removed: 1.0 0.1", "stdout"));
  EXPECT_NE(testing::last_line(all.out), testing::last_line(pruned.out));
  // sampling with the cache and without it gives the same pruned text
  const Args sample{"sample", "--checkpoint", ck, "--prompt", "春江", "--tokens", "30"};
  Args pruned_sample = sample;
  pruned_sample.insert(pruned_sample.end(), {"--prune-heads", "0.0,0.1,1.0,1.1"});
  Args pruned_no_cache = pruned_sample;
  pruned_no_cache.push_back("--no-kv-cache");
  const Result a = babygpt(sample), b = babygpt(pruned_sample), c = babygpt(pruned_no_cache);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(a.out, b.out);
  EXPECT_EQ(b.out, c.out);
}

TEST_F(HeadsCli, PruneHeadsNamesWhatIsWrong) {
  const std::string ck = checkpoint("v11");
  Result r = babygpt({"eval", "--checkpoint", ck, "--data", text_, "--prune-heads", "1-2"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(Mentions(r.err, "--prune-heads: '1-2' is not a head", "stderr"));
  r = babygpt({"sample", "--checkpoint", ck, "--prune-heads", "2.0"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "no head 2.0", "stderr"));
  EXPECT_TRUE(DoesNotMention(r.out, "春江", "stdout"));
  r = babygpt({"sample", "--checkpoint", checkpoint("v6"), "--prune-heads", "0.0"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "W^O", "stderr"));
}

}  // namespace
}  // namespace bg::cli
