// The training corpus: Song-dynasty ci and Southern Tang ci from the npm package
// chinese-poetry@2.0.1, converted to one text file exactly as the PyTorch course made it:
//
//   files dist/songci/ci.song.<N>.json in ascending numeric N, then
//   dist/wudaishici/nantang/poetrys.json; each file is a JSON array of poems, and each poem
//   becomes "<rhythmic> <author>\n" (rhythmic, else title, else ""; author, else ""), its
//   `paragraphs` one per line, and a blank line between poems.
//
// The result is 5,742,880 bytes (SHA-256 below): 21,095 poems, 2,062,731 characters,
// 6,104 distinct characters. The poems are never committed: they are fetched at set-up.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace bg {

inline constexpr std::string_view kCorpusPackage = "chinese-poetry@2.0.1";
inline constexpr std::string_view kCorpusTarballName = "chinese-poetry-2.0.1.tgz";
inline constexpr std::string_view kCorpusTarballSha1 = "b6e7e60d0accac7c723d066a5c360549aab8299d";
inline constexpr std::string_view kCorpusSha256 =
    "381caa194f11cdf19d8b15b61a9cc84988c1f80d083360dcce89e026ade0050a";
inline constexpr int64_t kCorpusBytes = 5742880;

struct CorpusOptions {
  // An already-downloaded chinese-poetry-2.0.1.tgz: use it instead of running npm (offline).
  // It is only read, never moved or deleted.
  std::filesystem::path tarball;
  // Receives one line per step ("fetching chinese-poetry@2.0.1 with npm pack", ...).
  std::function<void(const std::string&)> log;
};

struct CorpusStats {
  int64_t poems = 0;
  int64_t bytes = 0;
  int64_t chars = 0;     // code points
  int64_t distinct = 0;  // distinct code points
  std::string sha256;    // of the text, lowercase hex
};

// Fetches (npm pack, in a temporary directory next to `out_path` that is always removed
// afterwards), verifies the tarball's SHA-1, unpacks it with `cmake -E tar xzf`, converts
// it, checks the result against the contract's SHA-256 and writes `out_path` atomically.
// Throws bg::Error with a clear message when npm is missing or fails (saying how else to
// get the corpus), when the SHA-1 differs (naming both hashes), or when a step fails.
CorpusStats prepare_corpus(const std::filesystem::path& out_path,
                           const CorpusOptions& options = {});

// The corpus text of an unpacked package's `dist` directory, and how many poems it holds.
// Throws bg::Error naming the file (and poem) on missing files or malformed JSON.
struct CorpusText {
  std::string text;
  int64_t poems = 0;
};
CorpusText ci_text_from_dist(const std::filesystem::path& dist_dir);

// ci_text_from_dist written atomically to `out_path`.
CorpusStats convert_dist(const std::filesystem::path& dist_dir,
                         const std::filesystem::path& out_path);

// Size, character counts and SHA-256 of a (valid UTF-8) text; `poems` is left 0.
CorpusStats text_stats(std::string_view text);

// Throws bg::Error naming the file and both hashes when `file`'s SHA-1 is not `expected`.
void verify_sha1(const std::filesystem::path& file, std::string_view expected);

}  // namespace bg
