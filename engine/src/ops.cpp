// The ops of lesson 03 that are not exercises: scalar forms, negation, reshape and the
// operators. They are the worked examples the lesson walks through.
#include "bg/ops.h"
#include "bg/kernels/storage.h"

#include "bg/autograd.h"
#include "bg/error.h"

namespace bg {

namespace {

// y = scale·x + shift elementwise; the gradient is scale·g.
Tensor affine(const Tensor& a, float scale, float shift, const char* name) {
  const auto x = a.data();
  std::vector<float> y = take_buffer(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = scale * x[i] + shift;
  return make_result(
      std::move(y), a.shape(), {a},
      [scale](const Node& out) {
        auto gx = grad_buffer(out.parents[0].node());
        for (size_t i = 0; i < gx.size(); ++i) gx[i] += scale * out.grad[i];
      },
      name);
}

}  // namespace

Tensor add(const Tensor& a, float b) { return affine(a, 1.0f, b, "add"); }
Tensor sub(const Tensor& a, float b) { return affine(a, 1.0f, -b, "sub"); }
Tensor mul(const Tensor& a, float b) { return affine(a, b, 0.0f, "mul"); }
Tensor div(const Tensor& a, float b) { return affine(a, 1.0f / b, 0.0f, "div"); }
Tensor neg(const Tensor& a) { return affine(a, -1.0f, 0.0f, "neg"); }

Tensor reshape(const Tensor& a, Shape shape) {
  int64_t known = 1;
  int64_t infer = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (infer >= 0) throw Error("reshape: only one dimension can be -1, got " + shape_str(shape));
      infer = static_cast<int64_t>(d);
    } else if (shape[d] < 0) {
      throw Error("reshape: invalid size in shape " + shape_str(shape));
    } else {
      known *= shape[d];
    }
  }
  const Shape requested = shape;
  if (infer >= 0 && known != 0 && a.numel() % known == 0) {
    shape[static_cast<size_t>(infer)] = a.numel() / known;
  }
  if (infer >= 0 && shape[static_cast<size_t>(infer)] == -1) {
    throw Error("reshape: cannot view shape " + shape_str(a.shape()) + " (" +
                std::to_string(a.numel()) + " elements) as " + shape_str(requested));
  }
  if (numel(shape) != a.numel()) {
    throw Error("reshape: cannot view shape " + shape_str(a.shape()) + " (" +
                std::to_string(a.numel()) + " elements) as " + shape_str(requested));
  }
  return make_result(
      copy_buffer(a.data()), std::move(shape), {a},
      [](const Node& out) {
        auto gx = grad_buffer(out.parents[0].node());
        for (size_t i = 0; i < gx.size(); ++i) gx[i] += out.grad[i];
      },
      "reshape");
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, float b) { return add(a, b); }
Tensor operator-(const Tensor& a, float b) { return sub(a, b); }
Tensor operator*(const Tensor& a, float b) { return mul(a, b); }
Tensor operator/(const Tensor& a, float b) { return div(a, b); }
Tensor operator+(float a, const Tensor& b) { return add(b, a); }
Tensor operator-(float a, const Tensor& b) { return affine(b, -1.0f, a, "rsub"); }
Tensor operator*(float a, const Tensor& b) { return mul(b, a); }
Tensor operator/(float a, const Tensor& b) { return mul(pow(b, -1.0f), a); }

}  // namespace bg
