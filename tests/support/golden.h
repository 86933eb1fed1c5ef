// The golden files: what PyTorch computed for the tests that compare with it, one
// .safetensors file per case in tests/golden/data/, written by the scripts of tests/golden/
// (tests/golden/README.md; tests/golden/make_all.sh regenerates them all) and read here with
// the engine's safetensors reader. The tests never run Python.
//
//   const testing::GoldenFile& golden = testing::golden_file("feed_forward");
//   EXPECT_TRUE(AllClose(out, golden.values("out")));
//
// A file is read the first time a test asks for it and kept until the program ends. The
// folder is fixed when the build is configured, so the tests find it from any working
// directory.
#pragma once

#include <string>
#include <vector>

#include "bg/tensor.h"

namespace bg::testing {

struct GoldenTensor {
  std::string name;
  Shape shape;
  std::vector<float> values;  // row-major
};

class GoldenFile {
 public:
  // Reads tests/golden/data/<name>.safetensors. A missing or unreadable file is a bg::Error
  // that names it and the command that regenerates it.
  explicit GoldenFile(const std::string& name);

  // The tensor called `key`; a bg::Error naming the file, the key and the command that
  // regenerates the file when there is none.
  const GoldenTensor& at(const std::string& key) const;
  const std::vector<float>& values(const std::string& key) const { return at(key).values; }
  // The values of several tensors, one after the other.
  std::vector<float> concatenated(const std::vector<std::string>& keys) const;
  float scalar(const std::string& key) const;  // a tensor of one value
  // Every tensor whose name starts with `prefix`, in the order the script wrote them.
  std::vector<const GoldenTensor*> starting_with(const std::string& prefix) const;

 private:
  std::string path_;
  std::string command_;  // the command that made the file (its metadata)
  std::vector<GoldenTensor> tensors_;
};

// The golden file `name` (tests/golden/data/<name>.safetensors), read on first use.
const GoldenFile& golden_file(const std::string& name);

}  // namespace bg::testing
