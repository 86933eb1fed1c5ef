#include "bg/io/hash.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "bg/error.h"

namespace bg {

namespace {

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void store_be32(uint32_t x, uint8_t* p) {
  p[0] = static_cast<uint8_t>(x >> 24);
  p[1] = static_cast<uint8_t>(x >> 16);
  p[2] = static_cast<uint8_t>(x >> 8);
  p[3] = static_cast<uint8_t>(x);
}

// The block-buffering both hashes share: feed whole 64-byte blocks to `compress`, keep the
// rest in `buffer` for next time.
template <class Compress>
void absorb(std::string_view bytes, std::array<uint8_t, 64>& buffer, size_t& buffered,
            uint64_t& length, Compress compress) {
  length += bytes.size();
  auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t n = bytes.size();
  if (buffered > 0) {
    const size_t take = std::min(n, 64 - buffered);
    std::memcpy(buffer.data() + buffered, p, take);
    buffered += take, p += take, n -= take;
    if (buffered < 64) return;
    compress(buffer.data());
    buffered = 0;
  }
  for (; n >= 64; p += 64, n -= 64) compress(p);
  std::memcpy(buffer.data(), p, n);
  buffered = n;
}

// Padding: 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian.
template <class Compress>
void finish(std::array<uint8_t, 64>& buffer, size_t buffered, uint64_t length, Compress compress) {
  const uint64_t bits = length * 8;
  buffer[buffered++] = 0x80;
  if (buffered > 56) {
    std::memset(buffer.data() + buffered, 0, 64 - buffered);
    compress(buffer.data());
    buffered = 0;
  }
  std::memset(buffer.data() + buffered, 0, 56 - buffered);
  for (int i = 0; i < 8; ++i) buffer[56 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  compress(buffer.data());
}

template <class Hash>
std::string hash_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path.string() + "': " + std::strerror(errno));
  Hash h;
  std::vector<char> chunk(1 << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    h.update(std::string_view(chunk.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) throw Error("cannot read '" + path.string() + "'");
  return h.hex_digest();
}

// SHA-256 round constants: the first 32 bits of the fractional parts of the cube roots of
// the first 64 primes (FIPS 180-4 §4.2.2).
constexpr std::array<uint32_t, 64> kSha256K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

}  // namespace

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

// ---------------------------------------------------------------- SHA-1 (FIPS 180-4 §6.1)

Sha1::Sha1() : h_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0} {}

void Sha1::compress(const uint8_t* block) {
  std::array<uint32_t, 80> w;
  for (int t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int t = 0; t < 80; ++t) {
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d), k = 0x5A827999;  // Ch
    } else if (t < 40) {
      f = b ^ c ^ d, k = 0x6ED9EBA1;  // Parity
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;  // Maj
    } else {
      f = b ^ c ^ d, k = 0xCA62C1D6;  // Parity
    }
    const uint32_t temp = std::rotl(a, 5) + f + e + k + w[t];
    e = d, d = c, c = std::rotl(b, 30), b = a, a = temp;
  }
  h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e;
}

void Sha1::update(std::string_view bytes) {
  absorb(bytes, buffer_, buffered_, length_, [this](const uint8_t* b) { compress(b); });
}

std::array<uint8_t, 20> Sha1::digest() {
  finish(buffer_, buffered_, length_, [this](const uint8_t* b) { compress(b); });
  std::array<uint8_t, 20> out;
  for (int i = 0; i < 5; ++i) store_be32(h_[i], out.data() + 4 * i);
  return out;
}

std::string Sha1::hex_digest() { return to_hex(digest()); }

// ---------------------------------------------------------------- SHA-256 (FIPS 180-4 §6.2)

// Initial hash: the first 32 bits of the fractional parts of the square roots of the
// first 8 primes.
Sha256::Sha256()
    : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::compress(const uint8_t* block) {
  std::array<uint32_t, 64> w;
  for (int t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 = std::rotr(w[t - 15], 7) ^ std::rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 = std::rotr(w[t - 2], 17) ^ std::rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3];
  uint32_t e = h_[4], f = h_[5], g = h_[6], h = h_[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t big_s1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
    const uint32_t ch = (e & f) ^ (~e & g);
    const uint32_t t1 = h + big_s1 + ch + kSha256K[t] + w[t];
    const uint32_t big_s0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
    const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    const uint32_t t2 = big_s0 + maj;
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d;
  h_[4] += e, h_[5] += f, h_[6] += g, h_[7] += h;
}

void Sha256::update(std::string_view bytes) {
  absorb(bytes, buffer_, buffered_, length_, [this](const uint8_t* b) { compress(b); });
}

std::array<uint8_t, 32> Sha256::digest() {
  finish(buffer_, buffered_, length_, [this](const uint8_t* b) { compress(b); });
  std::array<uint8_t, 32> out;
  for (int i = 0; i < 8; ++i) store_be32(h_[i], out.data() + 4 * i);
  return out;
}

std::string Sha256::hex_digest() { return to_hex(digest()); }

// ---------------------------------------------------------------- helpers

std::string sha1_hex(std::string_view bytes) {
  Sha1 h;
  h.update(bytes);
  return h.hex_digest();
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_digest();
}

std::string sha1_file_hex(const std::filesystem::path& path) { return hash_file<Sha1>(path); }
std::string sha256_file_hex(const std::filesystem::path& path) { return hash_file<Sha256>(path); }

}  // namespace bg
