// A small persistent thread pool for the engine's kernels.
//
// parallel_for splits [0, n) into at most num_threads() contiguous chunks and runs them at
// once — the calling thread takes the first chunk. Work below `min_per_thread` units per
// thread stays on the calling thread: waking threads costs microseconds, and most of the
// course's ops are smaller than that. The workers block SIGINT, SIGTERM and SIGHUP: those
// reach the program's main thread only (see bg/io/fileio.h).
#pragma once

#include <cstdint>
#include <functional>

namespace bg {

// Number of threads kernels may use (1 = no threading). Defaults to the BG_THREADS
// environment variable, else std::thread::hardware_concurrency().
int num_threads();
void set_num_threads(int n);

// fn(begin, end) over disjoint chunks covering [0, n). `cost_per_item` is a rough count
// of floating-point operations per item, used against the work threshold.
void parallel_for(int64_t n, double cost_per_item,
                  const std::function<void(int64_t begin, int64_t end)>& fn);

}  // namespace bg
