// SHA-1 and SHA-256 (FIPS 180-4), used to verify the corpus download (the npm tarball's
// SHA-1) and the converted corpus (its SHA-256).
//
// Both hash a message in 64-byte blocks. The message is padded with a 1 bit, zeros, and its
// length in bits as a 64-bit big-endian number, so that the total is a multiple of 512
// bits; each block is expanded into a message schedule (80 words for SHA-1, 64 for
// SHA-256) that is mixed into the state by rounds of additions, rotations and bitwise
// functions. SHA-1 is broken for collision resistance but still fine to check that a file
// is the one its publisher hashed (npm records SHA-1 "shasum"s).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace bg {

class Sha1 {
 public:
  Sha1();
  void update(std::string_view bytes);
  std::array<uint8_t, 20> digest();  // finishes the hash; call once
  std::string hex_digest();          // lowercase hex of digest()

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 5> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes seen so far
};

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  std::array<uint8_t, 32> digest();  // finishes the hash; call once
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

// Lowercase hexadecimal of some bytes.
std::string to_hex(std::span<const uint8_t> bytes);

// One-shot helpers.
std::string sha1_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
// The hash of a file, read in chunks. Throws bg::Error naming the file if it cannot be read.
std::string sha1_file_hex(const std::filesystem::path& path);
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace bg
