#include "testing.h"

#include <pthread.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace bg::testing {

namespace {

struct SmallStackJob {
  const std::function<void()>* fn;
  std::exception_ptr error;
};

void* run_small_stack_job(void* arg) {
  auto* job = static_cast<SmallStackJob*>(arg);
  try {
    (*job->fn)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

void RunWithSmallStack(const std::function<void()>& fn, size_t stack_bytes) {
  // std::thread cannot choose its stack size; pthreads can.
  pthread_attr_t attr;
  if (int e = pthread_attr_init(&attr); e != 0) {
    throw std::runtime_error(std::string("pthread_attr_init: ") + std::strerror(e));
  }
  if (int e = pthread_attr_setstacksize(&attr, stack_bytes); e != 0) {
    pthread_attr_destroy(&attr);
    throw std::runtime_error(std::string("pthread_attr_setstacksize: ") + std::strerror(e));
  }
  SmallStackJob job{&fn, nullptr};
  pthread_t thread;
  const int e = pthread_create(&thread, &attr, run_small_stack_job, &job);
  pthread_attr_destroy(&attr);
  if (e != 0) throw std::runtime_error(std::string("pthread_create: ") + std::strerror(e));
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
}

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

::testing::AssertionResult Mentions(const std::string& text, const std::string& part,
                                    const std::string& what) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess()
           << what << " mentions \"" << part << "\": \"" << text << "\"";
  }
  return ::testing::AssertionFailure()
         << what << " should mention \"" << part << "\", but was: \"" << text << "\"";
}

::testing::AssertionResult DoesNotMention(const std::string& text, const std::string& part,
                                          const std::string& what) {
  const size_t at = text.find(part);
  if (at == std::string::npos) {
    return ::testing::AssertionSuccess() << what << " does not mention \"" << part << "\"";
  }
  return ::testing::AssertionFailure()
         << what << " should not mention \"" << part << "\", but does at character " << at << ": \""
         << text << "\"";
}

::testing::AssertionResult GradOk(const std::string& name, const GradcheckFn& f,
                                  const std::vector<Tensor>& inputs,
                                  const GradcheckOptions& options) {
  const GradcheckResult r = gradcheck(name, f, inputs, options);
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.message;
}

}  // namespace bg::testing
