#include "bg/shape.h"

#include "bg/error.h"

namespace bg {

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t normalize_dim(int64_t dim, const Shape& shape) {
  const auto nd = static_cast<int64_t>(shape.size());
  const int64_t d = dim < 0 ? dim + nd : dim;
  if (d < 0 || d >= nd) {
    throw Error("dim " + std::to_string(dim) + " is out of range for a tensor of shape " +
                shape_str(shape));
  }
  return d;
}

void check_shape(const Shape& shape) {
  for (int64_t s : shape) {
    if (s < 0) throw Error("negative size in shape " + shape_str(shape));
  }
}

}  // namespace bg
