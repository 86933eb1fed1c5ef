// The corpus converter (bg/io/corpus.h) on a tiny fake `dist` tree, and the checks around the
// download. These tests never use the network.
#include "bg/io/corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bg/io/fileio.h"
#include "bg/io/hash.h"
#include "testing.h"

namespace bg {
namespace {

namespace fs = std::filesystem;

// A fresh scratch directory per test, removed afterwards.
class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ =
        temp_sibling(fs::temp_directory_path() / ("bg_corpus_test_" + std::string(info->name())));
    fs::remove_all(root_);
    fs::create_directories(root_ / "dist" / "songci");
    fs::create_directories(root_ / "dist" / "wudaishici" / "nantang");
  }
  void TearDown() override { fs::remove_all(root_); }

  void put(const fs::path& relative, const std::string& text) {
    std::ofstream out(root_ / relative, std::ios::binary);
    out << text;
  }
  // One poem per song file, named after the file's number, so the order shows.
  void put_song(int n) {
    put("dist/songci/ci.song." + std::to_string(n) + ".json",
        R"([{"author": "A)" + std::to_string(n) + R"(", "paragraphs": ["p)" + std::to_string(n) +
            R"("], "rhythmic": "R)" + std::to_string(n) + R"("}])");
  }
  void put_nantang() {
    put("dist/wudaishici/nantang/poetrys.json",
        R"([{"author": "李煜", "paragraphs": ["春花秋月何时了，", "往事知多少。"],)"
        R"( "rhythmic": "虞美人", "notes": ["ignored"]}])");
  }

  fs::path root_;
};

TEST_F(CorpusTest, ConvertsInNumericOrderWithNantangLast) {
  for (int n : {0, 1, 10, 2}) put_song(n);
  put("dist/songci/author.song.json", "[{\"name\": \"not a poem file\"}]");
  put("dist/songci/ci.song.x.json", "not even JSON");
  put_nantang();
  const CorpusText corpus = ci_text_from_dist(root_ / "dist");
  EXPECT_EQ(corpus.poems, 5);
  EXPECT_EQ(corpus.text,
            "R0 A0\np0\n\n"
            "R1 A1\np1\n\n"
            "R2 A2\np2\n\n"
            "R10 A10\np10\n\n"
            "虞美人 李煜\n春花秋月何时了，\n往事知多少。\n");
}

TEST_F(CorpusTest, FallsBackToTitleThenEmpty) {
  put("dist/songci/ci.song.0.json", R"([{"title": "T", "author": "A", "paragraphs": ["x"]},)"
                                    R"( {"rhythmic": "", "title": "T2", "paragraphs": ["y", "z"]},)"
                                    R"( {"rhythmic": null, "author": null, "paragraphs": []},)"
                                    R"( {"rhythmic": "R\u4e2d\n", "paragraphs": ["\"q\""]}])");
  put("dist/wudaishici/nantang/poetrys.json", "[]");
  const CorpusText corpus = ci_text_from_dist(root_ / "dist");
  EXPECT_EQ(corpus.poems, 4);
  EXPECT_EQ(corpus.text,
            "T A\nx\n\n"
            "T2 \ny\nz\n\n"
            " \n\n\n"
            "R中\n \n\"q\"\n");
}

TEST_F(CorpusTest, ConvertDistWritesTheFileAndStats) {
  put_song(0);
  put_nantang();
  const fs::path out = root_ / "ci.txt";
  const CorpusStats stats = convert_dist(root_ / "dist", out);
  const std::string text = read_file(out);
  EXPECT_EQ(text, "R0 A0\np0\n\n虞美人 李煜\n春花秋月何时了，\n往事知多少。\n");
  EXPECT_EQ(stats.poems, 2);
  EXPECT_EQ(stats.bytes, static_cast<int64_t>(text.size()));
  // Characters: "R0 A0\np0\n\n" 10, "虞美人 李煜\n" 7, "春花秋月何时了，\n" 9, "往事知多少。\n" 7.
  EXPECT_EQ(stats.chars, 10 + 7 + 9 + 7);
  // Distinct: R 0 space A \n p, then 5 + 8 + 6 Chinese characters and punctuation marks.
  EXPECT_EQ(stats.distinct, 6 + 5 + 8 + 6);
  EXPECT_EQ(stats.sha256, sha256_hex(text));
}

TEST(CorpusStats, CountsCodePoints) {
  const CorpusStats s = text_stats("春江春\na");
  EXPECT_EQ(s.bytes, 11);
  EXPECT_EQ(s.chars, 5);
  EXPECT_EQ(s.distinct, 4);
  EXPECT_EQ(text_stats("").distinct, 0);
}

TEST_F(CorpusTest, ErrorsNameTheFileAndPoem) {
  put("dist/songci/ci.song.0.json",
      R"([{"rhythmic": "R", "paragraphs": ["a"]}, {"rhythmic": "S"}])");
  put_nantang();
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "dist"), "ci.song.0.json", "poem 1", "paragraphs");
  put("dist/songci/ci.song.0.json", R"([{"rhythmic": "R", "paragraphs": ["a"],}])");
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "dist"), "ci.song.0.json", "json:", "at byte");
  put("dist/songci/ci.song.0.json", R"({"rhythmic": "R"})");
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "dist"), "ci.song.0.json", "array");
  put("dist/songci/ci.song.0.json", R"([{"rhythmic": 7, "paragraphs": []}])");
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "dist"), "\"rhythmic\" is a number");
}

TEST_F(CorpusTest, MissingFilesAreErrors) {
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "dist"), "no ci.song.<N>.json files");
  put_song(0);
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "dist"), "poetrys.json", "not found");
  EXPECT_BG_ERROR(ci_text_from_dist(root_ / "nowhere"), "not a directory");
}

TEST_F(CorpusTest, TarballWithTheWrongSha1IsRefusedAndKept) {
  const fs::path fake = root_ / "chinese-poetry-2.0.1.tgz";
  put("chinese-poetry-2.0.1.tgz", "not the real package");
  const std::string fake_sha1 = sha1_file_hex(fake);
  CorpusOptions options;
  options.tarball = fake;
  const fs::path out_dir = root_ / "data";
  const std::string want_sha1(kCorpusTarballSha1);
  EXPECT_BG_ERROR(prepare_corpus(out_dir / "ci.txt", options), fake_sha1.c_str(), want_sha1.c_str(),
                  "chinese-poetry-2.0.1.tgz");
  EXPECT_TRUE(fs::exists(fake));                 // the user's file is left alone
  EXPECT_FALSE(fs::exists(out_dir / "ci.txt"));  // nothing written
  EXPECT_TRUE(fs::is_empty(out_dir));            // and the temporary directory is gone
}

TEST_F(CorpusTest, MissingTarballIsAnError) {
  CorpusOptions options;
  options.tarball = root_ / "missing.tgz";
  EXPECT_BG_ERROR(prepare_corpus(root_ / "ci.txt", options), "missing.tgz", "not found");
}

}  // namespace
}  // namespace bg
