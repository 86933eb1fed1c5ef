#include "bg/fileio.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "bg/error.h"

namespace bg {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error("cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  std::string bytes;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error("cannot read '" + path.string() + "': not a regular file");
  bytes.resize(static_cast<size_t>(size));
  in.seekg(0, std::ios::beg);
  in.read(bytes.data(), size);
  if (in.gcount() != size) throw Error("cannot read '" + path.string() + "': short read");
  return bytes;
}

fs::path temp_sibling(const fs::path& path) {
  // Not cryptographic: the counter makes names unique within a process, the clock and the
  // object's address make collisions between processes unlikely.
  static std::atomic<uint64_t> counter{0};
  uint64_t x = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (counter.fetch_add(1) * 0x9E3779B97F4A7C15ULL) ^
               reinterpret_cast<uintptr_t>(&counter);
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 32;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(x & 0xFFFFFFFFu));
  fs::path tmp = path;
  tmp += ".tmp-";
  tmp += suffix;
  return tmp;
}

void write_file_atomic(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  const fs::path tmp = temp_sibling(path);
  // Removes the temporary file unless it has been renamed into place.
  struct Cleanup {
    const fs::path& tmp;
    bool armed = true;
    ~Cleanup() {
      std::error_code ignored;
      if (armed) fs::remove(tmp, ignored);
    }
  } cleanup{tmp};

  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw Error("cannot write '" + path.string() + "': cannot create '" + tmp.string() +
                  "': " + std::strerror(errno));
    }
    write(out);
    out.flush();
    if (!out) throw Error("cannot write '" + path.string() + "': write failed (disk full?)");
    out.close();
    if (out.fail()) throw Error("cannot write '" + path.string() + "': close failed");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error("cannot write '" + path.string() + "': rename failed: " + ec.message());
  cleanup.armed = false;
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  write_file_atomic(path, [bytes](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

std::string shell_quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  q += '\'';
  return q;
}

}  // namespace bg
