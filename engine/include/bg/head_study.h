// Lesson 14's measurements on a whole model (engine code, not exercises): which heads exist,
// switching some off, what every head looks at over a text, and what the loss says when each
// head, then more and more of them, are removed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bg/heads.h"
#include "bg/models.h"

namespace bg {

// The W^O of every layer of `model`, layer 0 first: one per block for the versions whose
// attention has W^O (v8+), none for the others (their heads cannot be gated).
std::vector<HeadProjection*> head_projections(LanguageModel& model);

// A head of a model: layer (block) and head, both from 0. Written "L.H" ("2.13").
struct HeadId {
  int64_t layer = 0;
  int64_t head = 0;
  bool operator==(const HeadId&) const = default;
};
std::string to_string(const HeadId& id);  // "2.13"
// "0.1,3.2" -> {0.1, 3.2}. bg::Error quoting the part that is not L.H.
std::vector<HeadId> parse_head_ids(const std::string& text);

// Sets every head's gate of `model` to 1 and the gates of `removed` to 0. An empty list
// removes nothing and leaves all gates at 1 (the same bits as no gates). bg::Error naming the
// head when one does not exist, or saying so when the model has no W^O (v1-v7).
void remove_heads(LanguageModel& model, std::span<const HeadId> removed);

// Called after each unit of work with (done, total).
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// Every head's HeadRole (exercise 2), averaged over the windows of `data`: consecutive,
// non-overlapping windows of T tokens (as evaluate_loss cuts them), at most max_windows of
// them (0: all). marked_vocab[id] says whether token id is punctuation. Layer after layer,
// head after head (index layer * n_head + head). The model's own forward computes the
// attention weights (LanguageModel::attention_maps); put the model in eval mode first.
// bg::Error when data holds less than one window or the model has no attention.
std::vector<HeadRole> head_roles(const LanguageModel& model, std::span<const int32_t> data,
                                 int64_t T, std::span<const bool> marked_vocab,
                                 int64_t max_windows = 0, const ProgressFn& progress = nullptr);

// What removing heads costs, on the whole of `data` (evaluate_loss with `features`).
struct HeadAblation {
  int64_t layers = 0, heads_per_layer = 0;
  double base_loss = 0;             // every head kept
  std::vector<double> alone;        // loss with only head i removed (i = layer * n_head + head)
  std::vector<HeadId> order;        // the heads, least costly to remove first (by `alone`)
  std::vector<double> pruned_loss;  // pruned_loss[k]: loss with order[0 … k] removed
  // How many heads can go, following `order`, before the loss rises more than `tolerance`
  // above base_loss: the largest k with pruned_loss[0 … k-1] all within it.
  int64_t removable(double tolerance) const;
};

// Removes every head alone, then order[0], order[0 … 1], … order[0 … n-2] (the last step,
// every head removed, is computed too). 2n evaluations of the whole of data for n heads. The
// model's gates are all 1 again at the end. bg::Error as remove_heads and evaluate_loss.
HeadAblation ablate_heads(LanguageModel& model, std::span<const int32_t> data, int64_t T,
                          FeaturesFn features = own_features, const ProgressFn& progress = nullptr);

}  // namespace bg
