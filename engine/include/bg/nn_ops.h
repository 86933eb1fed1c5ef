// Neural-network ops of the language model: the embedding lookup, log-softmax and
// cross-entropy (lesson 05), narrow and the position-embedding step (lesson 06).
// Each is one coarse op: a forward loop and a backward loop on raw arrays (bg/autograd.h).
#pragma once

#include <cstdint>
#include <span>

#include "bg/tensor.h"

namespace bg {

// ---- Lesson 05, exercise 3 ----------------------------------------------------------------
// Row lookup: out[..., :] = weight[ids[...], :]. weight is (num_embeddings, C), `ids` holds
// numel(ids_shape) token ids laid out row-major in `ids_shape`; the result has shape
// (ids_shape..., C). Backward scatter-adds each output row's gradient into the row of the
// weight it came from — an id that appears twice receives both gradients.
// bg::Error when weight is not 2-D, when ids.size() != numel(ids_shape), or when an id is
// outside [0, num_embeddings) (the message names the id, its position and the table size).
Tensor embedding(const Tensor& weight, std::span<const int32_t> ids, Shape ids_shape);

// ---- Lesson 05, exercise 4 ----------------------------------------------------------------
// log_softmax(x)_i = x_i - m - log(sum_j exp(x_j - m)) along `dim`, m = max_j x_j (so exp
// never overflows). Backward: from y and g alone (derived in
// lessons/05_language_model/README.md §3).
Tensor log_softmax(const Tensor& x, int64_t dim);

// The mean over the N rows of -log_softmax(logits)[n, targets[n]]: PyTorch's
// F.cross_entropy(logits, targets) for logits (N, V). One fused op, with its own backward
// (derived in lessons/05_language_model/README.md §3).
// bg::Error when logits is not 2-D, when targets.size() != N, or when a target is outside
// [0, V) (the message names the target, its row and V).
Tensor cross_entropy(const Tensor& logits, std::span<const int32_t> targets);

// ---- Lesson 06, exercise 1 ----------------------------------------------------------------
// The slice start .. start+length of dimension `dim` (like torch.narrow; the result is a
// contiguous copy). A negative `start` counts from the end (-1 is the last index). Backward
// adds the gradient into that slice of x's gradient; the rest gets nothing.
// bg::Error showing the shape when dim is out of range, length < 0 or the slice does not fit.
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);

// ---- Lesson 06, exercise 2 ----------------------------------------------------------------
// The position-embedding step of BabyGPT v2–v4: tok (B, T, C) + pos_table[0..T) broadcast
// over the batch, for pos_table (block_size, C). Backward: the gradients of both inputs
// (derived in lessons/06_position_embedding/README.md §2); rows t >= T of pos_table get
// nothing. bg::Error when tok is not 3-D, pos_table not 2-D, the C differ,
// or T > block_size (the message says "sequence length T exceeds block_size").
Tensor add_positions(const Tensor& tok, const Tensor& pos_table);

}  // namespace bg
