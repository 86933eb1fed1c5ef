// Checkpoints in the .safetensors format, so a model trained here loads in PyTorch and back.
//
// The file layout:
//   8 bytes    N, the header length, unsigned little-endian
//   N bytes    a JSON object, padded with spaces to a multiple of 8:
//                {"__metadata__": {"model": "v4", ...},        (string values only)
//                 "lm_head.weight": {"dtype": "F32", "shape": [6104, 32],
//                                    "data_offsets": [begin, end]}, ...}
//   the rest   the data: every tensor's values as raw little-endian float32, row-major;
//              tensor t occupies bytes [begin, end) counted from the start of the data.
// Only F32 is supported. Writes are atomic (bg/io/fileio.h): an interrupted or failed save
// never leaves a half-written checkpoint behind.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bg/tensor.h"

namespace bg {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Writes `tensors` (in the order given; names unique, non-empty, not "__metadata__") and the
// string `metadata` to `path` atomically. Throws bg::Error naming the file and the problem.
void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

struct SafetensorsFile {
  NamedTensors tensors;  // in the order of their data in the file; leaves, no grad
  std::map<std::string, std::string> metadata;

  // The tensor called `name`, or nullptr / a bg::Error naming it when there is none.
  const Tensor* find(const std::string& name) const;
  const Tensor& at(const std::string& name) const;
  // A metadata value; bg::Error naming the key when it is missing.
  const std::string& meta(const std::string& key) const;
};

// Reads a .safetensors file. Every problem is a bg::Error naming the file: missing or
// unreadable file, shorter than 8 bytes, header length beyond the end of the file, invalid
// JSON, a dtype other than F32, a shape with more than 2^60 elements (zeros aside), a shape
// and data_offsets that disagree (end - begin must be numel * 4), tensors whose data overlap,
// leave a gap, lie beyond the end of the data section, or leave bytes after it unused. The
// header is read and checked first, against the file's size: a file it does not describe is
// refused after reading its header, not its data.
SafetensorsFile load_safetensors(const std::filesystem::path& path);

// The same for the bytes of a file already in memory; `path` only names it in messages.
SafetensorsFile parse_safetensors(std::string_view bytes, const std::filesystem::path& path);

}  // namespace bg
