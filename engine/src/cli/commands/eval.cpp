// babygpt eval: the exact mean loss of a trained model on a text (bg::evaluate_loss over every
// window of the split, not an estimate from random batches).
#include <cmath>
#include <ostream>

#include "bg/cli/checkpoint.h"
#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"

namespace bg::cli {

const std::vector<Flag>& eval_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE", "a model.safetensors (required)"},
      {"data", "FILE", "the UTF-8 text to evaluate on (required)"},
      {"split", "train|val|all", "first 90%, last 10% or all of the text (default val)"},
      {"prune-heads", "L.H,...", "remove these heads first (gate 0; layer.head from 0, v8+)"},
  };
  return flags;
}

EvalOptions parse_eval_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("eval", args, eval_flags());
  EvalOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "eval", "checkpoint", "FILE");
  o.data = require(p, "eval", "data", "FILE");
  if (const auto* v = p.get("split")) {
    if (*v != "train" && *v != "val" && *v != "all") {
      throw UsageError("--split must be train, val or all, got " + in_quotes(*v));
    }
    o.split = *v;
  }
  if (const auto* v = p.get("prune-heads")) o.prune_heads = parse_prune_heads(*v);
  return o;
}

double evaluate(const EvalOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  if (!o.prune_heads.empty()) remove_heads(*ck.model, o.prune_heads);  // lesson 14
  const std::string text = read_text(o.data, "--data");
  try {
    (void)decode_utf8(text);
  } catch (const Error& e) {
    throw Error(o.data.string() + ": " + e.what());
  }
  const std::vector<int32_t> ids =
      encode_or_explain(ck.tokenizer, text, o.data.string() + " does not fit the checkpoint");
  std::vector<int32_t> data;
  if (o.split == "all") {
    data = ids;
  } else {
    Split split = split_train_val(ids);
    data = o.split == "train" ? std::move(split.train) : std::move(split.val);
  }
  const int64_t T = ck.config.block_size;
  if (static_cast<int64_t>(data.size()) < T + 1) {
    throw Error(o.data.string() + ": the " + o.split + " split holds " +
                std::to_string(data.size()) + " tokens, shorter than a block: evaluation needs " +
                "at least block_size + 1 = " + std::to_string(T + 1));
  }
  ck.model->eval();  // no dropout (load_checkpoint does this too; evaluation depends on it)
  con.out << "checkpoint " << o.checkpoint.string() << ": "
          << describe(ck.config, ck.model->num_parameters()) << "\n";
  if (!o.prune_heads.empty()) {
    con.out << "heads removed:";
    for (const HeadId& id : o.prune_heads) con.out << " " << to_string(id);
    con.out << "\n";
  }
  const int64_t windows = (static_cast<int64_t>(data.size()) - 1) / T;
  con.out << o.data.string() << ": " << o.split << " split, " << grouped(windows) << " windows of "
          << T << " tokens\n"
          << std::flush;
  const auto start = Clock::now();
  const double loss = evaluate_loss(*ck.model, data, T, kEvalRowsPerStep, features_of(o.engine));
  con.err << "evaluated " << grouped(windows * T) << " tokens in " << fixed(seconds_since(start), 2)
          << " s\n";
  if (!std::isfinite(loss)) {
    throw Error(broken_checkpoint_message(
        o.checkpoint, "the model's loss on " + o.data.string() + " (" + o.split + " split) is",
        loss));
  }
  con.out << o.split << " loss " << fixed(loss, 4) << "\n";
  return loss;
}

int eval_main(std::span<const std::string> args, Console& con, Engine engine) {
  EvalOptions o = parse_eval_args(args);
  if (o.help) {
    con.out << usage("eval");
    return kExitOk;
  }
  o.engine = engine;
  evaluate(o, con);
  return kExitOk;
}

}  // namespace bg::cli
