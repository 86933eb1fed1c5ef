// Lesson 04 demo: fit a small two-layer network to noisy samples of a curve with Linear +
// SGD, and watch the loss fall. Deterministic: the data and the initial weights come from
// seeded generators, so every run (and every compiler) prints the same numbers.
//
//   cmake --build build -j2 --target lesson04_fit && ./build/lesson04_fit
//   (lesson04_fit_mine runs the same program on your own lesson code)
#include <cmath>
#include <cstdio>
#include <vector>

#include "bg/module.h"
#include "bg/ops.h"
#include "bg/optim.h"

namespace {

// x (N, 1) -> Linear(1, H) -> tanh -> Linear(H, 1) -> (N, 1)
struct Mlp : bg::Module {
  Mlp(int64_t hidden, bg::Generator& gen) : fc1(1, hidden, true, gen), fc2(hidden, 1, true, gen) {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  bg::Tensor forward(const bg::Tensor& x) const { return fc2(fc1(x).tanh()); }
  bg::Linear fc1, fc2;
};

float target(float x) { return std::sin(1.5f * x) + 0.3f * x; }

}  // namespace

int main() {
  constexpr int64_t kPoints = 64, kHidden = 16, kSteps = 2000, kEvery = 200;
  constexpr float kNoise = 0.05f;

  // The data: x evenly spaced in [-2, 2], y = target(x) + a little Gaussian noise.
  bg::Generator data_gen(4);
  std::vector<float> xs, ys;
  for (int64_t i = 0; i < kPoints; ++i) {
    const float x = -2.0f + 4.0f * static_cast<float>(i) / static_cast<float>(kPoints - 1);
    xs.push_back(x);
    ys.push_back(target(x) + kNoise * data_gen.normal());
  }
  const bg::Tensor x = bg::tensor(xs, {kPoints, 1});
  const bg::Tensor y = bg::tensor(ys, {kPoints, 1});

  bg::Generator init_gen(1337);
  Mlp model(kHidden, init_gen);
  std::printf("model: %lld parameters\n", static_cast<long long>(model.num_parameters()));
  for (const auto& [name, p] : model.named_parameters()) {
    std::printf("  %-10s %s\n", name.c_str(), bg::shape_str(p.shape()).c_str());
  }

  bg::SGD opt(model.parameters(), /*lr=*/0.05f, /*momentum=*/0.9f);
  std::printf(
      "fitting y = sin(1.5x) + 0.3x + noise (sd %.2f) on %lld points, SGD lr 0.05 "
      "momentum 0.9\n",
      static_cast<double>(kNoise), static_cast<long long>(kPoints));
  for (int64_t step = 0; step <= kSteps; ++step) {
    const bg::Tensor loss = bg::mean(bg::pow(model.forward(x) - y, 2.0f));  // MSE
    if (step % kEvery == 0) {
      std::printf("step %5lld  loss %.6f\n", static_cast<long long>(step),
                  static_cast<double>(loss.item()));
    }
    if (step == kSteps) break;
    opt.zero_grad();
    loss.backward();
    opt.step();
  }

  // A few predictions next to the noiseless curve.
  std::printf("\n     x   model   target\n");
  for (float v : {-2.0f, -1.0f, 0.0f, 0.5f, 1.0f, 2.0f}) {
    const float pred = model.forward(bg::tensor({v}, {1, 1})).item();
    std::printf("%6.2f  %6.3f  %6.3f\n", static_cast<double>(v), static_cast<double>(pred),
                static_cast<double>(target(v)));
  }
  return 0;
}
