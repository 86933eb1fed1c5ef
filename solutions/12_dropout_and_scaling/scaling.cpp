// Lesson 12, exercise 3: counting a GPT's parameters and forward FLOPs from its configuration.
#include "bg/scaling.h"

#include <string>

#include "bg/error.h"

namespace bg {

int64_t gpt_parameter_count(const ModelConfig& c) {
  c.validate();
  // What the version is made of: its row of the table in bg/model_versions.h.
  const ModelVersion& m = c.model_version();
  const int64_t V = c.vocab_size, C = c.n_embed;
  int64_t n = V * C;                            // token_embedding_table
  if (m.position_table) n += c.block_size * C;  // position_embedding_table
  if (m.has_attention()) {
    // attention: key, query and value, Linear(C, hs) without bias, for every head. The heads'
    // sizes add up to C (v4+), and v3's single head has size C: 3·C² either way.
    int64_t layer = 3 * C * C;
    if (m.projection) layer += C * C + C;       // sa.proj = Linear(C, C) (v8+)
    if (m.ffwd_width == 1) layer += C * C + C;  // ffwd.net.0 = Linear(C, C) (v5–v7)
    if (m.ffwd_width == 4) {
      layer += C * 4 * C + 4 * C;  // ffwd.net.0 = Linear(C, 4C) (v8+)
      layer += 4 * C * C + C;      // ffwd.net.2 = Linear(4C, C)
    }
    if (m.has_blocks() && m.block_kind == BlockKind::prenorm) {
      layer += 2 * 2 * C;  // ln1 and ln2: weight and bias, C each (v9+)
    }
    // one layer (sa_head of v3, sa_heads of v4 and v5) or n_layer blocks (v6+)
    n += m.attention_layers(c.n_layer) * layer;
  }
  if (m.ln_final) n += 2 * C;  // ln_final (v9+)
  return n + C * V + V;        // lm_head = Linear(C, V)
}

double gpt_forward_flops_per_token(const ModelConfig& c, int64_t T) {
  c.validate();
  const ModelVersion& m = c.model_version();
  if (T < 1 || (m.position_table && T > c.block_size)) {
    throw Error("gpt_forward_flops_per_token: T must be in [1, block_size " +
                std::to_string(c.block_size) + "], got " + std::to_string(T));
  }
  const double C = static_cast<double>(c.n_embed), V = static_cast<double>(c.vocab_size);
  const double L = static_cast<double>(c.n_layer), t = static_cast<double>(T);
  // Multiply-adds per token. A Linear(in, out) costs in·out per token. Attention per token:
  // its query row against T keys (T·hs) and its weight row times T values (T·hs), summed
  // over the heads (hs adds up to C): 2·T·C.
  const double attention = 3.0 * C * C + 2.0 * t * C;
  double macs = C * V;  // lm_head
  if (m.has_attention() && !m.has_blocks()) {
    macs += attention;
    if (m.ffwd_width == 1) macs += C * C;  // ffwd: Linear(C, C) (v5)
  } else if (m.has_blocks()) {
    const double ffwd = m.ffwd_width == 4 ? 8.0 * C * C : C * C;  // C -> 4C -> C, or C -> C
    const double proj = m.projection ? C * C : 0.0;               // W^O
    macs += L * (attention + proj + ffwd);
  }
  return 2.0 * macs;
}

}  // namespace bg
