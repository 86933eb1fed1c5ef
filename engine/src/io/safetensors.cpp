#include "bg/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ostream>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

#include "bg/error.h"
#include "bg/io/fileio.h"
#include "bg/io/json.h"

namespace bg {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMetadataKey = "__metadata__";
// A header this large is certainly not a checkpoint of ours (PyTorch's reader has a similar
// limit); refusing it early avoids allocating gigabytes on a corrupt length.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw Error("safetensors '" + path.string() + "': " + what);
}

// float32 values as little-endian bytes, whatever the machine's byte order.
void append_le_floats(std::string& out, std::span<const float> values) {
  if (values.empty()) return;  // memcpy must not see the null data() of an empty tensor
  const size_t start = out.size();
  out.resize(start + values.size() * 4);
  std::memcpy(out.data() + start, values.data(), values.size() * 4);
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = start; i < out.size(); i += 4) {
      std::swap(out[i], out[i + 3]);
      std::swap(out[i + 1], out[i + 2]);
    }
  }
}

std::vector<float> read_le_floats(const char* bytes, size_t count) {
  std::vector<float> values(count);
  if (count == 0) return values;
  if constexpr (std::endian::native == std::endian::big) {
    std::string swapped(bytes, count * 4);
    for (size_t i = 0; i < swapped.size(); i += 4) {
      std::swap(swapped[i], swapped[i + 3]);
      std::swap(swapped[i + 1], swapped[i + 2]);
    }
    std::memcpy(values.data(), swapped.data(), count * 4);
  } else {
    std::memcpy(values.data(), bytes, count * 4);
  }
  return values;
}

std::string header_json(const fs::path& path, const NamedTensors& tensors,
                        const std::map<std::string, std::string>& metadata) {
  json::Object header;
  if (!metadata.empty()) {
    json::Object meta;
    for (const auto& [k, v] : metadata) meta.emplace_back(k, v);
    header.emplace_back(std::string(kMetadataKey), std::move(meta));
  }
  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name.empty() || name == kMetadataKey) fail(path, "invalid tensor name \"" + name + "\"");
    if (!names.insert(name).second) fail(path, "tensor name \"" + name + "\" given twice");
    if (!t.defined()) fail(path, "tensor \"" + name + "\" is undefined");
    json::Array shape;
    for (int64_t d : t.shape()) shape.emplace_back(d);
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * 4;
    json::Object entry;
    entry.emplace_back("dtype", "F32");
    entry.emplace_back("shape", std::move(shape));
    entry.emplace_back("data_offsets",
                       json::Array{json::Value(offset), json::Value(offset + bytes)});
    header.emplace_back(name, std::move(entry));
    offset += bytes;
  }
  std::string text = json::dump(json::Value(std::move(header)));
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  return text;
}

// A non-negative whole number from the header (JSON numbers are doubles: exact below 2^53).
uint64_t header_uint(const fs::path& path, const json::Value& v, const std::string& what) {
  if (!v.is_number()) fail(path, what + " is " + json::type_name(v.type()) + ", expected a number");
  const double x = v.as_number();
  if (!(x >= 0) || x != std::floor(x) || x > 9007199254740992.0) {
    fail(path, what + " is not a non-negative integer");
  }
  return static_cast<uint64_t>(x);
}

struct Entry {
  std::string name;
  Shape shape;
  uint64_t begin = 0, end = 0;
};

Entry parse_entry(const fs::path& path, const std::string& name, const json::Value& v) {
  const std::string what = "tensor \"" + name + "\"";
  if (!v.is_object())
    fail(path, what + " is " + json::type_name(v.type()) + ", expected an object");
  const json::Value* dtype = v.find("dtype");
  const json::Value* shape = v.find("shape");
  const json::Value* offsets = v.find("data_offsets");
  if (dtype == nullptr || shape == nullptr || offsets == nullptr) {
    fail(path, what + " lacks dtype, shape or data_offsets");
  }
  if (!dtype->is_string()) fail(path, what + ": dtype is not a string");
  if (dtype->as_string() != "F32") {
    fail(path, what + " has dtype " + dtype->as_string() + "; only F32 is supported");
  }
  Entry e;
  e.name = name;
  if (!shape->is_array()) fail(path, what + ": shape is not an array");
  // The product of the sizes that are not 0 must stay below 2^62 / 4 bytes: then no product
  // of some of them — numel, a stride, a byte count — overflows, even for a shape with a 0 in
  // it (which holds no data at all, like [2^32, 2^32, 0]).
  constexpr uint64_t kMaxElements = uint64_t{1} << 60;
  uint64_t numel = 1, nonzero = 1;
  for (const json::Value& d : shape->as_array()) {
    const uint64_t size = header_uint(path, d, what + ": a shape entry");
    e.shape.push_back(static_cast<int64_t>(size));
    if (size != 0 && nonzero > kMaxElements / size) {
      fail(path, what + ": shape " + json::dump(*shape) + " has too many elements");
    }
    if (size != 0) nonzero *= size;
    numel *= size;
  }
  if (!offsets->is_array() || offsets->as_array().size() != 2) {
    fail(path, what + ": data_offsets must be [begin, end]");
  }
  e.begin = header_uint(path, offsets->as_array()[0], what + ": data_offsets[0]");
  e.end = header_uint(path, offsets->as_array()[1], what + ": data_offsets[1]");
  const std::string where =
      "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
  if (e.end < e.begin) fail(path, what + ": " + where + " end before begin");
  if (e.end - e.begin != numel * 4) {
    fail(path, what + ": " + where + " hold " + std::to_string(e.end - e.begin) +
                   " bytes, but shape " + shape_str(e.shape) + " of F32 needs " +
                   std::to_string(numel * 4));
  }
  return e;
}

std::map<std::string, std::string> parse_metadata(const fs::path& path, const json::Value& v) {
  if (!v.is_object()) fail(path, "__metadata__ is not an object");
  std::map<std::string, std::string> meta;
  for (const auto& [k, value] : v.as_object()) {
    if (!value.is_string()) fail(path, "__metadata__ value \"" + k + "\" is not a string");
    meta[k] = value.as_string();
  }
  return meta;
}

// Sorted by where their data begins. As in the reference reader (the safetensors package),
// the tensors must tile the data section exactly: the first begins at 0, each one where the
// previous one ends (no overlap, no gap; tensors of 0 bytes take no room), and the last ends
// where the file ends — bytes after it would be ignored silently, so they are an error.
// The problems are looked for in an order that names the tensor at fault: first a tensor whose
// data lies beyond the data section (a gap it leaves would otherwise be blamed on its
// neighbour), then overlaps, then gaps, then unused bytes at the end.
void check_layout(const fs::path& path, std::vector<Entry>& entries, uint64_t data_bytes) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t total = 0;  // each is below 2^62 bytes (parse_entry), and at most 2^53 apart: no wrap
  for (const Entry& e : entries) total += e.end - e.begin;
  for (const Entry& e : entries) {
    if (e.end <= data_bytes) continue;
    // When the tensors need more bytes than there are, the file lost its end; otherwise this
    // tensor's offsets are wrong.
    if (total > data_bytes) {
      fail(path, "tensor \"" + e.name + "\" ends at data byte " + std::to_string(e.end) +
                     " but the data section holds only " + std::to_string(data_bytes) +
                     " bytes (truncated file?)");
    }
    fail(path, "tensor \"" + e.name + "\": data_offsets [" + std::to_string(e.begin) + ", " +
                   std::to_string(e.end) + "] lie beyond the end of the data section (" +
                   std::to_string(data_bytes) + " bytes)");
  }
  uint64_t expected = 0;  // where the next tensor's data must begin
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < expected) {
      fail(path, "the data of tensors \"" + previous->name + "\" and \"" + e.name + "\" overlap (" +
                     std::to_string(e.begin) + " < " + std::to_string(expected) + ")");
    }
    expected = e.end;
    previous = &e;
  }
  expected = 0;
  for (const Entry& e : entries) {
    if (e.begin > expected) {
      fail(path, "data bytes [" + std::to_string(expected) + ", " + std::to_string(e.begin) +
                     ") before tensor \"" + e.name + "\" belong to no tensor");
    }
    expected = e.end;
  }
  if (expected != data_bytes) {
    fail(path, "the last " + std::to_string(data_bytes - expected) +
                   " bytes of the file belong to no tensor (data bytes [" +
                   std::to_string(expected) + ", " + std::to_string(data_bytes) + "))");
  }
}

// The header length in the first 8 bytes of a file of `file_bytes` bytes, checked against it.
uint64_t header_length(const fs::path& path, const char* first8, uint64_t file_bytes) {
  if (file_bytes < 8) {
    fail(path, "file is " + std::to_string(file_bytes) +
                   " bytes long, too short for a safetensors file (at least 8)");
  }
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | static_cast<unsigned char>(first8[i]);
  if (header_len > file_bytes - 8 || header_len > kMaxHeaderBytes) {
    fail(path, "header length " + std::to_string(header_len) +
                   " goes beyond the end of the file (" + std::to_string(file_bytes) + " bytes)");
  }
  return header_len;
}

// The header's metadata and tensors, checked against the size of the data section: after this
// only the values remain to be read.
struct Header {
  std::map<std::string, std::string> metadata;
  std::vector<Entry> entries;  // sorted by where their data begins
};

Header parse_header(const fs::path& path, std::string_view text, uint64_t data_bytes) {
  json::Value header;
  try {
    header = json::parse(text);
  } catch (const Error& e) {
    fail(path, std::string("invalid header: ") + e.what());
  }
  if (!header.is_object()) fail(path, "the header is not a JSON object");
  Header h;
  for (const auto& [name, v] : header.as_object()) {
    if (name == kMetadataKey) {
      h.metadata = parse_metadata(path, v);
    } else {
      h.entries.push_back(parse_entry(path, name, v));
    }
  }
  check_layout(path, h.entries, data_bytes);
  return h;
}

}  // namespace

void save_safetensors(const fs::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string header = header_json(path, tensors, metadata);
  write_file_atomic(path, [&](std::ostream& out) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
    bytes += header;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::string data;
    for (const auto& [name, t] : tensors) {
      data.clear();
      append_le_floats(data, t.data());
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
  });
}

SafetensorsFile load_safetensors(const fs::path& path) {
  // The header is read and checked before the data: a file whose first 8 bytes are wrong costs
  // 8 bytes of reading, not its whole size in memory and time.
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) fail(path, "no such file");
  const int fd = open_regular_file(path);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(path, std::strerror(errno));
  const auto file_bytes = static_cast<uint64_t>(st.st_size);
  // Exactly `n` bytes into `to`; the file may have shrunk since fstat.
  auto read_exactly = [&](char* to, uint64_t n) {
    while (n > 0) {
      const ssize_t got = ::read(fd, to, static_cast<size_t>(std::min<uint64_t>(n, 1 << 24)));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(path, std::string("cannot read: ") + std::strerror(errno));
      if (got == 0) fail(path, "the file became shorter while it was read");
      to += got;
      n -= static_cast<uint64_t>(got);
    }
  };
  char first8[8] = {};
  read_exactly(first8, std::min<uint64_t>(file_bytes, 8));
  const uint64_t header_len = header_length(path, first8, file_bytes);
  std::string text(static_cast<size_t>(header_len), '\0');
  read_exactly(text.data(), header_len);
  Header header = parse_header(path, text, file_bytes - 8 - header_len);

  // The tensors tile the data section in this order: each one's values are read straight into
  // its own storage.
  SafetensorsFile file;
  file.metadata = std::move(header.metadata);
  for (const Entry& e : header.entries) {
    const uint64_t count = (e.end - e.begin) / 4;
    std::vector<float> values(static_cast<size_t>(count));
    read_exactly(reinterpret_cast<char*>(values.data()), count * 4);
    if constexpr (std::endian::native == std::endian::big) {
      values = read_le_floats(reinterpret_cast<const char*>(values.data()), values.size());
    }
    file.tensors.emplace_back(e.name, Tensor(std::move(values), e.shape));
  }
  return file;
}

SafetensorsFile parse_safetensors(std::string_view bytes, const fs::path& path) {
  const uint64_t header_len = header_length(path, bytes.data(), bytes.size());
  Header header = parse_header(path, bytes.substr(8, header_len), bytes.size() - 8 - header_len);
  SafetensorsFile file;
  file.metadata = std::move(header.metadata);
  const uint64_t data_start = 8 + header_len;
  for (const Entry& e : header.entries) {
    std::vector<float> values =
        read_le_floats(bytes.data() + data_start + e.begin, (e.end - e.begin) / 4);
    file.tensors.emplace_back(e.name, Tensor(std::move(values), e.shape));
  }
  return file;
}

const Tensor* SafetensorsFile::find(const std::string& name) const {
  for (const auto& [n, t] : tensors) {
    if (n == name) return &t;
  }
  return nullptr;
}

const Tensor& SafetensorsFile::at(const std::string& name) const {
  const Tensor* t = find(name);
  if (t == nullptr) throw Error("checkpoint has no tensor \"" + name + "\"");
  return *t;
}

const std::string& SafetensorsFile::meta(const std::string& key) const {
  const auto it = metadata.find(key);
  if (it == metadata.end()) throw Error("checkpoint metadata has no \"" + key + "\"");
  return it->second;
}

}  // namespace bg
