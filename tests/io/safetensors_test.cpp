// Checkpoints (bg/io/safetensors.h): round trips, a file as PyTorch's writer makes it, every
// error path of the reader, and atomic writes.
#include "bg/io/safetensors.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bg/io/fileio.h"
#include "bg/io/json.h"
#include "testing.h"

namespace bg {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = temp_sibling(fs::temp_directory_path() / ("bg_st_test_" + std::string(info->name())));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path file(const std::string& name) const { return dir_ / name; }
  void put(const fs::path& path, const std::string& bytes) const {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  // Every name in the directory (to spot left-over temporary files).
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

// A safetensors file from a header text and data bytes, as any writer would make it.
std::string make_file(std::string header, const std::string& data, bool pad = true) {
  if (pad) header.append((8 - header.size() % 8) % 8, ' ');
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return bytes + header + data;
}

std::string le_floats(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) {
    const auto u = std::bit_cast<uint32_t>(v);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((u >> (8 * i)) & 0xFF);
  }
  return out;
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
}

TEST_F(SafetensorsTest, RoundTripsTensorsAndMetadata) {
  const float inf = std::numeric_limits<float>::infinity();
  const NamedTensors tensors = {
      {"token_embedding_table.weight", Tensor({1.5f, -2.25f, 0.0f, -0.0f, 1e-38f, 3e38f}, {3, 2})},
      {"lm_head.bias", Tensor({inf, -inf, 7.0f}, {3})},
      {"scalar", Tensor({42.0f}, {})},
      {"empty", Tensor({}, {0, 4})},
  };
  const std::map<std::string, std::string> meta = {
      {"model", "v4"}, {"vocab_size", "3"}, {"vocab", "\n春江\"\\"}, {"n_head", "4"}};
  const fs::path path = file("model.safetensors");
  save_safetensors(path, tensors, meta);

  const SafetensorsFile loaded = load_safetensors(path);
  ASSERT_EQ(loaded.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(loaded.tensors[i].first, tensors[i].first);
    EXPECT_EQ(loaded.tensors[i].second.shape(), tensors[i].second.shape());
    EXPECT_TRUE(same_bits(loaded.tensors[i].second.data(), tensors[i].second.data()))
        << tensors[i].first;
  }
  EXPECT_EQ(loaded.metadata, meta);
  EXPECT_EQ(loaded.meta("vocab"), "\n春江\"\\");
  EXPECT_EQ(loaded.at("scalar").item(), 42.0f);
  EXPECT_EQ(loaded.find("nope"), nullptr);
  EXPECT_BG_ERROR(loaded.at("nope"), "no tensor \"nope\"");
  EXPECT_BG_ERROR(loaded.meta("block_size"), "no \"block_size\"");
  EXPECT_EQ(listing(), std::vector<std::string>{"model.safetensors"});  // no temp file left
}

TEST_F(SafetensorsTest, WritesTheStandardLayout) {
  const fs::path path = file("a.safetensors");
  save_safetensors(path, {{"w", Tensor({1, 2, 3, 4, 5, 6}, {2, 3})}, {"b", Tensor({7}, {1})}},
                   {{"k", "v"}});
  const std::string bytes = read_file(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  ASSERT_EQ(bytes.size(), 8 + n + 7 * 4);
  const json::Value header = json::parse(std::string_view(bytes).substr(8, n));
  EXPECT_EQ(header.at("__metadata__").at("k").as_string(), "v");
  EXPECT_EQ(header.at("w").at("dtype").as_string(), "F32");
  EXPECT_EQ(json::dump(header.at("w").at("shape")), "[2,3]");
  EXPECT_EQ(json::dump(header.at("w").at("data_offsets")), "[0,24]");
  EXPECT_EQ(json::dump(header.at("b").at("data_offsets")), "[24,28]");
  EXPECT_EQ(bytes.substr(8 + n), le_floats({1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(SafetensorsTest, LoadsAFileAsPyTorchsReferenceWriterMakesIt) {
  // json.dumps(header, ensure_ascii=False): ", " and ": " separators, raw UTF-8, metadata
  // last; padded with spaces to a multiple of 8.
  const std::string header =
      R"({"sa_heads.heads.0.key.weight": {"dtype": "F32", "shape": [2, 1], )"
      R"("data_offsets": [0, 8]}, "lm_head.bias": {"dtype": "F32", "shape": [1], )"
      R"("data_offsets": [8, 12]}, "__metadata__": {"model": "v4", "vocab_size": "2", )"
      R"("block_size": "8", "n_embed": "32", "n_head": "4", "vocab": "往事"}})";
  const fs::path path = file("torch.safetensors");
  put(path, make_file(header, le_floats({0.5f, -1.0f, 3.0f})));
  const SafetensorsFile f = load_safetensors(path);
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].first, "sa_heads.heads.0.key.weight");
  EXPECT_EQ(f.tensors[0].second.shape(), (Shape{2, 1}));
  EXPECT_TRUE(testing::AllClose(f.tensors[0].second, {0.5f, -1.0f}));
  EXPECT_TRUE(testing::AllClose(f.at("lm_head.bias"), {3.0f}));
  EXPECT_EQ(f.meta("vocab"), "往事");
  EXPECT_EQ(f.meta("n_head"), "4");
}

TEST_F(SafetensorsTest, OrdersTensorsByTheirData) {
  const std::string header = R"({"second": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},)"
                             R"("first": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})";
  put(file("x"), make_file(header, le_floats({1, 2})));
  const SafetensorsFile f = load_safetensors(file("x"));
  EXPECT_EQ(f.tensors[0].first, "first");
  EXPECT_EQ(f.tensors[1].first, "second");
  EXPECT_EQ(f.at("second").item(), 2.0f);
}

TEST_F(SafetensorsTest, MissingFile) {
  EXPECT_BG_ERROR(load_safetensors(file("missing.safetensors")), "missing.safetensors",
                  "no such file");
}

TEST_F(SafetensorsTest, ShorterThanTheHeaderLength) {
  put(file("short"), "abcde");
  EXPECT_BG_ERROR(load_safetensors(file("short")), "short'", "5 bytes", "too short");
  put(file("empty"), "");
  EXPECT_BG_ERROR(load_safetensors(file("empty")), "0 bytes");
}

TEST_F(SafetensorsTest, HeaderLengthBeyondTheFile) {
  std::string bytes = make_file(R"({})", "");
  bytes[0] = 100;
  put(file("h"), bytes);
  EXPECT_BG_ERROR(load_safetensors(file("h")), "header length 100", "beyond the end", "16 bytes");
  std::string huge(8, '\xFF');
  put(file("huge"), huge + "{}");
  EXPECT_BG_ERROR(load_safetensors(file("huge")), "header length 18446744073709551615");
}

TEST_F(SafetensorsTest, InvalidJson) {
  put(file("j"), make_file(R"({"w": {"dtype": "F32",)", ""));
  EXPECT_BG_ERROR(load_safetensors(file("j")), "'", "invalid header", "json:", "at byte");
  put(file("arr"), make_file("[1, 2]", ""));
  EXPECT_BG_ERROR(load_safetensors(file("arr")), "not a JSON object");
}

TEST_F(SafetensorsTest, UnsupportedDtype) {
  put(file("f16"), make_file(R"({"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}})",
                             std::string(4, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("f16")), "f16'", "tensor \"w\"", "dtype F16", "only F32");
}

TEST_F(SafetensorsTest, ShapeAndOffsetsDisagree) {
  put(file("s"), make_file(R"({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}})",
                           std::string(12, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("s")), "tensor \"w\"", "[0, 12]", "12 bytes", "[2, 2]",
                  "needs 16");
  put(file("r"), make_file(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})",
                           std::string(8, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("r")), "end before begin");
  put(file("n"), make_file(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})",
                           std::string(4, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("n")), "not a non-negative integer");
  put(file("m"), make_file(R"({"w": {"dtype": "F32", "shape": [1]}})", std::string(4, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("m")), "lacks dtype, shape or data_offsets");
}

TEST_F(SafetensorsTest, OverlappingTensors) {
  const std::string header = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                             R"("b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})";
  put(file("o"), make_file(header, std::string(12, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("o")), "\"a\" and \"b\" overlap");
}

// A zero-length tensor between two overlapping ones used to hide the overlap (each tensor was
// compared with its neighbour only).
TEST_F(SafetensorsTest, AZeroLengthTensorDoesNotHideAnOverlap) {
  const std::string header = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                             R"("z": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},)"
                             R"("b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})";
  put(file("o"), make_file(header, std::string(12, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("o")), "overlap");
}

TEST_F(SafetensorsTest, ZeroLengthTensorsTakeNoRoom) {
  const std::string header = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                             R"("z": {"dtype": "F32", "shape": [3, 0], "data_offsets": [4, 4]},)"
                             R"("b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})";
  put(file("z"), make_file(header, le_floats({1, 2})));
  const SafetensorsFile f = load_safetensors(file("z"));
  EXPECT_EQ(f.at("z").shape(), (Shape{3, 0}));
  EXPECT_EQ(f.at("b").item(), 2.0f);
}

TEST_F(SafetensorsTest, GapsAndTrailingBytesAreErrors) {
  const std::string gap = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                          R"("b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})";
  put(file("gap"), make_file(gap, std::string(12, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("gap")), "data bytes [4, 8)", "before tensor \"b\"",
                  "belong to no tensor");
  put(file("late"), make_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                              std::string(8, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("late")), "data bytes [0, 4)");
  // Data after the last tensor used to be ignored silently.
  put(file("tail"), make_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                              le_floats({1, 2})));
  EXPECT_BG_ERROR(load_safetensors(file("tail")), "tail'", "last 4 bytes", "belong to no tensor");
  put(file("none"), make_file(R"({"__metadata__": {"a": "b"}})", "xyz"));
  EXPECT_BG_ERROR(load_safetensors(file("none")), "last 3 bytes");
  // A file we save has none of these problems, whatever the order of its tensors.
  save_safetensors(
      file("ok"), {{"b", Tensor({1, 2}, {2})}, {"e", Tensor({}, {0, 5})}, {"a", Tensor({3}, {1})}});
  EXPECT_EQ(load_safetensors(file("ok")).tensors.size(), 3u);
}

// [2^32, 2^32, 0] holds no data, so the offsets [0, 0] agree with it; but 2^32 · 2^32 overflows
// any product of the sizes (UBSan caught the signed overflow in numel).
TEST_F(SafetensorsTest, ShapesWithTooManyElements) {
  put(file("big"), make_file(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 0],)"
                             R"( "data_offsets": [0, 0]}})",
                             ""));
  EXPECT_BG_ERROR(load_safetensors(file("big")), "tensor \"w\"", "[4294967296,4294967296,0]",
                  "too many elements");
  put(file("big2"), make_file(R"({"w": {"dtype": "F32", "shape": [0, 1073741824, 1073741824, 2],)"
                              R"( "data_offsets": [0, 0]}})",
                              ""));
  EXPECT_BG_ERROR(load_safetensors(file("big2")), "too many elements");
  // 2^60 elements is the limit; this one then fails on its data, as it should.
  put(file("limit"), make_file(R"({"w": {"dtype": "F32", "shape": [1073741824, 1073741824],)"
                               R"( "data_offsets": [0, 4]}})",
                               le_floats({1})));
  EXPECT_BG_ERROR(load_safetensors(file("limit")), "hold 4 bytes");
}

TEST_F(SafetensorsTest, DataBeyondTheEnd) {
  put(file("b"), make_file(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}})",
                           std::string(8, '\0')));
  EXPECT_BG_ERROR(load_safetensors(file("b")), "tensor \"w\" ends at data byte 12", "only 8 bytes",
                  "truncated");
}

TEST_F(SafetensorsTest, TruncatedCheckpoint) {
  const fs::path path = file("t.safetensors");
  save_safetensors(path, {{"w", Tensor({1, 2, 3, 4}, {4})}});
  const std::string bytes = read_file(path);
  put(path, bytes.substr(0, bytes.size() - 3));
  EXPECT_BG_ERROR(load_safetensors(path), "t.safetensors", "truncated");
  put(path, bytes.substr(0, 20));  // cut inside the header
  EXPECT_BG_ERROR(load_safetensors(path), "header length", "beyond the end");
}

TEST_F(SafetensorsTest, MetadataMustBeStrings) {
  put(file("meta"), make_file(R"({"__metadata__": {"n_head": 4}})", ""));
  EXPECT_BG_ERROR(load_safetensors(file("meta")), "\"n_head\" is not a string");
}

TEST_F(SafetensorsTest, SaveRejectsBadNames) {
  const Tensor t({1}, {1});
  EXPECT_BG_ERROR(save_safetensors(file("x"), {{"w", t}, {"w", t}}), "\"w\" given twice");
  EXPECT_BG_ERROR(save_safetensors(file("x"), {{"", t}}), "invalid tensor name");
  EXPECT_BG_ERROR(save_safetensors(file("x"), {{"__metadata__", t}}), "invalid tensor name");
  EXPECT_BG_ERROR(save_safetensors(file("x"), {{"u", Tensor()}}), "\"u\" is undefined");
  EXPECT_TRUE(listing().empty());
}

TEST_F(SafetensorsTest, FailedSaveLeavesTheOldFileAndNoTemporary) {
  const fs::path path = file("model.safetensors");
  save_safetensors(path, {{"w", Tensor({1, 2}, {2})}}, {{"model", "v1"}});
  const std::string before = read_file(path);
  EXPECT_BG_ERROR(save_safetensors(path, {{"w", Tensor({3}, {1})}, {"w", Tensor({4}, {1})}}),
                  "model.safetensors", "given twice");
  EXPECT_EQ(read_file(path), before);
  EXPECT_EQ(listing(), std::vector<std::string>{"model.safetensors"});
  EXPECT_EQ(load_safetensors(path).meta("model"), "v1");
}

TEST_F(SafetensorsTest, WriterThatFailsHalfwayLeavesNoTrace) {
  const fs::path path = file("ci.txt");
  write_file_atomic(path, std::string_view("old contents"));
  EXPECT_THROW(write_file_atomic(path,
                                 [](std::ostream& out) {
                                   out << "half of the new";
                                   throw Error("interrupted");
                                 }),
               Error);
  EXPECT_EQ(read_file(path), "old contents");
  EXPECT_EQ(listing(), std::vector<std::string>{"ci.txt"});
  EXPECT_BG_ERROR(write_file_atomic(dir_ / "no_such_dir" / "f", std::string_view("x")),
                  "cannot write", "no_such_dir");
}

// The temporary file of a process that died before renaming it (kill -9) is removed by the next
// write of the same file; those of live processes and other files are left alone.
TEST_F(SafetensorsTest, TheNextWriteRemovesTheTemporariesOfDeadProcesses) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);  // now a process id nobody has
  const std::string dead = "ci.txt.tmp-" + std::to_string(child) + ".0badf00d";
  const std::string live = "ci.txt.tmp-" + std::to_string(getppid()) + ".0badf00d";
  for (const std::string& name :
       {dead, live, std::string("ci.txt.tmp-notapid"),
        std::string("other.txt.tmp-") + std::to_string(child) + ".0badf00d"}) {
    put(file(name), "leftover");
  }
  write_file_atomic(file("ci.txt"), std::string_view("new"));
  std::vector<std::string> want = {"ci.txt", "ci.txt.tmp-notapid", live,
                                   "other.txt.tmp-" + std::to_string(child) + ".0badf00d"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(listing(), want);
}

// Ctrl-C (SIGINT) or kill (SIGTERM) while a file is being written waits until it is renamed
// into place: the program then ends, leaving the complete new file and no temporary. Before,
// the signal ended the program at once and left a *.tmp-* file next to the old one.
TEST_F(SafetensorsTest, ASignalDuringAWriteWaitsUntilTheFileIsInPlace) {
  for (int sig : {SIGINT, SIGTERM}) {
    const fs::path path = file("model.safetensors");
    write_file_atomic(path, std::string_view("old"));
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      signal(sig, SIG_DFL);
      write_file_atomic(path, [sig](std::ostream& out) {
        out << "new, part 1;";
        kill(getpid(), sig);  // to the whole process, as Ctrl-C sends it
        out << " part 2";
      });
      _exit(0);  // not reached: the signal ends the child when the write is over
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
    EXPECT_EQ(read_file(path), "new, part 1; part 2");
    EXPECT_EQ(listing(), std::vector<std::string>{"model.safetensors"});
  }
}

// Bytes this process has read so far (read(2) and the like; /proc/self/io's rchar), or -1 where
// the system does not say.
long long bytes_read_so_far() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  return -1;
}

// A 1 GB file of zeros (sparse: it takes no disk) says its header is empty in its first 8
// bytes. Before, the whole gigabyte was read (3 s, 1 GB of memory) before that was looked at.
TEST_F(SafetensorsTest, TheHeaderIsCheckedBeforeTheDataIsRead) {
  const fs::path path = file("zeros.safetensors");
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{1} << 30), 0);
    ::close(fd);
  }
  long long before = bytes_read_so_far();
  EXPECT_BG_ERROR(load_safetensors(path), "zeros.safetensors", "invalid header");
  const long long zeros_read = bytes_read_so_far() - before;
  // A header that claims more data than the file holds is refused without reading the data.
  const std::string header = R"({"w": {"dtype": "F32", "shape": [536870912],)"
                             R"( "data_offsets": [0, 2147483648]}})";
  put(path, make_file(header, ""));
  ASSERT_EQ(::truncate(path.c_str(), off_t{1} << 30), 0);
  before = bytes_read_so_far();
  EXPECT_BG_ERROR(load_safetensors(path), "tensor \"w\"", "truncated");
  const long long short_read = bytes_read_so_far() - before;
  if (before < 0) GTEST_SKIP() << "no /proc/self/io here to count the bytes read";
  EXPECT_LT(zeros_read, 1 << 20) << "bytes read to refuse the file of zeros";
  EXPECT_LT(short_read, 1 << 20) << "bytes read to refuse the file shorter than its header says";
}

// A tensor whose offsets lie beyond the data section is the one named, not the neighbour whose
// place it left empty. Before: 'data bytes [4, 8) before tensor "c" belong to no tensor'.
TEST_F(SafetensorsTest, OffsetsOutOfRangeNameTheirTensor) {
  const std::string header = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                             R"("b": {"dtype": "F32", "shape": [1], "data_offsets": [1000, 1004]},)"
                             R"("c": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})";
  put(file("o"), make_file(header, le_floats({1, 2, 3})));
  const std::string m = ::bg::testing::ErrorMessage([&] { (void)load_safetensors(file("o")); });
  EXPECT_TRUE(::bg::testing::Mentions(m, "tensor \"b\"", "the error message"));
  EXPECT_TRUE(::bg::testing::Mentions(m, "[1000, 1004]", "the error message"));
  EXPECT_TRUE(::bg::testing::DoesNotMention(m, "\"c\"", "the error message"));
  EXPECT_TRUE(::bg::testing::DoesNotMention(m, "truncated", "the error message"));
  // Two tensors at one place: the overlap is named before the gap it leaves.
  const std::string twice = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
                            R"("b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]},)"
                            R"("c": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})";
  put(file("t"), make_file(twice, le_floats({1, 2, 3})));
  EXPECT_BG_ERROR(load_safetensors(file("t")), "\"b\" and \"c\" overlap");
  // The bytes already in memory are checked the same way.
  EXPECT_BG_ERROR(parse_safetensors(make_file(header, le_floats({1, 2, 3})), "mem"), "mem'",
                  "tensor \"b\"", "[1000, 1004]");
}

}  // namespace
}  // namespace bg
