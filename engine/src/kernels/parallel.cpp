#include "bg/kernels/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>
#include <signal.h>

namespace bg {

namespace {

// Below this many flops per thread a task runs on the calling thread alone. Waking a worker
// and waiting for it costs tens of microseconds on a loaded machine; 2 MFLOP is about 10 µs
// of a kernel's work, so smaller tasks are faster alone (lesson 08's heads_bench: the course's
// fused heads took 0.50 ms per step on 2 threads with a 0.2 MFLOP bound, 0.25 ms with this).
constexpr double kMinFlopsPerThread = 2.0e6;

int default_threads() {
  if (const char* env = std::getenv("BG_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

// Workers wait for a generation counter to change, run their chunk, and report back.
class Pool {
 public:
  explicit Pool(int workers) {
    for (int i = 0; i < workers; ++i) {
      threads_.emplace_back([this, i] {
        // Ctrl-C and kill are for the main thread to handle (bg/io/fileio.h delays them while it
        // renames a file into place): a worker never receives them.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        loop(i);
      });
    }
  }
  ~Pool() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }
  int workers() const { return static_cast<int>(threads_.size()); }

  // Runs task(0) on the caller and task(1..parts-1) on workers; returns when all are done.
  void run(int parts, const std::function<void(int)>& task) {
    {
      std::lock_guard lock(mu_);
      task_ = &task;
      parts_ = parts;
      pending_ = parts - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    std::exception_ptr mine;
    try {
      task(0);
    } catch (...) {
      mine = std::current_exception();
    }
    std::unique_lock lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* task = nullptr;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (index + 1 >= parts_) continue;  // not needed this time
        task = task_;
      }
      std::exception_ptr err;
      try {
        (*task)(index + 1);
      } catch (...) {
        err = std::current_exception();
      }
      {
        std::lock_guard lock(mu_);
        if (err && !error_) error_ = err;
        --pending_;
      }
      done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int parts_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

int g_threads = 0;                   // 0: not decided yet
thread_local bool t_inside = false;  // a parallel_for inside a parallel_for runs serially

Pool& pool(int workers) {
  static std::unique_ptr<Pool> p;
  if (!p || p->workers() != workers) p = std::make_unique<Pool>(workers);
  return *p;
}

}  // namespace

int num_threads() {
  if (g_threads == 0) g_threads = default_threads();
  return g_threads;
}

void set_num_threads(int n) { g_threads = std::max(1, n); }

void parallel_for(int64_t n, double cost_per_item,
                  const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const double total = cost_per_item * static_cast<double>(n);
  int parts = std::min<int64_t>(num_threads(), n);
  parts = std::min<int>(parts, std::max(1, static_cast<int>(total / kMinFlopsPerThread)));
  if (parts <= 1 || t_inside) {
    fn(0, n);
    return;
  }
  pool(num_threads() - 1).run(parts, [&](int part) {
    const bool was_inside = t_inside;
    t_inside = true;
    const int64_t begin = n * part / parts;
    const int64_t end = n * (part + 1) / parts;
    try {
      if (begin < end) fn(begin, end);
    } catch (...) {
      t_inside = was_inside;
      throw;
    }
    t_inside = was_inside;
  });
}

}  // namespace bg
