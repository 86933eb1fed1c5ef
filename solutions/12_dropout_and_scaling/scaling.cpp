// Lesson 12, exercise 3: counting a GPT's parameters and forward FLOPs from its configuration.
#include "bg/scaling.h"

#include <string>

#include "bg/error.h"

namespace bg {

int64_t gpt_parameter_count(const ModelConfig& c) {
  c.validate();
  const int v = c.version();
  const int64_t V = c.vocab_size, C = c.n_embed, L = c.n_layer;
  int64_t n = V * C;                  // token_embedding_table
  if (v >= 2) n += c.block_size * C;  // position_embedding_table
  if (v >= 3) {
    // attention: key, query and value, Linear(C, hs) without bias, for every head. The heads'
    // sizes add up to C (v4+), and v3's single head has size C: 3·C² either way.
    const int64_t attention = 3 * C * C;
    if (v <= 5) {
      n += attention;              // sa_head (v3) or sa_heads (v4, v5)
      if (v == 5) n += C * C + C;  // ffwd.net.0 = Linear(C, C)
    } else {
      int64_t block = attention;
      if (v <= 7) {
        block += C * C + C;  // ffwd.net.0 = Linear(C, C)
      } else {
        block += C * C + C;          // sa.proj = Linear(C, C)
        block += C * 4 * C + 4 * C;  // ffwd.net.0 = Linear(C, 4C)
        block += 4 * C * C + C;      // ffwd.net.2 = Linear(4C, C)
      }
      if (v >= 9) block += 2 * 2 * C;  // ln1 and ln2: weight and bias, C each
      n += L * block;
      if (v >= 9) n += 2 * C;  // ln_final
    }
  }
  return n + C * V + V;  // lm_head = Linear(C, V)
}

double gpt_forward_flops_per_token(const ModelConfig& c, int64_t T) {
  c.validate();
  const int v = c.version();
  if (T < 1 || (v >= 2 && T > c.block_size)) {
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
  if (v >= 3 && v <= 5) {
    macs += attention;
    if (v == 5) macs += C * C;  // ffwd: Linear(C, C)
  } else if (v >= 6) {
    const double ffwd = v >= 8 ? 8.0 * C * C : C * C;  // C -> 4C -> C, or C -> C
    const double proj = v >= 8 ? C * C : 0.0;          // W^O
    macs += L * (attention + proj + ffwd);
  }
  return 2.0 * macs;
}

}  // namespace bg
