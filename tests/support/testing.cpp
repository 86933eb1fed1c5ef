#include "testing.h"

#include <cmath>
#include <sstream>

namespace bg::testing {

::testing::AssertionResult AllClose(const Tensor& t, const std::vector<float>& expected,
                                    double atol, double rtol) {
  if (!t.defined()) return ::testing::AssertionFailure() << "tensor is undefined";
  const auto got = t.data();
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "got " << got.size() << " values (shape " << shape_str(t.shape()) << "), expected "
           << expected.size();
  }
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double diff = std::abs(static_cast<double>(got[i]) - expected[i]);
    worst = std::max(worst, diff);
    const bool same_inf = std::isinf(got[i]) && got[i] == expected[i];
    if (!same_inf && !(diff <= atol + rtol * std::abs(expected[i]))) {
      return ::testing::AssertionFailure()
             << "index " << i << ": got " << got[i] << ", expected " << expected[i] << " (|diff| "
             << diff << ", atol " << atol << ", rtol " << rtol << ")";
    }
  }
  return ::testing::AssertionSuccess() << "largest difference " << worst;
}

::testing::AssertionResult AllClose(const Tensor& t, const Tensor& expected, double atol,
                                    double rtol) {
  if (t.defined() && expected.defined() && t.shape() != expected.shape()) {
    return ::testing::AssertionFailure()
           << "shape " << shape_str(t.shape()) << ", expected " << shape_str(expected.shape());
  }
  return AllClose(t, expected.tolist(), atol, rtol);
}

::testing::AssertionResult GradOk(const std::string& name, const GradcheckFn& f,
                                  const std::vector<Tensor>& inputs,
                                  const GradcheckOptions& options) {
  const GradcheckResult r = gradcheck(name, f, inputs, options);
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.message;
}

}  // namespace bg::testing
