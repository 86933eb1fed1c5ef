// What a model costs, counted from its config (bg/cli/model_cost.h).
#include "bg/cli/model_cost.h"

#include <unistd.h>

#include <string>

#include "bg/cli/command_support.h"
#include "bg/model_versions.h"

namespace bg::cli {

double parameter_count(const ModelConfig& c) {
  const auto V = static_cast<double>(c.vocab_size), T = static_cast<double>(c.block_size),
             C = static_cast<double>(c.n_embed);
  const ModelVersion& m = c.model_version();
  double p = V * C + (C * V + V);    // token_embedding_table, lm_head
  if (m.position_table) p += T * C;  // position_embedding_table
  double layer = 0;                  // one layer of attention (+ feed-forward)
  // query, then key and value of the head(s), no bias; with grouped-query attention (lesson
  // 14) key and value have K heads of hs = C / n_head: kv = K / n_head of C.
  const double kv = static_cast<double>(c.kv_heads()) / static_cast<double>(c.n_head);
  if (m.has_attention()) layer += C * C + 2 * kv * C * C;
  if (m.projection) layer += C * C + C;                                   // W^O, sa.proj
  if (m.ffwd_width == 1) layer += C * C + C;                              // ffwd Linear(C, C)
  if (m.ffwd_width == 4) layer += (4 * C * C + 4 * C) + (4 * C * C + C);  // C -> 4C -> C
  if (m.has_blocks() && m.block_kind == BlockKind::prenorm) layer += 2 * (2 * C);  // ln1, ln2
  p += static_cast<double>(m.attention_layers(c.n_layer)) * layer;
  if (m.ln_final) p += 2 * C;
  return p;
}

double training_flops(const ModelConfig& c, int64_t B, int64_t T) {
  const double N = static_cast<double>(B * T);  // tokens
  const double C = static_cast<double>(c.n_embed);
  const double V = static_cast<double>(c.vocab_size);
  const ModelVersion& m = c.model_version();
  // One attention layer: key, query and value of all heads together (key and value of K heads
  // of hs with grouped-query attention: K / n_head of C × C each), then per sequence and head
  // q·kᵀ (T × T × hs) and weights·v (T × T × hs); summed over the heads hs adds up to C, so the
  // heads cost what one head of size C would. W^O (v8+) adds a C × C product.
  const double kv = static_cast<double>(c.kv_heads()) / static_cast<double>(c.n_head);
  const double attention = (1.0 + 2.0 * kv) * N * C * C +
                           static_cast<double>(B) * 2.0 * static_cast<double>(T * T) * C +
                           (m.projection ? N * C * C : 0.0);
  // One feed-forward: none (v3, v4), Linear(C, C) (v5–v7), or C -> 4C -> C (v8+).
  const double feed_forward = m.ffwd_width == 4   ? 8.0 * N * C * C
                              : m.ffwd_width == 1 ? N * C * C
                                                  : 0.0;
  double macs = N * C * V;  // lm_head
  if (m.has_attention()) {
    macs += static_cast<double>(m.attention_layers(c.n_layer)) * (attention + feed_forward);
  }
  return 3.0 * 2.0 * macs;
}

namespace {

// This machine's physical memory in bytes, or 0 when unknown.
double physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page_size);
}

}  // namespace

void check_step_fits_in_memory(const ModelConfig& c, int64_t B, int64_t T, int64_t corpus_tokens) {
  const double tokens = static_cast<double>(B) * static_cast<double>(T);
  const double step =
      16.0 * parameter_count(c) +
      4.0 * tokens * (static_cast<double>(c.n_embed) + 2.0 * static_cast<double>(c.vocab_size));
  const double corpus = 4.0 * static_cast<double>(corpus_tokens);  // one int32 per token
  const double memory = physical_memory();
  if (memory <= 0.0 || step + corpus <= memory) return;  // unknown: nothing to compare with
  const std::string what = "one training step of --batch-size " + std::to_string(B) +
                           " x --block-size " + std::to_string(T) + " tokens of this " + c.model +
                           " (n_embed " + std::to_string(c.n_embed) + ", vocab " +
                           std::to_string(c.vocab_size) + ")";
  if (corpus_tokens == 0) {
    throw Error(what + " needs at least " + fixed(step / 1e9, 1) +
                " GB, more than this machine's " + fixed(memory / 1e9, 1) +
                " GB: use a smaller --batch-size, --block-size or model");
  }
  throw Error(what + " needs at least " + fixed(step / 1e9, 1) + " GB and the " +
              grouped(corpus_tokens) + " tokens of --data " + fixed(corpus / 1e9, 1) +
              " GB, together more than this machine's " + fixed(memory / 1e9, 1) +
              " GB: use a shorter --data, a smaller --batch-size, --block-size or model");
}

double kv_cache_bytes(const ModelConfig& c, int64_t positions) {
  const auto layers = static_cast<double>(c.model_version().attention_layers(c.n_layer));
  // a key and a value per key/value head: n_embed floats, or K / n_head of it when grouped
  const double width = c.has_heads() ? static_cast<double>(c.kv_heads() * (c.n_embed / c.n_head))
                                     : static_cast<double>(c.n_embed);
  return 4.0 * 2.0 * layers * static_cast<double>(positions) * width;
}

void check_kv_cache_fits_in_memory(const ModelConfig& c, int64_t positions) {
  const double bytes = kv_cache_bytes(c, positions);
  const double memory = physical_memory();
  if (memory <= 0.0 || bytes <= memory) return;
  const int64_t layers = c.model_version().attention_layers(c.n_layer);
  throw Error("sampling this " + c.model + " with the KV cache needs " + fixed(bytes / 1e9, 1) +
              " GB for the keys and values of " + grouped(layers) + " layer" +
              (layers == 1 ? "" : "s") + " x " + grouped(positions) + " positions (n_embed " +
              std::to_string(c.n_embed) +
              (c.grouped() ? ", " + std::to_string(c.n_kv_head) + " key/value heads" : "") +
              "), more than this machine's " + fixed(memory / 1e9, 1) +
              " GB: use fewer --tokens, a shorter --prompt or " + "--no-kv-cache");
}

}  // namespace bg::cli
