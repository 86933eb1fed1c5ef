// babygpt sample: write text with a trained model, with the KV cache (lesson 13) or without it.
#include <algorithm>
#include <cmath>
#include <ostream>

#include "bg/autograd.h"
#include "bg/cli/checkpoint.h"
#include "bg/cli/command_support.h"
#include "bg/cli/commands.h"
#include "bg/cli/model_cost.h"
#include "bg/kv_cache.h"
#include "bg/nn_ops.h"

namespace bg::cli {

const std::vector<Flag>& sample_flags() {
  static const std::vector<Flag> flags = {
      {"checkpoint", "FILE", "a model.safetensors written by 'babygpt train' (required)"},
      {"prompt", "TEXT", "start of the text; repeat for several (default 春江 and 往事)", true},
      {"tokens", "N", "characters to generate per prompt (default 200)"},
      {"temperature", "X", "divides the logits; lower is more conservative (default 1.0)"},
      {"top-k", "K", "sample among the K most likely characters only; 0 = off (default 0)"},
      {"seed", "N", "seed of the sampling (default 1337)"},
      {"no-kv-cache", "", "recompute the whole context for every character (same text, slower)"},
      {"prune-heads", "L.H,...", "remove these heads first (gate 0; layer.head from 0, v8+)"},
  };
  return flags;
}

SampleCommandOptions parse_sample_args(std::span<const std::string> args) {
  const ParsedFlags p = parse_flags("sample", args, sample_flags());
  SampleCommandOptions o;
  o.help = p.help;
  if (o.help) return o;
  o.checkpoint = require(p, "sample", "checkpoint", "FILE");
  if (p.has("prompt")) o.prompts = p.all("prompt");
  if (const auto* v = p.get("tokens")) o.tokens = parse_int("tokens", *v, 0, kMaxNewTokens);
  if (const auto* v = p.get("temperature")) o.temperature = parse_number("temperature", *v, true);
  if (const auto* v = p.get("top-k")) o.top_k = parse_int("top-k", *v, 0);
  if (const auto* v = p.get("seed")) o.seed = parse_seed("seed", *v);
  o.kv_cache = !p.has("no-kv-cache");
  if (const auto* v = p.get("prune-heads")) o.prune_heads = parse_prune_heads(*v);
  return o;
}

namespace {

// The model's logits after `context` (what the first token is drawn from) must be finite: a
// broken checkpoint is named here, before a draw fails on a weight that is nan.
void check_logits_finite(const Checkpoint& ck, const SampleCommandOptions& o,
                         const std::vector<int32_t>& context, const std::string& prompt) {
  const std::vector<int32_t> idx = crop_context(context, ck.config.block_size);
  const auto T = static_cast<int64_t>(idx.size());
  NoGradGuard no_grad;
  Tensor last;
  try {
    last = ck.model->lm_head()(narrow(features_of(o.engine)(*ck.model, idx, 1, T), 1, -1, 1));
  } catch (const NotImplemented&) {
    return;  // babygpt_mine before that lesson is written: generation says so itself
  }
  for (const float l : last.data()) {
    if (!std::isfinite(l)) {
      throw Error(broken_checkpoint_message(
          o.checkpoint, "the model's logits after --prompt '" + prompt + "' are", l));
    }
  }
}

}  // namespace

std::vector<std::string> sample(const SampleCommandOptions& o, Console& con) {
  const Checkpoint ck = load_checkpoint(o.checkpoint);
  ck.model->eval();                                                    // no dropout while sampling
  if (!o.prune_heads.empty()) remove_heads(*ck.model, o.prune_heads);  // lesson 14
  std::vector<std::vector<int32_t>> contexts;
  for (const auto& prompt : o.prompts) {
    if (prompt.empty()) throw Error("--prompt must not be empty");
    contexts.push_back(encode_or_explain(ck.tokenizer, prompt, "--prompt '" + prompt + "'"));
  }
  if (o.kv_cache) {
    // The cache holds the longest window a prompt's generation sees, at most block_size.
    size_t longest = 0;
    for (const auto& context : contexts) longest = std::max(longest, context.size());
    check_kv_cache_fits_in_memory(
        ck.config, generation_cache_positions(ck.config, static_cast<int64_t>(longest), o.tokens));
  }
  for (size_t i = 0; i < contexts.size(); ++i) {
    check_logits_finite(ck, o, contexts[i], o.prompts[i]);
  }
  Generator gen(o.seed);
  SampleOptions so;
  so.max_new_tokens = o.tokens;
  so.temperature = o.temperature;
  so.top_k = o.top_k;
  std::vector<std::string> texts;
  const auto start = Clock::now();
  bool kv_cache = o.kv_cache;
  // The text is shown as it is drawn, a character at a time: the prompt, then each new one.
  const auto show = [&](int32_t token) {
    con.out << ck.tokenizer.decode(std::span(&token, 1)) << std::flush;
    return true;
  };
  for (size_t i = 0; i < contexts.size(); ++i) {
    if (i > 0) con.out << "\n";
    con.out << ck.tokenizer.decode(contexts[i]) << std::flush;
    // With the KV cache (lesson 13) by default; --no-kv-cache: the whole window every step.
    const std::vector<int32_t> all =
        generate_text(*ck.model, contexts[i], so, gen, kv_cache, features_of(o.engine), con, show);
    texts.push_back(ck.tokenizer.decode(all));
    con.out << "\n" << std::flush;
  }
  const double secs = seconds_since(start);
  const auto n = static_cast<int64_t>(contexts.size()) * o.tokens;
  con.err << "sampled " << grouped(n) << " tokens in " << fixed(secs, 2) << " s ("
          << grouped(secs > 0 ? static_cast<int64_t>(static_cast<double>(n) / secs) : 0)
          << " tokens/s, ";
  if (kv_cache) {
    con.err << "with the KV cache: " << grouped(static_cast<int64_t>(kv_cache_bytes(ck.config, 1)))
            << " bytes per token)\n";
  } else {
    con.err << "without the KV cache)\n";
  }
  return texts;
}

int sample_main(std::span<const std::string> args, Console& con, Engine engine) {
  SampleCommandOptions o = parse_sample_args(args);
  if (o.help) {
    con.out << usage("sample");
    return kExitOk;
  }
  o.engine = engine;
  sample(o, con);
  return kExitOk;
}

}  // namespace bg::cli
