// The tiny BabyGPT every model lesson compares with PyTorch (vocabulary 11, block 4,
// n_embed 8, 2 heads from v4 on, 2 layers from v6 on), with fixed weights: element i of the
// k-th parameter in named_parameters() order is ((7i + 5k + 3) % 17 - 8) / 16 (exact in float),
// on the batch golden_batch(): x = [[1, 5, 10, 5], [0, 3, 3, 7]], y = [[5, 10, 5, 2],
// [3, 3, 7, 9]]; loss = F.cross_entropy(model(x).view(-1, 11), y.view(-1)), loss.backward().
// PyTorch's loss, logits and gradients for version vN are in the golden file
// tests/golden/data/gpt_vN.safetensors (golden.h), made by tests/golden/gpt_golden.py --model vN;
// with K key/value heads of grouped-query attention (lesson 14, v8+) in
// gpt_vN_kvK.safetensors, made by gpt_golden.py --model vN --n-kv-head K.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bg/models.h"

namespace bg::testing {

struct GoldenParam {
  std::string name;  // PyTorch's state_dict name
  Shape shape;
  std::vector<float> grad;  // d loss / d parameter, from PyTorch
};

struct Golden {
  std::string model;  // "v1" … "v11"
  float loss;
  std::vector<float> logits_1_2;    // the logits of sequence 1, position 2
  std::vector<GoldenParam> params;  // in PyTorch's named_parameters() order
  float dropout = 0.0f;             // v10+: the model's dropout probability
  bool eval = false;                // run the model in eval mode (model.eval() in PyTorch)
  int64_t n_kv_head = 0;            // key/value heads (lesson 14, v8+); 0: n_head
};

// PyTorch's values for the tiny `version` (dropout off, training mode), from its golden file
// gpt_<version>.safetensors, or gpt_<version>_kv<n_kv_head>.safetensors when n_kv_head is not 0;
// read on first use.
const Golden& pytorch_golden(const std::string& version, int64_t n_kv_head = 0);

// The tiny model of `version` with the fixed weights; `dropout` is the configured dropout
// (v10+), `n_kv_head` its key/value heads (v8+; 0: as many as heads). It is in training mode,
// like a fresh PyTorch module.
std::unique_ptr<LanguageModel> golden_model(const std::string& version, float dropout = 0.0f,
                                            int64_t n_kv_head = 0);
Batch golden_batch();  // (B, T) = (2, 4)

// The model's parameters have PyTorch's state_dict names and shapes, in its order.
// (golden.dropout and golden.eval set up the model, in this function and the next.)
void ExpectPyTorchNames(const Golden& golden);
// At the course's sizes (vocabulary 6104 as on the ci corpus, block 8, n_embed 32, 4 heads,
// 3 layers) `version` has `expected` parameters: the count PyTorch gives for the reference
// model (tests/golden/gpt_golden.py --counts).
void ExpectCourseParameterCount(const std::string& version, int64_t expected);
// Logits, loss and every parameter's gradient equal PyTorch's (logits and loss within 1e-5,
// gradients within 1e-5 + 1e-4 relative).
void ExpectPyTorchValues(const Golden& golden);
// attention_maps on a 3-token sequence: `heads` (3, 3) maps, no graph, each row a probability
// distribution with nothing above the diagonal (the future), row 0 all on itself.
void ExpectCausalAttentionMaps(const LanguageModel& model, size_t heads);

}  // namespace bg::testing
