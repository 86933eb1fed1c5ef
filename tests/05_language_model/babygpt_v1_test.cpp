// BabyGPT v1, the bigram model, against PyTorch: the whole of lesson 05 at work.
//   ctest --test-dir build -R '^exercises\.lesson05\.BabyGPTV1\.' --output-on-failure
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/models.h"
#include "bg/optim.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// PyTorch's loss, logits and gradients for the tiny v1 of tests/support/golden_model.h
// (vocabulary 11, block 4, n_embed 8): tests/golden/data/gpt_v1.safetensors, made by
// tests/golden/gpt_golden.py --model v1.

// The model of the golden test (tests/support/golden_model.h).
std::unique_ptr<LanguageModel> golden_model() { return testing::golden_model("v1"); }
using testing::golden_batch;

TEST(BabyGPTV1, ParametersAreNamedAsPyTorchsStateDict) {
  testing::ExpectPyTorchNames(testing::pytorch_golden("v1"));
}

TEST(BabyGPTV1, LossAndEveryGradientMatchPyTorch) {
  testing::ExpectPyTorchValues(testing::pytorch_golden("v1"));
}

TEST(BabyGPTV1, IsABigramModel) {
  // v1's logits at a position depend on that position's token only — and T may exceed
  // block_size, since v1 has no position table.
  auto m = golden_model();
  const std::vector<int32_t> a{3, 3, 7, 1, 2, 3};
  Tensor y = m->forward(a, 1, 6);
  EXPECT_EQ(y.shape(), (Shape{1, 6, 11}));
  for (int64_t v = 0; v < 11; ++v) {
    EXPECT_EQ(y.at({0, 0, v}), y.at({0, 1, v}));
    EXPECT_EQ(y.at({0, 0, v}), y.at({0, 5, v}));
  }
}

TEST(BabyGPTV1, RejectsBadInput) {
  auto m = golden_model();
  const std::vector<int32_t> ids{1, 2, 3};
  EXPECT_BG_ERROR(m->forward(ids, 2, 2), "3 token ids", "(2, 2)");
  const std::vector<int32_t> bad{1, 11};
  EXPECT_BG_ERROR(m->forward(bad, 1, 2), "id 11", "11 rows");
}

TEST(BabyGPTV1, TrainsWithAdamWAndGeneratesWhatItLearned) {
  // The training loop of the lesson on a tiny cyclic text 0 1 2 3 4 0 1 2 3 4 ...: the
  // bigram model learns "next = this + 1 (mod 5)" and then generates it greedily.
  std::vector<int32_t> text;
  for (int i = 0; i < 200; ++i) text.push_back(i % 5);
  ModelConfig c;
  c.model = "v1";
  c.vocab_size = 5;
  c.block_size = 4;
  c.n_embed = 8;
  Generator gen(1);
  auto m = make_model(c, gen);
  AdamW opt(m->parameters(), 1e-1f);
  float first = 0, last = 0;
  for (int step = 0; step < 100; ++step) {
    Tensor loss = model_loss(*m, get_batch(text, 8, 4, gen));
    if (step == 0) first = loss.item();
    last = loss.item();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  EXPECT_GT(first, 1.0f);
  EXPECT_LT(last, 0.05f);
  SampleOptions o;
  o.max_new_tokens = 7;
  o.top_k = 1;
  EXPECT_EQ(generate(*m, {3}, o, gen), (std::vector<int32_t>{3, 4, 0, 1, 2, 3, 4, 0}));
}

}  // namespace
}  // namespace bg
