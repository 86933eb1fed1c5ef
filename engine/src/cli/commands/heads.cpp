// babygpt heads: what every attention head of a trained model looks at, and what the loss says
// when heads are removed (lesson 14). Writes roles.md, roles.svg, ablation.md and pruning.svg.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <memory>
#include <ostream>
#include <sstream>

#include "bg/cli/checkpoint.h"
#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/cli/progress.h"
#include "bg/data.h"
#include "bg/head_study.h"
#include "bg/io/fileio.h"
#include "bg/io/svg.h"

namespace bg::cli {

const std::vector<Flag>& heads_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE", "a model.safetensors of v8 or later (required)"},
      {"data", "FILE",
       "the text it was trained on; its validation split is used (default "
       "data/ci.txt)"},
      {"out", "DIR", "where the tables and pictures go (default: heads/ beside the checkpoint)"},
      {"windows", "N", "head roles over the first N windows of the split; 0 = all (default 0)"},
  };
  return flags;
}

HeadsOptions parse_heads_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("heads", args, heads_flags());
  HeadsOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "heads", "checkpoint", "FILE");
  if (const auto* v = p.get("data")) o.data = *v;
  o.out =
      p.has("out") ? std::filesystem::path(*p.get("out")) : o.checkpoint.parent_path() / "heads";
  if (const auto* v = p.get("windows")) o.windows = parse_int("windows", *v, 0);
  return o;
}

std::vector<HeadId> parse_prune_heads(const std::string& text) {
  try {
    return parse_head_ids(text);
  } catch (const Error& e) {
    throw UsageError(std::string("--prune-heads: ") + e.what());
  }
}

namespace {

// "，" and "。": the line-break punctuation of ci poetry, marked by token id (a bool array, so
// that head_roles can take it as a span).
std::unique_ptr<bool[]> punctuation_of(const CharTokenizer& tok) {
  auto marked = std::make_unique<bool[]>(static_cast<size_t>(tok.vocab_size()));  // all false
  for (const char* mark : {"\uFF0C", "\u3002"}) {
    try {
      for (int32_t id : tok.encode(mark)) marked[static_cast<size_t>(id)] = true;
    } catch (const Error&) {
      // not in this vocabulary: nothing to mark
    }
  }
  return marked;
}

std::string number(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string signed_number(double v, int decimals) {  // "+0.0284"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.*f", decimals, v);
  return buf;
}

// The in-place progress line (on a terminal) of one phase: "roles: 120/806 windows".
struct PhaseLine {
  Console& con;
  std::string what;
  std::string unit;
  Clock::time_point start = Clock::now();
  void operator()(int64_t done, int64_t total) const {
    if (!con.interactive) return;
    Progress p{done, total, 0.0, seconds_since(start)};
    con.err << "\r" << what << ": " << grouped(done) << "/" << grouped(total) << " " << unit
            << " | elapsed " << format_duration(p.elapsed) << " | ETA "
            << format_duration(eta_seconds(p)) << "\033[K" << std::flush;
  }
  void finish(int64_t total) const {
    if (con.interactive) con.err << "\r\033[K";
    con.err << what << ": " << grouped(total) << " " << unit << " in "
            << fixed(seconds_since(start), 1) << " s\n";
  }
};

}  // namespace

HeadsResult heads(const HeadsOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  if (head_projections(*ck.model).empty()) {
    throw Error(o.checkpoint.string() + " holds a " + ck.config.model + " model: head gates sit " +
                "on the input of W^O, the attention's output projection, which comes in " +
                first_version_with([](const ModelVersion& m) { return m.projection; }) +
                ": pass a checkpoint of that version or later");
  }
  const std::string text = read_text(o.data, "--data");
  const std::vector<int32_t> ids =
      encode_or_explain(ck.tokenizer, text, o.data.string() + " does not fit the checkpoint");
  const std::vector<int32_t> val = split_train_val(ids).val;
  const int64_t T = ck.config.block_size;
  if (static_cast<int64_t>(val.size()) < T + 1) {
    throw Error(o.data.string() + ": the validation split holds " + grouped(std::ssize(val)) +
                " tokens, shorter than a block: the heads need at least block_size + 1 = " +
                std::to_string(T + 1));
  }
  make_directory(o.out);
  for (const char* name : {"roles.md", "roles.svg", "ablation.md", "pruning.svg"}) {
    check_writable(o.out / name);
  }
  ck.model->eval();  // no dropout: the weights the model uses to predict
  const int64_t layers = ck.config.n_layer, n_head = ck.config.n_head;
  con.out << "checkpoint " << o.checkpoint.string() << ": "
          << describe(ck.config, ck.model->num_parameters()) << "\n"
          << o.data.string() << ": validation split, " << grouped(std::ssize(val)) << " tokens, "
          << grouped((std::ssize(val) - 1) / T) << " windows of " << T << "\n"
          << std::flush;

  // 1. roles
  HeadsResult r;
  const std::unique_ptr<bool[]> marks = punctuation_of(ck.tokenizer);
  const int64_t windows =
      o.windows > 0 ? std::min(o.windows, (std::ssize(val) - 1) / T) : (std::ssize(val) - 1) / T;
  {
    const PhaseLine line{con, "head roles", "windows"};
    r.roles = head_roles(
        *ck.model, val, T,
        std::span<const bool>(marks.get(), static_cast<size_t>(ck.tokenizer.vocab_size())), windows,
        std::cref(line));
    line.finish(windows);
  }
  // 2. ablation and pruning
  {
    const PhaseLine line{con, "ablation", "evaluations of the split"};
    r.ablation = ablate_heads(*ck.model, val, T, features_of(o.engine), std::cref(line));
    line.finish(2 * layers * n_head + 1);
  }
  const HeadAblation& a = r.ablation;
  if (!std::isfinite(a.base_loss)) {
    throw Error(
        broken_checkpoint_message(o.checkpoint, "the model's validation loss is", a.base_loss));
  }
  for (double l : a.alone) {
    if (!std::isfinite(l)) {
      throw Error(
          broken_checkpoint_message(o.checkpoint, "the model's loss with a head removed is", l));
    }
  }

  // roles.md: one row per head
  std::ostringstream roles;
  roles << "# Head roles: " << o.checkpoint.string() << "\n\n"
        << ck.config.model << ", " << layers << " layers x " << n_head << " heads, block_size " << T
        << "; means over " << grouped(windows) << " windows of the validation split of "
        << o.data.string() << " (query positions 1 … " << T - 1 << " of each window)\n\n"
        << "| head | self | previous | ，。 | look-back | entropy | loss without it |\n"
        << "|---|---:|---:|---:|---:|---:|---:|\n";
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t h = 0; h < n_head; ++h) {
      const auto i = static_cast<size_t>(l * n_head + h);
      const HeadRole& role = r.roles[i];
      roles << "| " << l << "." << h << " | " << number(role.self, 3) << " | "
            << number(role.previous, 3) << " | " << number(role.punctuation, 3) << " | "
            << number(role.distance, 2) << " | " << number(role.entropy, 2) << " | "
            << number(a.alone[i], 4) << " (" << signed_number(a.alone[i] - a.base_loss, 4)
            << ") |\n";
    }
  }
  roles << "\nself, previous, ，。: the share of a query's weight on its own token, the token "
           "before it, and the marks ，。 among the tokens it sees. look-back: the mean "
           "distance back, in tokens. entropy: in nats (0: one token; ln(t+1): spread evenly). "
           "Loss without it: the validation loss with only that head removed (all heads: "
        << number(a.base_loss, 4) << ").\n";
  write_file_atomic(o.out / "roles.md", roles.str());

  // roles.svg: five panels, one cell per head
  svg::HeadPanels chart;
  chart.title = "BabyGPT " + ck.config.model + ": what each head looks at (validation split)";
  chart.layers = static_cast<int>(layers);
  chart.heads = static_cast<int>(n_head);
  double max_distance = 0, max_entropy = 0;
  for (const HeadRole& role : r.roles) {
    max_distance = std::max(max_distance, role.distance);
    max_entropy = std::max(max_entropy, role.entropy);
  }
  const auto panel = [&](std::string title, double HeadRole::*field, double max, int decimals) {
    svg::HeadPanel p{std::move(title), {}, max, decimals};
    for (const HeadRole& role : r.roles) p.values.push_back(role.*field);
    chart.panels.push_back(std::move(p));
  };
  panel("self", &HeadRole::self, 1.0, 2);
  panel("previous token", &HeadRole::previous, 1.0, 2);
  panel("punctuation \uFF0C\u3002", &HeadRole::punctuation, 1.0, 2);
  panel("look-back (tokens)", &HeadRole::distance, max_distance, 1);
  panel("entropy (nats)", &HeadRole::entropy, max_entropy, 2);
  svg::write_svg(o.out / "roles.svg", svg::head_panels(chart));

  // ablation.md and pruning.svg
  const auto n = std::ssize(a.order);
  std::ostringstream abl;
  abl << "# Removing heads: " << o.checkpoint.string() << "\n\n"
      << "Validation loss over the whole split (" << grouped((std::ssize(val) - 1) / T)
      << " windows), every head kept: " << number(a.base_loss, 4) << "\n\n"
      << "Heads removed one after another, the least costly alone first:\n\n"
      << "| removed | head | heads kept | loss | change |\n|---:|---|---:|---:|---:|\n";
  for (int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<size_t>(k);
    abl << "| " << k + 1 << " | " << to_string(a.order[i]) << " | " << n - k - 1 << " | "
        << number(a.pruned_loss[i], 4) << " | " << signed_number(a.pruned_loss[i] - a.base_loss, 4)
        << " |\n";
  }
  abl << "\nWithin +0.02 nats: " << a.removable(0.02) << " of " << n
      << " heads can go. Within +0.05: " << a.removable(0.05) << ".\n";
  write_file_atomic(o.out / "ablation.md", abl.str());
  svg::LineChart curve;
  curve.title = "BabyGPT " + ck.config.model +
                ": validation loss as heads are removed, the least costly first";
  curve.x_label = "heads kept";
  curve.y_label = "validation loss";
  svg::Series pruned{"loss", {static_cast<double>(n)}, {a.base_loss}};
  for (int64_t k = 0; k < n; ++k) {
    pruned.x.push_back(static_cast<double>(n - k - 1));
    pruned.y.push_back(a.pruned_loss[static_cast<size_t>(k)]);
  }
  const auto flat = [&](std::string name, double delta) {
    return svg::Series{
        std::move(name), {0.0, static_cast<double>(n)}, {a.base_loss + delta, a.base_loss + delta}};
  };
  curve.series = {pruned, flat("+0.02 nats", 0.02), flat("+0.05 nats", 0.05)};
  svg::write_svg(o.out / "pruning.svg", svg::line_chart(curve));

  con.out
      << "validation loss " << number(a.base_loss, 4) << " with all " << n << " heads\n"
      << "least costly head alone: " << to_string(a.order.front()) << " ("
      << signed_number(
             a.alone[static_cast<size_t>(a.order.front().layer * n_head + a.order.front().head)] -
                 a.base_loss,
             4)
      << "), most costly: " << to_string(a.order.back()) << " ("
      << signed_number(
             a.alone[static_cast<size_t>(a.order.back().layer * n_head + a.order.back().head)] -
                 a.base_loss,
             4)
      << ")\n"
      << "heads that can go, least costly first: " << a.removable(0.02) << " of " << n
      << " within +0.02 nats, " << a.removable(0.05) << " within +0.05\n"
      << "wrote " << (o.out / "roles.md").string() << ", roles.svg, ablation.md, pruning.svg\n";
  return r;
}

int heads_main(std::span<const std::string> args, Console& con, Engine engine) {
  HeadsOptions o = parse_heads_args(args);
  if (o.help) {
    con.out << usage("heads");
    return kExitOk;
  }
  o.engine = engine;
  heads(o, con);
  return kExitOk;
}

}  // namespace bg::cli
