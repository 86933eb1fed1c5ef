// The babygpt program against bad input (issue 9): checkpoint headers checked before anything
// is built, directories and FIFOs where a file is expected, numbers that do not survive the
// float they are used as, Ctrl-C during an evaluation, outputs that cannot be written and
// values too large to run — each refused early, with a message naming the flag or the file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bg/cli/checkpoint.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/cli/program.h"
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
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class CliRobust : public testing::CliTest {
 protected:
  static Args tiny_train(const fs::path& data, const fs::path& out, const std::string& iters = "20",
                         const std::string& eval_iters = "2") {
    return {"train",           "--data=" + data.string(),
            "--out",           out.string(),
            "--model",         "v4",
            "--iters",         iters,
            "--batch-size",    "4",
            "--block-size",    "6",
            "--n-embed",       "8",
            "--n-head",        "2",
            "--eval-interval", "10",
            "--eval-iters",    eval_iters,
            "--sample-tokens", "12",
            "--seed=5"};
  }
  // A tiny v4 checkpoint's tensors and metadata, to be tampered with.
  void tiny_checkpoint(NamedTensors& params, std::map<std::string, std::string>& meta,
                       const std::string& model = "v4") {
    ModelConfig c;
    c.model = model;
    c.vocab_size = 4;
    c.block_size = 6;
    c.n_embed = 8;
    c.n_head = 2;
    c.n_layer = 2;
    Generator gen(3);
    params = make_model(c, gen)->named_parameters();
    meta = {{"model", model}, {"vocab_size", "4"}, {"block_size", "6"}, {"n_embed", "8"},
            {"n_head", "2"},  {"n_layer", "2"},    {"dropout", "0.0"},  {"vocab", "abcd"}};
  }
};

// ---- 1. the checkpoint header is checked before the model is built

TEST_F(CliRobust, HugeSizesInACheckpointAreRefusedBeforeBuilding) {
  NamedTensors params;
  std::map<std::string, std::string> meta;
  tiny_checkpoint(params, meta);
  const fs::path p = path("m.safetensors");
  auto wrong = meta;
  wrong["block_size"] = "5000000";  // a 5000000 x 8 position table before the fix
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "m.safetensors", "block_size 5000000", "at most 65536");
  // The sizes claim a model far larger than the tensors the file holds.
  tiny_checkpoint(params, meta, "v8");
  wrong = meta;
  wrong["n_embed"] = "1024";
  wrong["n_head"] = "2";
  save_safetensors(p, params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(p), "m.safetensors", "n_embed 1024", "parameters",
                  "the file holds");
}

TEST(CliRobustCount, ParameterCountIsTheModels) {
  for (const std::string model :
       {"v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11"}) {
    ModelConfig c;
    c.model = model;
    c.vocab_size = 7;
    c.block_size = 5;
    c.n_embed = 12;
    c.n_head = 3;
    c.n_layer = 2;
    Generator gen(1);
    EXPECT_EQ(parameter_count(c), static_cast<double>(make_model(c, gen)->num_parameters()))
        << model;
  }
}

TEST_F(CliRobust, AbsurdSizesAreRefusedAtOnce) {
  // Before the fix: 8 GB and more filled before the shape error.
  NamedTensors params;
  std::map<std::string, std::string> meta;
  tiny_checkpoint(params, meta);
  auto wrong = meta;
  wrong["n_embed"] = "65536";
  wrong["n_head"] = "65536";
  save_safetensors(path("m.safetensors"), params, wrong);
  const auto start = Clock::now();
  EXPECT_BG_ERROR(load_checkpoint(path("m.safetensors")), "parameters", "the file holds");
  EXPECT_LT(seconds_since(start), 1.0);
  wrong = meta;
  wrong["n_layer"] = "100000";
  save_safetensors(path("m.safetensors"), params, wrong);
  EXPECT_BG_ERROR(load_checkpoint(path("m.safetensors")), "n_layer 100000", "at most 1024");
}

// ---- 2. directories and FIFOs

TEST_F(CliRobust, ADirectoryIsNotAFile) {
  fs::create_directories(path("adir"));
  EXPECT_BG_ERROR(read_file(path("adir")), "adir", "is a directory");
  Result r = babygpt({"sample", "--checkpoint", path("adir").string()});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "adir", "stderr"));
  EXPECT_TRUE(Mentions(r.err, "is a directory", "stderr"));
  r = babygpt({"bench", "--data", path("adir").string(), "--iters", "1"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "is a directory", "stderr"));
}

TEST_F(CliRobust, AFifoIsRefusedWithoutWaitingForAWriter) {
  const fs::path fifo = path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Before the fix, read_file blocks in open() until a writer comes: this thread comes after
  // 3 s, so that the test fails instead of hanging.
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::atomic<bool> had_to_unblock{false};
  std::thread rescue([&] {
    std::unique_lock lock(m);
    if (cv.wait_for(lock, std::chrono::seconds(3), [&] { return done; })) return;
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) {
      had_to_unblock = true;
      ::close(fd);
    }
  });
  std::string message;
  try {
    (void)read_file(fifo);
  } catch (const Error& e) {
    message = e.what();
  }
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_one();
  rescue.join();
  EXPECT_FALSE(had_to_unblock) << "read_file waited for a writer on a FIFO";
  EXPECT_TRUE(Mentions(message, "pipe", "the error message"));
  EXPECT_TRUE(Mentions(message, "FIFO", "the error message"));
}

// ---- 3. numbers are parsed into the type they are used as

TEST_F(CliRobust, NumbersMustSurviveTheirFloat) {
  EXPECT_BG_ERROR(parse_train_args(Args{"--lr", "1e-320"}), "--lr", "too small");
  EXPECT_BG_ERROR(parse_train_args(Args{"--lr", "1e39"}), "--lr", "too large");
  EXPECT_BG_ERROR(parse_train_args(Args{"--model", "v10", "--dropout", "1e-50"}), "--dropout",
                  "too small");
  const std::string m = ::bg::testing::ErrorMessage([] {
    (void)parse_sample_args(Args{"--checkpoint", "c", "--temperature", "1e-50"});
  });
  EXPECT_TRUE(Mentions(m, "--temperature", "the error message"));
  EXPECT_TRUE(DoesNotMention(m, "0.000000", "the error message"));
  // A 300-digit number is refused, and not repeated in full.
  const std::string huge = "1" + std::string(299, '0');
  const std::string h = ::bg::testing::ErrorMessage([&] {
    (void)parse_train_args(Args{"--lr", huge});
  });
  EXPECT_TRUE(Mentions(h, "--lr", "the help text"));
  EXPECT_LT(h.size(), 160u) << h;
  // The value is the float the program uses, not a double that is rounded later.
  EXPECT_EQ(parse_train_args(Args{"--lr", "3e-4"}).lr, 3e-4f);
  EXPECT_EQ(parse_sample_args(Args{"--checkpoint", "c", "--temperature", "0.7"}).temperature, 0.7f);
}

TEST_F(CliRobust, DivergenceMessageShowsTheLearningRateCompactly) {
  Args a = tiny_train(make_text(), path("run"));
  a.insert(a.end(), {"--lr", "1e30"});
  const Result r = babygpt(a);
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(Mentions(r.err, "--lr (now 1e+30)", "stderr"));
}

// ---- 4. Ctrl-C during an evaluation

// Sends SIGINT to the calling thread as soon as babygpt's own SIGINT handler is installed.
class CtrlCOnceHandled {
 public:
  CtrlCOnceHandled() : target_(pthread_self()) {
    struct sigaction sentinel {};
    sentinel.sa_handler = on_sentinel;
    sigaction(SIGINT, &sentinel, &previous_);
    thread_ = std::thread([this] {
      while (!stop_) {
        struct sigaction now {};
        sigaction(SIGINT, nullptr, &now);
        if (now.sa_handler != on_sentinel) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // into the evaluation
          pthread_kill(target_, SIGINT);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  ~CtrlCOnceHandled() {
    stop_ = true;
    thread_.join();
    sigaction(SIGINT, &previous_, nullptr);
  }

 private:
  static void on_sentinel(int) {}
  pthread_t target_;
  struct sigaction previous_ {};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(CliRobust, CtrlCDuringTheFirstEvaluationStopsAndKeepsTheOldCheckpoint) {
  const fs::path data = make_text();
  fs::create_directories(path("run"));
  write_file_atomic(path("run") / "model.safetensors", "the trained model");
  const auto start = Clock::now();
  Result r{};
  {
    CtrlCOnceHandled ctrl_c;
    // 200,000 batches per split: a minute or more without Ctrl-C.
    r = babygpt(tiny_train(data, path("run"), "20", "200000"));
  }
  EXPECT_LT(seconds_since(start), 20.0) << "Ctrl-C was not honoured during the evaluation";
  EXPECT_EQ(r.code, 130) << r.err;
  EXPECT_TRUE(read_file(path("run") / "model.safetensors") == "the trained model")
      << "the existing checkpoint was replaced";
  EXPECT_TRUE(Mentions(r.out, "nothing written", "stdout"));
}

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

TEST_F(CliRobust, AnInterruptedRunDoesNotReplaceAnExistingCheckpoint) {
  const fs::path data = make_text();
  fs::create_directories(path("run"));
  write_file_atomic(path("run") / "model.safetensors", "the trained model");
  InterruptingBuffer buffer("step 10/");
  std::ostream out(&buffer);
  std::ostringstream err;
  const int code = run(tiny_train(data, path("run"), "40"), out, err);
  EXPECT_EQ(code, 130) << err.str();
  EXPECT_TRUE(read_file(path("run") / "model.safetensors") == "the trained model")
      << "the existing checkpoint was replaced";
  ASSERT_TRUE(fs::exists(path("run") / "model.interrupted.safetensors")) << buffer.str();
  EXPECT_EQ(load_checkpoint(path("run") / "model.interrupted.safetensors").config.model, "v4");
  EXPECT_TRUE(Mentions(buffer.str(), "model.interrupted.safetensors", "the output"));
}

// ---- 5. outputs that cannot be written are found before the first step

TEST_F(CliRobust, AnUnwritableOutIsFoundBeforeTraining) {
  const fs::path data = make_text();
  // A directory where the checkpoint should go: the rename at the end would fail.
  fs::create_directories(path("run") / "model.safetensors");
  Result r = babygpt(tiny_train(data, path("run")));
  EXPECT_EQ(r.code, kExitError);
  EXPECT_TRUE(DoesNotMention(r.out, "step 0/", "stdout"));
  EXPECT_TRUE(Mentions(r.err, "model.safetensors", "stderr"));
  if (fs::is_directory("/proc/self")) {
    r = babygpt(tiny_train(data, "/proc"));
    EXPECT_EQ(r.code, kExitError);
    EXPECT_TRUE(DoesNotMention(r.out, "step 0/", "stdout"));
    EXPECT_TRUE(Mentions(r.err, "/proc", "stderr"));
  }
}

TEST_F(CliRobust, TooManySampleTokensAreRefusedBeforeTraining) {
  Args a = tiny_train(make_text(), path("run"));
  *(std::find(a.begin(), a.end(), "--sample-tokens") + 1) = "1099511627776";  // 2^40
  const Result r = babygpt(a);
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_TRUE(DoesNotMention(r.out, "step 0/", "stdout"));
  EXPECT_TRUE(Mentions(r.err, "--sample-tokens", "stderr"));
}

// ---- 7. huge values are bounded, with a message naming the flag

TEST_F(CliRobust, HugeTokensAndBatchesNameTheirFlag) {
  Result r = babygpt({"sample", "--checkpoint", "c", "--tokens", "1099511627776"});
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_TRUE(Mentions(r.err, "--tokens", "stderr"));
  // One step of 2^20 x 8 tokens of n_embed 65536 needs terabytes.
  Args a = {"train",
            "--data",
            make_text().string(),
            "--out",
            path("run").string(),
            "--model",
            "v2",
            "--batch-size",
            "1048576",
            "--n-embed",
            "65536",
            "--iters",
            "1"};
  r = babygpt(a);
  EXPECT_EQ(r.code, kExitError) << r.err;
  EXPECT_TRUE(Mentions(r.err, "--batch-size", "stderr"));
  EXPECT_TRUE(DoesNotMention(r.err, "out of memory", "stderr"));
  r = babygpt({"bench", "--model", "v2", "--vocab-size", "50", "--batch-size", "1048576",
               "--n-embed", "65536", "--iters", "1", "--warmup", "0", "--threads", "1"});
  EXPECT_EQ(r.code, kExitError) << r.err;
  EXPECT_TRUE(Mentions(r.err, "--batch-size", "stderr"));
}

}  // namespace
}  // namespace bg::cli
