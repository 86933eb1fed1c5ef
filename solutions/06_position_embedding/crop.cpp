// Lesson 06, exercise 3: the context the model sees while generating.
#include <algorithm>
#include <string>

#include "bg/data.h"
#include "bg/error.h"

namespace bg {

std::vector<int32_t> crop_context(std::span<const int32_t> context, int64_t block_size) {
  if (block_size <= 0) {
    throw Error("crop_context: block_size must be positive, got " + std::to_string(block_size));
  }
  const auto keep = std::min<size_t>(context.size(), static_cast<size_t>(block_size));
  return {context.end() - static_cast<std::ptrdiff_t>(keep), context.end()};
}

}  // namespace bg
