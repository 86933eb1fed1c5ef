// babygpt attention: draw the weights of every attention head of a trained model on a prompt,
// one row per layer, as an SVG picture (bg/io/svg.h).
#include <algorithm>
#include <cmath>
#include <ostream>

#include "bg/cli/checkpoint.h"
#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/io/svg.h"

namespace bg::cli {

namespace {

std::string first_version_with_attention() {
  return first_version_with([](const ModelVersion& m) { return m.has_attention(); });
}

}  // namespace

const std::vector<Flag>& attention_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE",
       "a model.safetensors of " + first_version_with_attention() + " or later (required)"},
      {"prompt", "TEXT", "the text to look at; only its last block_size characters (required)"},
      {"out", "FILE.svg",
       "where to draw the attention of every head of every layer, one row per layer (required)"},
      {"max-chars", "N",
       "draw the attention on the prompt's last N characters at most (default " +
           std::to_string(AttentionOptions{}.max_chars) + ")"},
      {"max-heads", "N",
       "draw N heads at most, whole layers from the first (default " +
           std::to_string(AttentionOptions{}.max_heads) + ")"},
  };
  return flags;
}

AttentionOptions parse_attention_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("attention", args, attention_flags());
  AttentionOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "attention", "checkpoint", "FILE");
  o.prompt = require(p, "attention", "prompt", "TEXT");
  o.out = require(p, "attention", "out", "FILE.svg");
  if (const auto* v = p.get("max-chars")) {
    o.max_chars = parse_int("max-chars", *v, 1, kMaxBlockSize);
  }
  if (const auto* v = p.get("max-heads")) {
    o.max_heads = parse_int("max-heads", *v, 1, kMaxLayers * kMaxEmbed);
  }
  return o;
}

void attention(const AttentionOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  if (!ck.config.model_version().has_attention()) {
    throw Error(o.checkpoint.string() + " holds a " + ck.config.model +
                " model, which has no attention: pass a checkpoint of " +
                first_version_with_attention() + " or later");
  }
  ck.model->eval();  // the weights the model uses to predict: no dropout
  std::vector<int32_t> ids =
      encode_or_explain(ck.tokenizer, o.prompt, "--prompt '" + o.prompt + "'");
  const int64_t block = ck.config.block_size;
  const auto given = static_cast<int64_t>(ids.size());
  if (given > block && block <= o.max_chars) {
    con.err << "note: the prompt has " << given << " characters but the model sees at most "
            << "block_size = " << block << ": drawing its last " << block << "\n";
  } else if (given > o.max_chars) {
    con.err << "note: the prompt has " << given << " characters: drawing the attention on its "
            << "last " << o.max_chars << " (--max-chars " << o.max_chars << "; a head of N "
            << "characters is N x N cells)\n";
  }
  ids = crop_context(ids, std::min(block, o.max_chars));
  const auto T = static_cast<int64_t>(ids.size());
  // Layer after layer, n_head maps each (a version with one head has one head of size n_embed).
  const auto heads = static_cast<size_t>(ck.config.has_heads() ? ck.config.n_head : 1);
  const auto layers =
      static_cast<size_t>(ck.config.model_version().attention_layers(ck.config.n_layer));
  // Within --max-heads: whole layers from the first, or the first heads of layer 0 when one
  // layer has more.
  const auto max_heads = static_cast<size_t>(o.max_heads);
  const size_t drawn_heads = std::min(heads, max_heads);
  const size_t drawn_layers = std::min(layers, std::max<size_t>(1, max_heads / heads));
  if (drawn_heads < heads || drawn_layers < layers) {
    con.err << "note: the model has " << grouped(static_cast<int64_t>(layers * heads)) << " heads ("
            << layers << " layer" << (layers == 1 ? "" : "s") << " of " << heads << "): drawing "
            << (drawn_heads < heads
                    ? "the first " + std::to_string(drawn_heads) + " heads of layer 0"
                    : std::string("layers 0 … ") + std::to_string(drawn_layers - 1))
            << " and leaving out the other "
            << grouped(static_cast<int64_t>(layers * heads - drawn_layers * drawn_heads))
            << " (--max-heads " << o.max_heads << ")\n";
  }
  const std::vector<Tensor> maps = ck.model->attention_maps(ids, T);
  if (maps.size() != layers * heads) {
    throw Error("the model returned " + std::to_string(maps.size()) + " attention maps, not " +
                std::to_string(layers) + " layers of " + std::to_string(heads) + " heads");
  }
  for (const Tensor& map : maps) {
    for (const float w : map.data()) {
      if (!std::isfinite(w)) {
        throw Error(broken_checkpoint_message(
            o.checkpoint, "the attention weights on --prompt '" + o.prompt + "' are", w));
      }
    }
  }
  svg::AttentionGrid grid;
  const std::string shown = ck.tokenizer.decode(ids);
  grid.title = "BabyGPT " + ck.config.model + " attention on \u201c" + shown + "\u201d";
  for (int32_t id : ids) grid.labels.push_back(ck.tokenizer.decode(std::span(&id, 1)));
  for (size_t l = 0; l < drawn_layers; ++l) {
    for (size_t h = 0; h < drawn_heads; ++h) {
      grid.heads.push_back({"head " + std::to_string(h), maps[l * heads + h].tolist()});
    }
  }
  // One row per layer when there are blocks; a version without blocks keeps its heads side by
  // side.
  if (ck.config.has_blocks()) {
    grid.columns = static_cast<int>(drawn_heads);
    for (size_t l = 0; l < drawn_layers; ++l) {
      grid.row_titles.push_back("layer " + std::to_string(l));
    }
  }
  make_directory(o.out.parent_path());
  svg::write_svg(o.out, svg::attention_grid(grid));
  con.out << "wrote " << o.out.string() << ": ";
  if (ck.config.has_blocks()) {
    con.out << drawn_layers << " layer" << (drawn_layers == 1 ? "" : "s") << " x ";
  }
  con.out << drawn_heads << " head" << (drawn_heads == 1 ? "" : "s") << ", " << T << " x " << T
          << " on \u201c" << shown << "\u201d\n";
}

int attention_main(std::span<const std::string> args, Console& con, Engine /*engine*/) {
  const AttentionOptions o = parse_attention_args(args);
  if (o.help) {
    con.out << usage("attention");
    return kExitOk;
  }
  attention(o, con);
  return kExitOk;
}

}  // namespace bg::cli
