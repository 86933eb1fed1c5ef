// Lesson 01 — tensors: storage, index arithmetic, creation, printing, random numbers.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "bg/error.h"
#include "bg/kernels/storage.h"
#include "bg/random.h"
#include "bg/shape.h"
#include "bg/tensor.h"

namespace bg {

// ---- exercise 1: shape arithmetic
int64_t numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

// ---- exercise 2: from a multi-index to a position in storage
int64_t flat_index(const Shape& shape, std::span<const int64_t> index) {
  auto describe = [&] {
    std::string s = "index [";
    for (size_t i = 0; i < index.size(); ++i) s += (i ? ", " : "") + std::to_string(index[i]);
    return s + "] for a tensor of shape " + shape_str(shape);
  };
  if (index.size() != shape.size()) throw Error("wrong number of indices: " + describe());
  int64_t pos = 0;
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    int64_t i = index[d];
    if (i < 0) i += shape[d];
    if (i < 0 || i >= shape[d]) throw Error("out of range: " + describe());
    pos += i * stride;
    stride *= shape[d];
  }
  return pos;
}

// ---- exercise 3: creation
Tensor full(const Shape& shape, float value, bool requires_grad) {
  check_shape(shape);
  std::vector<float> values =
      take_buffer(static_cast<size_t>(numel(shape)));  // bg/kernels/storage.h
  std::fill(values.begin(), values.end(), value);
  return Tensor(std::move(values), shape, requires_grad);
}

Tensor arange(float start, float end, float step) {
  if (step == 0.0f) throw Error("arange: step must not be zero");
  if (!std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step)) {
    throw Error("arange: start, end and step must be finite");
  }
  // Like torch.arange: ceil((end - start) / step) values, computed in double.
  const double count = std::ceil((static_cast<double>(end) - start) / step);
  if (count > 1e9) {  // also keeps the cast below defined
    throw Error("arange: " + std::to_string(count) + " values is too many (start " +
                std::to_string(start) + ", end " + std::to_string(end) + ", step " +
                std::to_string(step) + ")");
  }
  const auto n = static_cast<int64_t>(count > 0 ? count : 0);
  std::vector<float> v = take_buffer(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    v[static_cast<size_t>(i)] = static_cast<float>(start + static_cast<double>(i) * step);
  }
  return Tensor(std::move(v), Shape{n});
}

// ---- exercise 4: printing
namespace {

std::string format_value(float x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(x));
  return buf;
}

struct Printer {
  const Tensor& t;
  Shape strides;
  bool summarize;
  size_t width = 0;
  static constexpr int64_t kEdge = 3;

  // The indices of dimension d that are shown (-1 stands for "...").
  std::vector<int64_t> shown(int64_t size) const {
    std::vector<int64_t> idx;
    if (summarize && size > 2 * kEdge) {
      for (int64_t i = 0; i < kEdge; ++i) idx.push_back(i);
      idx.push_back(-1);
      for (int64_t i = size - kEdge; i < size; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < size; ++i) idx.push_back(i);
    }
    return idx;
  }

  void measure(size_t d, int64_t offset) {
    const auto& shape = t.shape();
    if (d == shape.size()) {
      width = std::max(width, format_value(t.data()[static_cast<size_t>(offset)]).size());
      return;
    }
    for (int64_t i : shown(shape[d])) {
      if (i >= 0) measure(d + 1, offset + i * strides[d]);
    }
  }

  void print(std::string& out, size_t d, int64_t offset, size_t indent) const {
    const auto& shape = t.shape();
    if (d == shape.size()) {
      std::string v = format_value(t.data()[static_cast<size_t>(offset)]);
      out += std::string(width - v.size(), ' ') + v;
      return;
    }
    out += '[';
    const auto idx = shown(shape[d]);
    const bool inner = d + 1 == shape.size();
    for (size_t j = 0; j < idx.size(); ++j) {
      if (j > 0) {
        out += ',';
        if (inner) {
          out += ' ';
        } else {
          out += std::string(shape.size() - d - 1, '\n');
          out += std::string(indent + 1, ' ');
        }
      }
      if (idx[j] < 0) {
        out += "...";
      } else {
        print(out, d + 1, offset + idx[j] * strides[d], indent + 1);
      }
    }
    out += ']';
  }
};

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  Printer p{t, contiguous_strides(t.shape()), t.numel() > 1000};
  std::string out = "tensor(";
  if (t.numel() == 0) {
    out += "[], size=" + shape_str(t.shape());
  } else {
    p.measure(0, 0);
    p.print(out, 0, 0, std::string("tensor(").size());
  }
  if (t.requires_grad())
    out += t.is_leaf() ? ", requires_grad=True" : std::string(", grad_fn=<") + t.node().op + ">";
  return out + ")";
}

// ---- exercise 5: random numbers
float Generator::uniform() { return static_cast<float>(next_u32() >> 8u) * 0x1.0p-24f; }

float Generator::normal() {
  const double u1 = uniform();
  const double u2 = uniform();
  return static_cast<float>(std::sqrt(-2.0 * std::log(1.0 - u1)) *
                            std::cos(2.0 * std::numbers::pi * u2));
}

Tensor rand(const Shape& shape, Generator& gen) {
  Tensor t = zeros(shape);
  for (float& x : t.data()) x = gen.uniform();
  return t;
}

Tensor randn(const Shape& shape, Generator& gen) {
  Tensor t = zeros(shape);
  for (float& x : t.data()) x = gen.normal();
  return t;
}

}  // namespace bg
