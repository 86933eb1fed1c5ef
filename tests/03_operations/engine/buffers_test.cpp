// Engine code (not exercises): ops take their output from the buffer cache once and never copy
// it again, and values saved for a backward pass go back to the cache (bg/kernels/storage.h).
// Built against the solutions only.
#include <vector>

#include "bg/kernels/storage.h"
#include "bg/ops.h"
#include "testing.h"

namespace {

using bg::Tensor;

// How many buffers of a cacheable size (>= 64 floats) this thread asked the cache for.
size_t Takes() {
  const bg::BufferStats s = bg::buffer_stats();
  return s.hits + s.misses;
}

TEST(OneBuffer, BroadcastingBinaryOpsTakeOneBufferForTheirOutput) {
  const Tensor a = bg::full({8, 16}, 1.5f, true);
  const Tensor b = bg::full({16}, 0.5f, true);
  for (int op = 0; op < 4; ++op) {
    const size_t before = Takes();
    const Tensor out = op == 0   ? bg::add(a, b)
                       : op == 1 ? bg::sub(a, b)
                       : op == 2 ? bg::mul(a, b)
                                 : bg::div(a, b);
    EXPECT_EQ(Takes() - before, 1u) << "op " << op << " copied its output";
    EXPECT_EQ(out.shape(), (bg::Shape{8, 16}));
  }
}

TEST(OneBuffer, ABinaryOpGivesTheSameValuesAsItsForwardLoop) {
  const Tensor a = bg::arange(0.0f, 128.0f).reshape({8, 16});
  const Tensor b = bg::arange(1.0f, 17.0f);
  EXPECT_EQ(bg::div(a, b).tolist(), bg::broadcast_binary_forward(a, b, bg::BinaryOp::div).tolist());
}

TEST(OneBuffer, SavedBuffersGoBackToTheCache) {
  constexpr size_t n = 4099;  // a size nothing else in this test program uses
  { const auto saved = bg::take_saved(n); }
  const size_t hits = bg::buffer_stats().hits;
  std::vector<float> again = bg::take_buffer(n);
  EXPECT_EQ(bg::buffer_stats().hits, hits + 1) << "the saved buffer was freed, not recycled";
  EXPECT_EQ(again.size(), n);
}

TEST(OneBuffer, ASavedBufferLivesAsLongAsItsLastCopy) {
  std::shared_ptr<std::vector<float>> keep;
  {
    const auto saved = bg::take_saved(100);
    (*saved)[99] = 7.0f;
    keep = saved;
  }
  EXPECT_EQ(keep->size(), 100u);
  EXPECT_EQ((*keep)[99], 7.0f);
}

}  // namespace
