// Lesson 14, exercise 2: five numbers that say what one head looks at.
#include <cmath>
#include <string>

#include "bg/error.h"
#include "bg/heads.h"

namespace bg {

HeadRole head_role(const Tensor& wei, std::span<const bool> marked) {
  if (wei.dim() != 2 || wei.size(0) != wei.size(1) || wei.size(0) < 2 ||
      static_cast<int64_t>(marked.size()) != wei.size(0)) {
    throw Error(
        "head_role: wei must be (T, T) with T >= 2 and marked must have T entries, got "
        "wei " +
        shape_str(wei.shape()) + " and " + std::to_string(marked.size()) + " marks");
  }
  const int64_t T = wei.size(0);
  const float* w = wei.data().data();
  HeadRole role;
  for (int64_t t = 1; t < T; ++t) {  // position 0 has nowhere else to look
    const float* row = w + t * T;
    role.self += row[t];
    role.previous += row[t - 1];
    for (int64_t j = 0; j <= t; ++j) {
      const double p = row[j];
      if (marked[static_cast<size_t>(j)]) role.punctuation += p;
      role.distance += p * static_cast<double>(t - j);
      if (p > 0) role.entropy -= p * std::log(p);  // 0 ln 0 = 0
    }
  }
  const auto queries = static_cast<double>(T - 1);
  role.self /= queries;
  role.previous /= queries;
  role.punctuation /= queries;
  role.distance /= queries;
  role.entropy /= queries;
  return role;
}

}  // namespace bg
