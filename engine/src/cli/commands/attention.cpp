// babygpt attention: draw the weights of every attention head of a trained model on a prompt,
// one row per layer, as an SVG picture (bg/io/svg.h).
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
  if (static_cast<int64_t>(ids.size()) > block) {
    con.err << "note: the prompt has " << ids.size() << " characters but the model sees at most "
            << "block_size = " << block << ": drawing its last " << block << "\n";
    ids = crop_context(ids, block);
  }
  const auto T = static_cast<int64_t>(ids.size());
  const std::vector<Tensor> maps = ck.model->attention_maps(ids, T);
  // Layer after layer, n_head maps each (a version with one head has one head of size n_embed).
  const auto heads = static_cast<size_t>(ck.config.has_heads() ? ck.config.n_head : 1);
  if (maps.empty() || maps.size() % heads != 0) {
    throw Error("the model returned " + std::to_string(maps.size()) +
                " attention maps, not a whole number of layers of " + std::to_string(heads) +
                " heads");
  }
  for (const Tensor& map : maps) {
    for (const float w : map.data()) {
      if (!std::isfinite(w)) {
        throw Error(broken_checkpoint_message(
            o.checkpoint, "the attention weights on --prompt '" + o.prompt + "' are", w));
      }
    }
  }
  const size_t layers = maps.size() / heads;
  svg::AttentionGrid grid;
  const std::string shown = ck.tokenizer.decode(ids);
  grid.title = "BabyGPT " + ck.config.model + " attention on \u201c" + shown + "\u201d";
  for (int32_t id : ids) grid.labels.push_back(ck.tokenizer.decode(std::span(&id, 1)));
  for (size_t i = 0; i < maps.size(); ++i) {
    grid.heads.push_back({"head " + std::to_string(i % heads), maps[i].tolist()});
  }
  // One row per layer when there are blocks; a version without blocks keeps its heads side by
  // side.
  if (ck.config.has_blocks()) {
    grid.columns = static_cast<int>(heads);
    for (size_t l = 0; l < layers; ++l) grid.row_titles.push_back("layer " + std::to_string(l));
  }
  make_directory(o.out.parent_path());
  svg::write_svg(o.out, svg::attention_grid(grid));
  con.out << "wrote " << o.out.string() << ": ";
  if (ck.config.has_blocks()) con.out << layers << " layer" << (layers == 1 ? "" : "s") << " x ";
  con.out << heads << " head" << (heads == 1 ? "" : "s") << ", " << T << " x " << T << " on \u201c"
          << shown << "\u201d\n";
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
