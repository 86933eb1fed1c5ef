#include "golden_model.h"

#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "crash_report.h"
#include "golden.h"
#include "testing.h"

namespace bg::testing {

const Golden& pytorch_golden(const std::string& version, int64_t n_kv_head) {
  static std::map<std::string, Golden> cache;
  const std::string name =
      "gpt_" + version + (n_kv_head != 0 ? "_kv" + std::to_string(n_kv_head) : "");
  const auto found = cache.find(name);
  if (found != cache.end()) return found->second;
  const GoldenFile& file = golden_file(name);
  Golden golden{version, file.scalar("loss"), file.values("logits_1_2"), {}};
  golden.n_kv_head = n_kv_head;
  const std::string prefix = "grad.";  // grad.<parameter name>, in named_parameters() order
  for (const GoldenTensor* grad : file.starting_with(prefix)) {
    golden.params.push_back({grad->name.substr(prefix.size()), grad->shape, grad->values});
  }
  return cache.emplace(name, std::move(golden)).first->second;
}

std::unique_ptr<LanguageModel> golden_model(const std::string& version, float dropout,
                                            int64_t n_kv_head) {
  ModelConfig c;
  c.model = version;
  c.vocab_size = 11;
  c.block_size = 4;
  c.n_embed = 8;
  c.n_head = 2;
  c.n_layer = 2;
  c.dropout = dropout;
  c.n_kv_head = n_kv_head;
  auto m = make_model(c);
  int k = 0;
  for (auto& [name, p] : m->named_parameters()) {
    int i = 0;
    for (float& v : p.data()) v = static_cast<float>((7 * i++ + 5 * k + 3) % 17 - 8) / 16.0f;
    ++k;
  }
  return m;
}

Batch golden_batch() {
  Batch b;
  b.B = 2;
  b.T = 4;
  b.x = {1, 5, 10, 5, 0, 3, 3, 7};
  b.y = {5, 10, 5, 2, 3, 3, 7, 9};
  return b;
}

namespace {

std::unique_ptr<LanguageModel> model_of(const Golden& golden) {
  auto m = golden_model(golden.model, golden.dropout, golden.n_kv_head);
  if (golden.eval) m->eval();
  return m;
}

// "the tiny v9 of tests/support/golden_model.h" (with its n_kv_head when set), for the crash
// report.
std::string describe(const Golden& golden) {
  return "the tiny " + golden.model +
         (golden.n_kv_head != 0 ? " with n_kv_head " + std::to_string(golden.n_kv_head) : "") +
         " of tests/support/golden_model.h";
}

}  // namespace

void ExpectPyTorchNames(const Golden& golden) {
  CrashContext model_context(describe(golden));
  auto m = model_of(golden);
  const auto named = m->named_parameters();
  ASSERT_EQ(named.size(), golden.params.size());
  for (size_t k = 0; k < named.size(); ++k) {
    EXPECT_EQ(named[k].first, golden.params[k].name);
    EXPECT_EQ(named[k].second.shape(), golden.params[k].shape) << named[k].first;
  }
  // the forward pass runs through the lesson's code
  const Batch b = golden_batch();
  EXPECT_EQ(m->forward(b.x, 2, 4).shape(), (Shape{2, 4, 11}));
}

void ExpectCourseParameterCount(const std::string& version, int64_t expected) {
  ModelConfig c;
  c.model = version;
  c.vocab_size = 6104;
  c.block_size = 8;
  c.n_embed = 32;
  c.n_head = 4;
  c.n_layer = 3;
  EXPECT_EQ(make_model(c)->num_parameters(), expected) << version;
}

void ExpectPyTorchValues(const Golden& golden) {
  CrashContext model_context(describe(golden));
  auto m = model_of(golden);
  const Batch b = golden_batch();
  Tensor logits;
  {
    CrashContext forward("forward");
    logits = m->forward(b.x, 2, 4);
  }
  const std::vector<float> row(logits.data().begin() + (1 * 4 + 2) * 11,
                               logits.data().begin() + (1 * 4 + 3) * 11);
  // The forward first: while the logits differ, every gradient differs too, and the gradients
  // would only hide the cause.
  ASSERT_TRUE(AllClose(tensor(row), golden.logits_1_2, 1e-5, 1e-5))
      << "the model's logits (the forward pass) at sequence 1, position 2 differ from PyTorch's; "
         "the gradients are not checked until they match";
  const Tensor loss = model_loss(*m, b);
  EXPECT_NEAR(loss.item(), golden.loss, 1e-5) << "the loss differs from PyTorch's";
  {
    CrashContext backward("backward");
    loss.backward();
  }
  const auto named = m->named_parameters();
  ASSERT_EQ(named.size(), golden.params.size());
  for (size_t k = 0; k < named.size(); ++k) {
    EXPECT_TRUE(AllClose(named[k].second.grad(), golden.params[k].grad, 1e-5, 1e-4))
        << "the gradient of " << named[k].first << " (the backward pass) differs from PyTorch's";
  }
}

void ExpectCausalAttentionMaps(const LanguageModel& model, size_t heads) {
  const std::vector<int32_t> seq{1, 5, 10};
  const std::vector<Tensor> maps = model.attention_maps(seq, 3);
  ASSERT_EQ(maps.size(), heads);
  for (const Tensor& w : maps) {
    ASSERT_EQ(w.shape(), (Shape{3, 3}));
    EXPECT_FALSE(w.requires_grad());
    for (int64_t q = 0; q < 3; ++q) {
      double s = 0;
      for (int64_t k = 0; k < 3; ++k) {
        s += w.at({q, k});
        if (k > q) {
          EXPECT_EQ(w.at({q, k}), 0.0f) << "query " << q << " attends to the later key " << k
                                        << ": the attention must not look into the future";
        }
      }
      EXPECT_NEAR(s, 1.0, 1e-6) << "the attention weights of query " << q
                                << " must sum to 1 (a softmax over the keys)";
    }
    EXPECT_EQ(w.at({0, 0}), 1.0f) << "the first position can only attend to itself";
  }
}

}  // namespace bg::testing
