// Recycled float buffers, so that a training loop stops allocating once it is warm.
//
// A training step makes the same tensors, of the same sizes, every iteration. When a Node
// dies, its data and grad vectors go back to a per-thread cache keyed by their exact size;
// the next op asking for that size gets one of them back, allocation and page faults
// included for free. Ops on the hot path ask for their output with take_buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace bg {

// A vector of exactly n floats whose contents are unspecified (the op overwrites them).
std::vector<float> take_buffer(size_t n);
// A vector of n zeros.
std::vector<float> take_zeros(size_t n);
// A copy of `values` in a recycled buffer.
std::vector<float> copy_buffer(std::span<const float> values);
// Hands a buffer back for reuse (it is freed if the cache is full).
void give_buffer(std::vector<float>&& buffer);

// A recycled buffer of n floats (contents unspecified) for values an op saves for its
// backward function. A BackwardFn is a std::function, whose captures must be copyable, so the
// buffer is shared; it goes back to the cache when the last copy dies (when the graph is
// freed), instead of being freed.
inline std::shared_ptr<std::vector<float>> take_saved(size_t n) {
  return std::shared_ptr<std::vector<float>>(new std::vector<float>(take_buffer(n)),
                                             [](std::vector<float>* v) {
                                               give_buffer(std::move(*v));
                                               delete v;
                                             });
}

// Statistics of this thread's cache, for the benchmark.
struct BufferStats {
  size_t hits = 0, misses = 0, cached_bytes = 0;
};
BufferStats buffer_stats();

}  // namespace bg
