// Engine code (not exercises): log_softmax and cross_entropy take their buffers from the
// cache (bg/kernels/storage.h) and hand the saved log-sum-exps back to it. Built against the
// solutions only.
#include <cstdint>
#include <vector>

#include "bg/autograd.h"
#include "bg/kernels/storage.h"
#include "bg/nn_ops.h"
#include "testing.h"

namespace {

using bg::Tensor;

TEST(OneBuffer, LogSoftmaxTakesItsOutputFromTheCache) {
  const Tensor x = bg::full({4, 32}, 0.25f);
  const bg::BufferStats before = bg::buffer_stats();
  const Tensor y = bg::log_softmax(x, -1);
  const bg::BufferStats after = bg::buffer_stats();
  EXPECT_EQ(after.hits + after.misses, before.hits + before.misses + 1);
}

TEST(OneBuffer, CrossEntropyGivesItsSavedRowStatisticsBack) {
  constexpr int64_t N = 97, V = 3;  // N floats of log-sum-exp: a size nothing else here uses
  const Tensor logits = bg::full({N, V}, 0.5f, true);
  const std::vector<int32_t> targets(N, 1);
  {
    const Tensor loss = bg::cross_entropy(logits, targets);
    loss.backward();
  }  // the loss and its graph die here
  const size_t hits = bg::buffer_stats().hits;
  const std::vector<float> again = bg::take_buffer(N);
  EXPECT_EQ(bg::buffer_stats().hits, hits + 1) << "the saved log-sum-exps were not recycled";
}

}  // namespace
