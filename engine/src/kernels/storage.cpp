#include "bg/kernels/storage.h"

#include <unistd.h>

#include <algorithm>
#include <unordered_map>

namespace bg {

namespace {

// Keep at most this much memory in the cache, and at most a few hundred buffers of one size;
// beyond that, returned buffers are freed. A step hands back, when its graph is freed, the
// buffers the next step asks for again, so the cache must hold one step's worth. At the
// course's full v11 shape (batch 64 × block 256) that is 3.5 GB for the fast engine's ops
// and 8.3 GB for the lessons' modules, which keep every head's (T, T) matrices (16 MB each)
// and their gradients. Half of the machine's memory leaves room for both; with a quarter
// (6 GB on the course's 24 GB machine) the lessons' modules missed 376 of 3294 requests in
// three steps, each miss fresh memory that the kernel must fault in and zero, and a step took
// 11.8–14.9 s instead of 9.2–10.8. Holding what a step has just used does not raise the peak: it
// was all in use a moment before. (A BabyGPT v4 step makes a few dozen tensors of the same
// size: every head has its own queries, keys, values, scores and weights.)
size_t max_cached_bytes() {
  static const size_t bytes = [] {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGESIZE);
    const size_t floor = size_t{64} << 20;
    if (pages <= 0 || page_size <= 0) return floor;
    return std::max(floor, static_cast<size_t>(pages) * static_cast<size_t>(page_size) / 2);
  }();
  return bytes;
}
constexpr size_t kMaxPerSize = 256;
// Buffers this small are cheaper to allocate than to look up.
constexpr size_t kMinCachedFloats = 64;

// Set when this thread's cache has been destroyed (thread exit), so that tensors dying
// later (statics) free their memory directly instead of touching a dead cache.
thread_local bool t_cache_gone = false;

struct Cache {
  std::unordered_map<size_t, std::vector<std::vector<float>>> free;  // by size
  BufferStats stats;
  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  ~Cache() { t_cache_gone = true; }
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

}  // namespace

std::vector<float> take_buffer(size_t n) {
  if (n >= kMinCachedFloats && !t_cache_gone) {
    Cache& c = cache();
    auto it = c.free.find(n);
    if (it != c.free.end() && !it->second.empty()) {
      std::vector<float> v = std::move(it->second.back());
      it->second.pop_back();
      c.stats.cached_bytes -= n * sizeof(float);
      ++c.stats.hits;
      return v;
    }
    ++c.stats.misses;
  }
  return std::vector<float>(n);
}

std::vector<float> take_zeros(size_t n) {
  std::vector<float> v = take_buffer(n);
  std::fill(v.begin(), v.end(), 0.0f);
  return v;
}

std::vector<float> copy_buffer(std::span<const float> values) {
  std::vector<float> v = take_buffer(values.size());
  std::copy(values.begin(), values.end(), v.begin());
  return v;
}

void give_buffer(std::vector<float>&& buffer) {
  const size_t n = buffer.size();
  if (n < kMinCachedFloats || buffer.capacity() != n || t_cache_gone) return;  // freed normally
  Cache& c = cache();
  if (c.stats.cached_bytes + n * sizeof(float) > max_cached_bytes()) return;
  auto& same = c.free[n];
  if (same.size() >= kMaxPerSize) return;
  c.stats.cached_bytes += n * sizeof(float);
  same.push_back(std::move(buffer));
}

BufferStats buffer_stats() { return t_cache_gone ? BufferStats{} : cache().stats; }

}  // namespace bg
