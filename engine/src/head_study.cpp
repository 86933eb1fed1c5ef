// Lesson 14's measurements on a whole model (bg/head_study.h).
#include "bg/head_study.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <string>

#include "bg/blocks.h"
#include "bg/data.h"
#include "bg/error.h"
#include "bg/grouped_attention.h"
#include "bg/model_versions.h"

namespace bg {

std::vector<HeadProjection*> head_projections(LanguageModel& model) {
  std::vector<HeadProjection*> out;
  auto* gpt = dynamic_cast<GPT*>(&model);
  if (gpt == nullptr || !gpt->blocks) return out;
  for (auto& block : gpt->blocks->blocks) {
    if (auto* projected = dynamic_cast<ProjectedAttention*>(block->sa.get())) {
      out.push_back(&projected->proj);
    } else if (auto* grouped = dynamic_cast<GroupedQueryAttention*>(block->sa.get())) {
      out.push_back(&grouped->proj);
    }
  }
  return out;
}

void remove_heads(LanguageModel& model, std::span<const HeadId> removed) {
  const std::vector<HeadProjection*> layers = head_projections(model);
  if (layers.empty()) {
    std::string first = "no version";
    for (const ModelVersion& m : kModelVersions) {
      if (m.projection) {
        first = std::string(m.name);
        break;
      }
    }
    throw Error(
        "head gates sit on the input of W^O, the attention's output projection: this "
        "model has none (it comes in " +
        first + ")");
  }
  const int64_t n_head = layers[0]->n_head();
  std::vector<Tensor> gates;
  for (size_t l = 0; l < layers.size(); ++l) gates.push_back(ones({n_head}));
  for (const HeadId& id : removed) {
    if (id.layer < 0 || id.layer >= static_cast<int64_t>(layers.size()) || id.head < 0 ||
        id.head >= n_head) {
      throw Error("there is no head " + std::to_string(id.layer) + "." + std::to_string(id.head) +
                  ": the model has " + std::to_string(layers.size()) + " layers (0 … " +
                  std::to_string(layers.size() - 1) + ") of " + std::to_string(n_head) +
                  " heads (0 … " + std::to_string(n_head - 1) + ")");
    }
    gates[static_cast<size_t>(id.layer)].data()[static_cast<size_t>(id.head)] = 0.0f;
  }
  for (size_t l = 0; l < layers.size(); ++l) layers[l]->set_gates(gates[l]);
}

std::string to_string(const HeadId& id) {
  return std::to_string(id.layer) + "." + std::to_string(id.head);
}

std::vector<HeadId> parse_head_ids(const std::string& text) {
  std::vector<HeadId> ids;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    const size_t dot = part.find('.');
    const auto digits = [](const std::string& s) {
      return !s.empty() && s.size() <= 9 &&
             std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (dot == std::string::npos || !digits(part.substr(0, dot)) || !digits(part.substr(dot + 1))) {
      throw Error("'" + part + "' is not a head: write LAYER.HEAD, both from 0 (\"0.3\"), and " +
                  "separate heads with commas (\"0.3,2.1\")");
    }
    ids.push_back({std::stoll(part.substr(0, dot)), std::stoll(part.substr(dot + 1))});
    start = comma + 1;
  }
  return ids;
}

std::vector<HeadRole> head_roles(const LanguageModel& model, std::span<const int32_t> data,
                                 int64_t T, std::span<const bool> marked_vocab, int64_t max_windows,
                                 const ProgressFn& progress) {
  int64_t windows = (static_cast<int64_t>(data.size()) - 1) / T;
  if (windows < 1) {
    throw Error("head roles: the text holds " + std::to_string(data.size()) +
                " tokens, less than one window of " + std::to_string(T));
  }
  if (max_windows > 0) windows = std::min(windows, max_windows);
  std::vector<HeadRole> sums;
  // which tokens of the window are punctuation (std::vector<bool> has no span)
  const auto marked = std::make_unique<bool[]>(static_cast<size_t>(T));
  const std::span<const bool> window_marks(marked.get(), static_cast<size_t>(T));
  for (int64_t w = 0; w < windows; ++w) {
    const std::span<const int32_t> idx =
        data.subspan(static_cast<size_t>(w * T), static_cast<size_t>(T));
    const std::vector<Tensor> maps = model.attention_maps(idx, T);  // one (T, T) per head
    if (maps.empty()) throw Error("head roles: this model has no attention heads");
    if (sums.empty()) sums.resize(maps.size());
    for (int64_t t = 0; t < T; ++t) {
      const auto id = static_cast<size_t>(idx[static_cast<size_t>(t)]);
      marked[static_cast<size_t>(t)] = id < marked_vocab.size() && marked_vocab[id];
    }
    for (size_t h = 0; h < maps.size(); ++h) {
      const HeadRole r = head_role(maps[h], window_marks);
      sums[h].self += r.self;
      sums[h].previous += r.previous;
      sums[h].punctuation += r.punctuation;
      sums[h].distance += r.distance;
      sums[h].entropy += r.entropy;
    }
    if (progress) progress(w + 1, windows);
  }
  const auto n = static_cast<double>(windows);
  for (HeadRole& r : sums) {
    r.self /= n;
    r.previous /= n;
    r.punctuation /= n;
    r.distance /= n;
    r.entropy /= n;
  }
  return sums;
}

int64_t HeadAblation::removable(double tolerance) const {
  int64_t k = 0;
  while (k < static_cast<int64_t>(pruned_loss.size()) &&
         pruned_loss[static_cast<size_t>(k)] <= base_loss + tolerance) {
    ++k;
  }
  return k;
}

HeadAblation ablate_heads(LanguageModel& model, std::span<const int32_t> data, int64_t T,
                          FeaturesFn features, const ProgressFn& progress) {
  const std::vector<HeadProjection*> layers = head_projections(model);
  remove_heads(model, {});  // every gate at 1; bg::Error for a model without W^O
  HeadAblation a;
  a.layers = static_cast<int64_t>(layers.size());
  a.heads_per_layer = layers[0]->n_head();
  const int64_t n = a.layers * a.heads_per_layer;
  const int64_t total = 2 * n + 1;
  int64_t done = 0;
  const auto loss = [&](std::span<const HeadId> removed) {
    remove_heads(model, removed);
    const double l = evaluate_loss(model, data, T, kEvalRowsPerStep, features);
    if (progress) progress(++done, total);
    return l;
  };
  a.base_loss = loss({});
  std::vector<HeadId> all;
  for (int64_t l = 0; l < a.layers; ++l) {
    for (int64_t h = 0; h < a.heads_per_layer; ++h) all.push_back({l, h});
  }
  for (const HeadId& id : all) a.alone.push_back(loss(std::span(&id, 1)));
  std::vector<size_t> by_cost(all.size());
  std::iota(by_cost.begin(), by_cost.end(), size_t{0});
  std::stable_sort(by_cost.begin(), by_cost.end(),
                   [&](size_t i, size_t j) { return a.alone[i] < a.alone[j]; });
  for (size_t i : by_cost) a.order.push_back(all[i]);
  for (size_t k = 0; k < a.order.size(); ++k) {
    a.pruned_loss.push_back(loss(std::span(a.order.data(), k + 1)));
  }
  for (HeadProjection* proj : layers) proj->clear_gates();
  return a;
}

}  // namespace bg
