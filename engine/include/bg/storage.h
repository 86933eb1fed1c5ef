// Recycled float buffers, so that a training loop stops allocating once it is warm.
//
// A training step makes the same tensors, of the same sizes, every iteration. When a Node
// dies, its data and grad vectors go back to a per-thread cache keyed by their exact size;
// the next op asking for that size gets one of them back, allocation and page faults
// included for free. Ops on the hot path ask for their output with take_buffer.
#pragma once

#include <cstddef>
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

// A buffer of n floats an op keeps for its backward pass (held by its backward function
// through a shared_ptr): when the graph is freed it goes back to the cache, as a node's data
// and gradient do. A plain std::vector there would be freed and allocated again every step.
class SavedBuffer {
 public:
  explicit SavedBuffer(size_t n) : data_(take_buffer(n)) {}
  ~SavedBuffer() { give_buffer(std::move(data_)); }
  SavedBuffer(const SavedBuffer&) = delete;
  SavedBuffer& operator=(const SavedBuffer&) = delete;
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  size_t size() const { return data_.size(); }
  float& operator[](size_t i) { return data_[i]; }
  float operator[](size_t i) const { return data_[i]; }

 private:
  std::vector<float> data_;
};

// Statistics of this thread's cache, for the benchmark.
struct BufferStats {
  size_t hits = 0, misses = 0, cached_bytes = 0;
};
BufferStats buffer_stats();

}  // namespace bg
