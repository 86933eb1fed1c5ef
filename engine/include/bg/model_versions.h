// What each BabyGPT version v1 … v11 is made of, in one table. The models (bg/models.h), the
// babygpt program (its flags, their defaults, the parameter and FLOP counts) and the tests read
// a version's row instead of comparing version numbers, so adding a v12 is one more row, the
// modules it needs and its tests.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "bg/blocks.h"  // BlockKind

namespace bg {

// What a version feeds its lm_head through, after the embedding.
enum class Attention {
  none,      // v1, v2: no attention
  one_head,  // v3: sa_head, one causal head of size n_embed
  heads,     // v4+: n_head heads of size n_embed / n_head, concatenated
};

enum class Body {
  none,    // v1 … v4: the attention (if any) is all there is
  single,  // v5: sa_heads, then one feed-forward, no blocks
  blocks,  // v6+: n_layer Blocks of attention + feed-forward
};

// The course's values of the training flags for a version (README, "The models").
struct VersionDefaults {
  int64_t batch_size = 32;
  int64_t block_size = 8;
  int64_t n_embed = 32;
  int64_t n_head = 4;
  int64_t n_layer = 3;
  float lr = 1e-2f;
  float dropout = 0.0f;
  int64_t iters = 5000;
};

struct ModelVersion {
  std::string_view name;  // "v1" … "v11"
  bool position_table;    // position_embedding_table added to the token embedding (v2+)
  Attention attention;
  Body body;
  BlockKind block_kind;  // the kind of every block (Body::blocks only)
  bool projection;       // the output projection W^O after the heads (sa.proj)
  int ffwd_width;        // the feed-forward's hidden width in units of C: 0 (none), 1 or 4
  bool ln_final;         // a LayerNorm before lm_head
  bool dropout;          // dropout layers (probability ModelConfig::dropout)
  bool grouped_kv;       // --n-kv-head: grouped-query attention may share key/value heads
  VersionDefaults defaults;

  bool has_attention() const { return attention != Attention::none; }
  bool has_heads() const { return attention == Attention::heads; }  // n_head matters
  bool has_blocks() const { return body == Body::blocks; }          // n_layer matters
  // Layers of attention: 0, 1 (v3 … v5) or n_layer.
  int64_t attention_layers(int64_t n_layer) const {
    return !has_attention() ? 0 : has_blocks() ? n_layer : 1;
  }
};

namespace model_versions_detail {
constexpr VersionDefaults kSmall{};                                           // v1 … v9
constexpr VersionDefaults kSmallDropout{32, 8, 32, 4, 3, 1e-2f, 0.2f, 5000};  // v10
constexpr VersionDefaults kLarge{64, 256, 384, 6, 6, 3e-4f, 0.2f, 5000};      // v11
}  // namespace model_versions_detail

// clang-format off
inline constexpr auto kModelVersions = [] {
  using namespace model_versions_detail;
  using A = Attention;
  using B = Body;
  using K = BlockKind;
  return std::to_array<ModelVersion>({
      // name position attention    body       block kind   W^O    ffwd ln_final dropout GQA    defaults
      {"v1",  false, A::none,     B::none,   K::plain,    false, 0, false, false, false, kSmall},
      {"v2",  true,  A::none,     B::none,   K::plain,    false, 0, false, false, false, kSmall},
      {"v3",  true,  A::one_head, B::none,   K::plain,    false, 0, false, false, false, kSmall},
      {"v4",  true,  A::heads,    B::none,   K::plain,    false, 0, false, false, false, kSmall},
      {"v5",  true,  A::heads,    B::single, K::plain,    false, 1, false, false, false, kSmall},
      {"v6",  true,  A::heads,    B::blocks, K::plain,    false, 1, false, false, false, kSmall},
      {"v7",  true,  A::heads,    B::blocks, K::residual, false, 1, false, false, false, kSmall},
      {"v8",  true,  A::heads,    B::blocks, K::residual, true,  4, false, false, true,  kSmall},
      {"v9",  true,  A::heads,    B::blocks, K::prenorm,  true,  4, true,  false, true,  kSmall},
      {"v10", true,  A::heads,    B::blocks, K::prenorm,  true,  4, true,  true,  true,  kSmallDropout},
      {"v11", true,  A::heads,    B::blocks, K::prenorm,  true,  4, true,  true,  true,  kLarge},
  });
}();
// clang-format on

// A Block's feed-forward expands to 4C exactly when it has W^O (BlockConfig::projection), so
// a row with blocks must say the same in both columns.
static_assert([] {
  for (const ModelVersion& m : kModelVersions) {
    if (m.body == Body::blocks && m.projection != (m.ffwd_width == 4)) return false;
    if (m.body == Body::none && m.ffwd_width != 0) return false;
    if (m.body != Body::none && m.attention != Attention::heads) return false;
    if (m.grouped_kv && !m.projection) return false;  // GQA's module has W^O
  }
  return true;
}());

// The row named name, or nullptr.
const ModelVersion* find_model_version(std::string_view name);
// The row named name; bg::Error listing the valid names for any other name.
const ModelVersion& model_version(std::string_view name);
// "v1, v2, v3, … v11": every name in the table, in order.
std::string model_version_names();
// "v8, v9, v10, v11": the versions with grouped_kv.
std::string grouped_kv_version_names();

}  // namespace bg
