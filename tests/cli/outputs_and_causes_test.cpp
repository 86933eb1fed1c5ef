// The babygpt program, round three of its robustness (issue 21): what an output replaces (a
// link is followed, a device or a FIFO written in place, the rest refused), and messages that
// name the real cause — a loop of symbolic links in every command, a directory given as
// --tarball, a read-only prepare-data target, a checkpoint whose finite weights overflow, a
// header claiming a thousand layers.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/program.h"
#include "bg/data.h"
#include "bg/io/fileio.h"
#include "bg/io/safetensors.h"
#include "cli_testing.h"
#include "testing.h"

namespace bg::cli {
namespace {

using ::bg::testing::DoesNotMention;
using ::bg::testing::Mentions;
using testing::Args;
namespace fs = std::filesystem;

class CliOutputsAndCauses : public testing::CliTest {
 protected:
  // A tiny v4 checkpoint over the characters "abcd", every weight `weight` when given.
  fs::path tiny_checkpoint(const std::string& name = "m.safetensors", float weight = 0.0f) const {
    ModelConfig c;
    c.model = "v4";
    c.vocab_size = 4;
    c.block_size = 6;
    c.n_embed = 8;
    c.n_head = 2;
    Generator gen(3);
    const auto model = make_model(c, gen);
    if (weight != 0.0f) {
      for (auto& [n, p] : model->named_parameters()) {
        Tensor t = p;
        for (float& v : t.data()) v = weight;
      }
    }
    save_checkpoint(path(name), *model, CharTokenizer("abcd"));
    return path(name);
  }
  static mode_t kind(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & S_IFMT;
  }
  Args attention_to(const fs::path& out) const {
    return {"attention", "--checkpoint", path("m.safetensors").string(), "--prompt", "abca",
            "--out",     out.string()};
  }
};

// ---- 1. what an output replaces

TEST_F(CliOutputsAndCauses, AttentionFollowsALinkAndRefusesADirectory) {
  tiny_checkpoint();
  fs::create_directories(path("pictures"));
  write_file_atomic(path("pictures") / "att.svg", "old");
  fs::create_symlink("pictures/att.svg", path("att.svg"));
  Result r = babygpt(attention_to(path("att.svg")));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(kind(path("att.svg")), S_IFLNK) << "the link was replaced";
  EXPECT_TRUE(read_file(path("pictures") / "att.svg").starts_with("<svg"));
  fs::create_directories(path("adir"));
  r = babygpt(attention_to(path("adir")));
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "adir", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "it is a directory", "stderr"));
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  r = babygpt(attention_to(path("pipe")));
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "FIFO that no process reads", "stderr"));
  EXPECT_EQ(kind(path("pipe")), S_IFIFO);
}

TEST_F(CliOutputsAndCauses, TrainWritesThroughLinksAndKeepsThem) {
  const fs::path data = make_text();
  fs::create_directories(path("run"));
  fs::create_directories(path("keep"));
  fs::create_symlink("../keep/model.safetensors", path("run") / "model.safetensors");  // dangling
  write_file_atomic(path("keep") / "loss.svg", "old");
  fs::create_symlink(path("keep") / "loss.svg", path("run") / "loss.svg");
  const Result r = babygpt({"train",
                            "--data",
                            data.string(),
                            "--out",
                            path("run").string(),
                            "--model",
                            "v4",
                            "--iters",
                            "4",
                            "--batch-size",
                            "2",
                            "--block-size",
                            "4",
                            "--n-embed",
                            "8",
                            "--n-head",
                            "2",
                            "--eval-interval",
                            "2",
                            "--eval-iters",
                            "1",
                            "--sample-tokens",
                            "4",
                            "--seed",
                            "5"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(kind(path("run") / "model.safetensors"), S_IFLNK);
  EXPECT_EQ(kind(path("run") / "loss.svg"), S_IFLNK);
  EXPECT_EQ(load_checkpoint(path("keep") / "model.safetensors").config.model, "v4");
  EXPECT_TRUE(read_file(path("keep") / "loss.svg").starts_with("<svg"));
}

TEST_F(CliOutputsAndCauses, DevNullIsWrittenInPlace) {
  // As root a regression would replace the machine's /dev/null: the next test covers root.
  if (::geteuid() == 0) GTEST_SKIP() << "run as root: see DeviceNodesAsRoot";
  tiny_checkpoint();
  const Result r = babygpt(attention_to("/dev/null"));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

// As root (CI), `attention --out /dev/full` used to print "wrote /dev/full" and replace the
// device with a regular file. Here on device nodes of the test's own.
TEST_F(CliOutputsAndCauses, DeviceNodesAsRoot) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to make device nodes with mknod (CI runs it as root)";
  }
  if (::mknod(path("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0 ||
      ::mknod(path("full").c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0 ||
      ::mknod(path("block").c_str(), S_IFBLK | 0600, makedev(7, 0)) != 0) {
    GTEST_SKIP() << "mknod is not allowed here even as root: " << std::strerror(errno);
  }
  tiny_checkpoint();
  Result r = babygpt(attention_to(path("full")));
  EXPECT_EQ(r.code, kExitError) << r.out;
  EXPECT_TRUE(Mentions(r.err, "full': the device is full", "stderr"));
  EXPECT_TRUE(DoesNotMention(r.out, "wrote", "stdout"));
  r = babygpt(attention_to(path("null")));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  r = babygpt(attention_to(path("block")));
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "it is a block device", "stderr"));
  // train refuses a block device as its checkpoint before the first step.
  fs::create_directories(path("run"));
  ASSERT_EQ(::mknod((path("run") / "model.safetensors").c_str(), S_IFBLK | 0600, makedev(7, 0)), 0);
  r = babygpt({"train", "--data", make_text().string(), "--out", path("run").string(), "--model",
               "v2", "--iters", "1"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(DoesNotMention(r.out, "step 0/", "stdout"));
  EXPECT_TRUE(Mentions(r.err, "it is a block device", "stderr"));
  EXPECT_EQ(kind(path("null")), S_IFCHR);
  EXPECT_EQ(kind(path("full")), S_IFCHR);
  EXPECT_EQ(kind(path("block")), S_IFBLK);
  EXPECT_EQ(kind(path("run") / "model.safetensors"), S_IFBLK);
}

// ---- 6. messages that name the cause

// Before: "internal error: filesystem error" (sample, attention, prepare-data) or "does not
// exist" (train, eval, bench).
TEST_F(CliOutputsAndCauses, ALoopOfLinksIsNamedByEveryCommand) {
  fs::create_symlink("loop2", path("loop1"));
  fs::create_symlink("loop1", path("loop2"));
  const std::string loop = path("loop1").string();
  const std::string data = make_text().string();
  const std::string ck = tiny_checkpoint().string();
  const std::vector<Args> runs = {
      {"sample", "--checkpoint", loop},
      {"eval", "--checkpoint", loop, "--data", data},
      {"eval", "--checkpoint", ck, "--data", loop},
      {"train", "--data", loop, "--out", path("run").string(), "--iters", "1"},
      {"train", "--data", data, "--out", loop, "--model", "v2", "--iters", "1"},
      {"attention", "--checkpoint", loop, "--prompt", "ab", "--out", path("a.svg").string()},
      {"attention", "--checkpoint", ck, "--prompt", "ab", "--out", loop},
      {"prepare-data", "--out", loop, "--tarball", data},
      {"prepare-data", "--out", path("ci.txt").string(), "--tarball", loop},
      {"bench", "--data", loop, "--iters", "1"},
  };
  for (const Args& a : runs) {
    const Result r = babygpt(a);
    const std::string run = a[0] + " " + a[1] + " " + a[2];
    EXPECT_EQ(r.code, kExitError) << run << "\n" << r.err;
    EXPECT_TRUE(Mentions(r.err, "loop1", "stderr of " + run));
    EXPECT_TRUE(Mentions(r.err, "symbolic links", "stderr of " + run));
    EXPECT_TRUE(DoesNotMention(r.err, "internal error", "stderr of " + run));
    EXPECT_TRUE(DoesNotMention(r.err, "does not exist", "stderr of " + run));
  }
}

TEST_F(CliOutputsAndCauses, PrepareDataSaysWhyItCannotStart) {
  fs::create_directories(path("adir"));
  Result r = babygpt(
      {"prepare-data", "--out", path("ci.txt").string(), "--tarball", path("adir").string()});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "--tarball " + path("adir").string() + " is a directory", "stderr"));
  // A target that cannot be written: a read-only directory (for root, who may write any
  // directory, one of /sys, which refuses new files).
  fs::path target;
  if (::geteuid() != 0) {
    fs::create_directories(path("ro"));
    fs::permissions(path("ro"), fs::perms::owner_read | fs::perms::owner_exec);
    target = path("ro") / "ci.txt";
  } else if (fs::is_directory("/sys/kernel")) {
    target = "/sys/kernel/bg-ci.txt";
  } else {
    GTEST_SKIP() << "as root, no read-only directory to try";
  }
  r = babygpt({"prepare-data", "--out", target.string(), "--tarball", make_text().string()});
  if (::geteuid() != 0) fs::permissions(path("ro"), fs::perms::owner_all);  // to be removed
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "cannot write '" + target.string() + "'", "stderr"));
  const bool why = r.err.find("Permission denied") != std::string::npos ||
                   r.err.find("Read-only file system") != std::string::npos;
  EXPECT_TRUE(why) << "the reason is missing: " << r.err;
}

// Weights of 3e38 are finite, so the file is fine, but the model's arithmetic overflows. Before:
// "multinomial: weight 0 is -nan" (sample), "the loss is not finite: -nan" (eval), and a
// picture of nan (attention).
TEST_F(CliOutputsAndCauses, OutputsThatAreNotFiniteBlameTheCheckpoint) {
  const fs::path ck = tiny_checkpoint("huge.safetensors", 3e38f);
  std::string text;
  for (int i = 0; i < 40; ++i) text += "abcdcba";
  write_file_atomic(path("abcd.txt"), text);
  const std::vector<Args> runs = {
      {"sample", "--checkpoint", ck.string(), "--prompt", "ab", "--tokens", "3"},
      {"sample", "--checkpoint", ck.string(), "--prompt", "ab", "--tokens", "3", "--no-kv-cache"},
      {"eval", "--checkpoint", ck.string(), "--data", path("abcd.txt").string()},
      {"attention", "--checkpoint", ck.string(), "--prompt", "ab", "--out", path("a.svg").string()},
  };
  for (const Args& a : runs) {
    const Result r = babygpt(a);
    EXPECT_EQ(r.code, kExitError) << a[0] << "\n" << r.err;
    EXPECT_TRUE(Mentions(r.err, "huge.safetensors", "stderr of " + a[0]));
    EXPECT_TRUE(Mentions(r.err, "not finite", "stderr of " + a[0]));
    EXPECT_TRUE(Mentions(r.err, "the checkpoint is broken", "stderr of " + a[0]));
    EXPECT_TRUE(DoesNotMention(r.err, "multinomial", "stderr of " + a[0]));
  }
  EXPECT_FALSE(fs::exists(path("a.svg")));
}

// What the commands' checks miss (a token whose row alone overflows) is still named when it is
// drawn: before, "multinomial: weight 0 is -nan".
TEST(CliOutputsAndCausesSampling, ALogitThatIsNotFiniteIsNamed) {
  const std::vector<float> logits = {0.5f, std::numeric_limits<float>::infinity(), 1.0f};
  Generator gen(1);
  std::vector<float> scratch;
  EXPECT_BG_ERROR(sample_token(logits, SampleOptions{}, gen, scratch), "logit for token 1", "inf",
                  "not finite");
}

// A header claiming 1024 layers lacks thousands of tensors: the message shows a few and counts
// them. Before, all of them: 275 KB for a real checkpoint.
TEST_F(CliOutputsAndCauses, AThousandMissingTensorsAreCountedNotListed) {
  ModelConfig c;
  c.model = "v6";
  c.vocab_size = 4;
  c.block_size = 6;
  c.n_embed = 4;
  c.n_head = 2;
  c.n_layer = 2;
  Generator gen(3);
  const auto model = make_model(c, gen);
  std::map<std::string, std::string> meta = {
      {"model", "v6"}, {"vocab_size", "4"}, {"block_size", "6"}, {"n_embed", "4"},
      {"n_head", "2"}, {"n_layer", "1024"}, {"vocab", "abcd"}};
  save_safetensors(path("m.safetensors"), model->named_parameters(), meta);
  const std::string m =
      ::bg::testing::ErrorMessage([&] { (void)load_checkpoint(path("m.safetensors")); });
  EXPECT_TRUE(Mentions(m, "missing tensors", "the error message"));
  EXPECT_TRUE(Mentions(m, "blocks.2.", "the error message"));
  EXPECT_TRUE(Mentions(m, "in all)", "the error message"));
  EXPECT_LT(m.size(), 1000u) << m.substr(0, 2000);
}

}  // namespace
}  // namespace bg::cli
