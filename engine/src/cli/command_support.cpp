// What several commands of the babygpt program share (bg/cli/command_support.h).
#include "bg/cli/command_support.h"

#include <charconv>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <system_error>

#include "bg/io/fileio.h"
#include "bg/kv_cache.h"

namespace bg::cli {

namespace fs = std::filesystem;

// ---- the versions' table in words ----

std::string version_range() {
  return std::string(kModelVersions.front().name) + ".." + std::string(kModelVersions.back().name);
}

std::string version_choices() {
  return std::string(kModelVersions[0].name) + ", " + std::string(kModelVersions[1].name) + ", … " +
         std::string(kModelVersions.back().name);
}

std::string first_version_with(bool (*has)(const ModelVersion&)) {
  for (const ModelVersion& m : kModelVersions) {
    if (has(m)) return std::string(m.name);
  }
  throw Error("no version of the table has the feature asked for");
}

std::string course_value_text(int64_t value) { return std::to_string(value); }

std::string course_value_text(float value) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  return std::string(buf, ec == std::errc() ? end : buf);
}

CourseDefaults course_defaults(std::string_view model) {
  const ModelVersion* m = find_model_version(model);
  if (m == nullptr) {
    throw UsageError("--model must be one of " + version_choices() + ", got " + in_quotes(model));
  }
  return m->defaults;
}

// ---- numbers for messages ----

std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string fixed(double v, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << v;
  return s.str();
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- files ----

void check_input_file(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) {
    throw Error(what + " " + path.string() + " does not exist");
  }
  // A loop of symbolic links, a file where a directory should be, no permission, ...
  if (ec) throw Error(what + " " + path.string() + " cannot be opened: " + ec.message());
  if (fs::is_directory(st)) throw Error(what + " " + path.string() + " is a directory, not a file");
}

std::string read_text(const fs::path& path, const std::string& what) {
  check_input_file(path, what);
  return read_file(path);
}

void make_directory(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error("cannot create the directory " + dir.string() +
                (ec ? ": " + ec.message() : std::string(": a file is in the way")));
  }
}

// ---- models and text ----

std::vector<int32_t> encode_or_explain(const CharTokenizer& tok, const std::string& text,
                                       const std::string& what) {
  try {
    return tok.encode(text);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
}

std::string describe(const ModelConfig& c, int64_t parameters) {
  std::string s = c.model + " (vocab_size " + std::to_string(c.vocab_size) + ", block_size " +
                  std::to_string(c.block_size) + ", n_embed " + std::to_string(c.n_embed);
  if (c.has_heads()) s += ", n_head " + std::to_string(c.n_head);
  if (c.grouped()) s += ", n_kv_head " + std::to_string(c.n_kv_head);
  if (c.has_blocks()) s += ", n_layer " + std::to_string(c.n_layer);
  // The probability as stored, to the last digit that tells it apart ("0.2", "0.9999999").
  if (c.has_dropout()) s += ", dropout " + course_value_text(c.dropout == 0.0f ? 0.0f : c.dropout);
  return s + ", " + grouped(parameters) + " parameters)";
}

std::vector<int32_t> generate_text(const LanguageModel& model, const std::vector<int32_t>& context,
                                   const SampleOptions& so, Generator& gen, bool& kv_cache,
                                   FeaturesFn features, Console& con,
                                   const std::function<bool(int32_t)>& on_token) {
  if (kv_cache) {
    const Generator before = gen;
    try {
      return generate_cached(model, context, so, gen, on_token);
    } catch (const NotImplemented& e) {
      con.err << "note: " << e.what() << "\n      sampling without the KV cache\n";
      kv_cache = false;
      gen = before;
    }
  }
  return generate_with(model, context, so, gen, features, on_token);
}

}  // namespace bg::cli
