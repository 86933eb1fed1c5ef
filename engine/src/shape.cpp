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

DimSplit split_at(const Shape& shape, int64_t dim) {
  DimSplit s;
  s.dim = normalize_dim(dim, shape);
  const auto d = static_cast<size_t>(s.dim);
  for (size_t k = 0; k < d; ++k) s.outer *= shape[k];
  s.n = shape[d];
  for (size_t k = d + 1; k < shape.size(); ++k) s.inner *= shape[k];
  return s;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t pad = to.size() - from.size();
  for (size_t k = 0; k < from.size(); ++k) {
    if (from[k] != to[pad + k] && from[k] != 1) return false;
  }
  return true;
}

Shape broadcast_strides(const Shape& from, const Shape& to) {
  if (!broadcasts_to(from, to)) {
    throw Error("shape " + shape_str(from) + " does not broadcast to " + shape_str(to));
  }
  const size_t pad = to.size() - from.size();
  Shape strides(to.size(), 0);  // the padded leading dims have size 1 in `from`
  int64_t stride = 1;           // row-major: the product of the sizes after the dim
  for (size_t k = from.size(); k-- > 0;) {
    const bool stretched = from[k] == 1 && to[pad + k] != 1;
    strides[pad + k] = stretched ? 0 : stride;
    stride *= from[k];
  }
  return strides;
}

}  // namespace bg
