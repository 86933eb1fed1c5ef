// The fast engine (bg/fast/fast_model.h): a model's forward pass on the coarse ops of
// bg/fast/ops.h, reading the model's modules from outside.
#include "bg/fast/fast_model.h"

#include "bg/attention.h"
#include "bg/blocks.h"
#include "bg/error.h"
#include "bg/fast/ops.h"
#include "bg/grouped_attention.h"
#include "bg/heads.h"
#include "bg/ops.h"

namespace bg::fast {

namespace {

// W^O and its dropout on the heads' outputs (B, T, C), with the head gates on W^O's input when
// they are set (lesson 14): drop(proj(gate_heads(heads, gates))) as one linear_dropout.
Tensor project(const Tensor& heads, const HeadProjection& proj, const Dropout& drop) {
  return linear_dropout(proj.has_gates() ? gate_heads(heads, proj.gates()) : heads, proj, drop);
}

}  // namespace

Tensor attend(const SelfAttention& attn, const Tensor& x) {
  if (const auto* grouped = dynamic_cast<const GroupedQueryAttention*>(&attn)) {
    return project(attention(x, *grouped), grouped->proj, grouped->drop);  // (B, T, C)
  }
  if (const auto* projected = dynamic_cast<const ProjectedAttention*>(&attn)) {
    return project(attention(x, *projected), projected->proj, projected->drop);  // (B, T, C)
  }
  if (const auto* list = dynamic_cast<const MultiHeadAttention*>(&attn)) {
    return attention(x, *list);  // (B, T, C), no W^O (v4-v7)
  }
  return attn.forward(x);  // an attention layer the fast engine does not know
}

namespace {

// FeedForward::forward with net.0's product, bias and ReLU as one op, and net.2 with its
// dropout as another (v8+).
Tensor feed_forward(const FeedForward& ffwd, const Tensor& x) {
  Tensor h = linear_relu(x, ffwd.net0);                         // (B, T, C) or (B, T, 4C)
  if (ffwd.net2) h = linear_dropout(h, *ffwd.net2, ffwd.drop);  // (B, T, C)
  return h;
}

// One block, wired as its kind says (lessons 09-11).
Tensor block(const Block& b, const Tensor& x) {
  switch (b.config().kind) {
    case BlockKind::plain:
      return feed_forward(b.ffwd, attend(*b.sa, x));
    case BlockKind::residual: {
      const Tensor h = add(x, attend(*b.sa, x));
      return add(h, feed_forward(b.ffwd, h));
    }
    case BlockKind::prenorm: {
      const Tensor h = add(x, attend(*b.sa, b.ln1->forward(x)));
      return add(h, feed_forward(b.ffwd, b.ln2->forward(h)));
    }
  }
  throw Error("fast engine: unknown block kind");
}

// The parts of a model the fast engine runs, in the order it runs them; null where the model
// has no such part.
struct Parts {
  const PositionalModel* embedding = nullptr;    // token + position tables
  const MultiHeadAttention* sa_heads = nullptr;  // v4, v5
  const FeedForward* ffwd = nullptr;             // v5
  const Blocks* blocks = nullptr;                // v6+
  const LayerNorm* ln_final = nullptr;           // v9+
};

// The one place that looks at what a model is made of. false: no fast path (v1-v3).
bool parts_of(const LanguageModel& model, Parts& parts) {
  if (const auto* v4 = dynamic_cast<const BabyGPTv4*>(&model)) {
    parts = {v4, &v4->sa_heads, nullptr, nullptr, nullptr};
    return true;
  }
  if (const auto* gpt = dynamic_cast<const GPT*>(&model)) {
    parts = {gpt, gpt->sa_heads.get(), gpt->ffwd.get(), gpt->blocks.get(), gpt->ln_final.get()};
    return true;
  }
  return false;
}

}  // namespace

bool has_fast_path(const LanguageModel& model) {
  Parts parts;
  return parts_of(model, parts);
}

Tensor features(const LanguageModel& model, std::span<const int32_t> idx, int64_t B, int64_t T) {
  Parts parts;
  if (!parts_of(model, parts)) return model.features(idx, B, T);
  Tensor h = parts.embedding->embed(idx, B, T);  // (B, T, C) from here to the end
  if (parts.sa_heads) h = attention(h, *parts.sa_heads);
  if (parts.ffwd) h = feed_forward(*parts.ffwd, h);
  if (parts.blocks) {
    for (const auto& b : parts.blocks->blocks) h = block(*b, h);
  }
  if (parts.ln_final) h = parts.ln_final->forward(h);
  return h;
}

Tensor logits(const LanguageModel& model, std::span<const int32_t> idx, int64_t B, int64_t T) {
  return model.lm_head()(features(model, idx, B, T));  // (B, T, C) -> (B, T, V)
}

Tensor loss(const LanguageModel& model, const Batch& batch) {
  return model_loss(model, batch, features);
}

}  // namespace bg::fast
