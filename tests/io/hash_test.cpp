// SHA-1 and SHA-256 against the test vectors of FIPS 180-4's examples (NIST CSRC).
#include "bg/io/hash.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testing.h"

namespace bg {
namespace {

const std::string kAbc = "abc";
const std::string k448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string k896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
    "lmnopqrsmnopqrstnopqrstu";

TEST(Sha1, StandardVectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex(kAbc), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex(k448), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(sha1_hex(k896), "a49b2446a02c645bf419f995b67091253a04a259");
}

TEST(Sha1, OneMillionAInPieces) {
  Sha1 h;
  const std::string piece(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(piece);
  EXPECT_EQ(h.hex_digest(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(kAbc), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(k448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(k896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, OneMillionAInOddPieces) {
  // Uneven pieces exercise the buffering across block boundaries.
  Sha256 h;
  size_t fed = 0;
  for (size_t n = 1; fed < 1000000; n = n % 97 + 1) {
    const size_t take = std::min(n, 1000000 - fed);
    h.update(std::string(take, 'a'));
    fed += take;
  }
  EXPECT_EQ(h.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaries) {
  // 55 bytes fit the length in one block, 56..63 need a second one, 64 is exactly one block.
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Hash, Files) {
  const auto path = std::filesystem::temp_directory_path() / "bg_hash_test.bin";
  {
    std::ofstream out(path, std::ios::binary);
    out << kAbc;
  }
  EXPECT_EQ(sha1_file_hex(path), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha256_file_hex(path),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::filesystem::remove(path);
  EXPECT_BG_ERROR(sha1_file_hex(path), "cannot open", "bg_hash_test.bin");
}

}  // namespace
}  // namespace bg
