#include "golden.h"

#include <map>
#include <memory>

#include "bg/error.h"
#include "bg/io/safetensors.h"

#ifndef BG_GOLDEN_DIR
#error "BG_GOLDEN_DIR (the folder tests/golden/data) is set by CMakeLists.txt"
#endif

namespace bg::testing {

namespace {

const char* const kMakeAll = "tests/golden/make_all.sh";

}  // namespace

GoldenFile::GoldenFile(const std::string& name)
    : path_(std::string(BG_GOLDEN_DIR) + "/" + name + ".safetensors") {
  SafetensorsFile file;
  try {
    file = load_safetensors(path_);
  } catch (const Error& e) {
    // The reader's message starts with the path ("safetensors '<path>': no such file").
    std::string why = e.what();
    const std::string prefix = "safetensors '" + path_ + "': ";
    if (why.starts_with(prefix)) why = why.substr(prefix.size());
    throw Error("cannot read the golden file " + path_ + " (" + why + "); " + kMakeAll +
                " regenerates every golden file (it needs PyTorch, see tests/golden/README.md)");
  }
  const auto command = file.metadata.find("command");
  command_ = command != file.metadata.end() ? command->second : kMakeAll;
  for (const auto& [key, t] : file.tensors) {
    const auto values = t.data();
    tensors_.push_back({key, t.shape(), std::vector<float>(values.begin(), values.end())});
  }
}

const GoldenTensor& GoldenFile::at(const std::string& key) const {
  for (const GoldenTensor& t : tensors_) {
    if (t.name == key) return t;
  }
  throw Error("the golden file " + path_ + " has no tensor \"" + key + "\"; regenerate it with " +
              command_);
}

std::vector<float> GoldenFile::concatenated(const std::vector<std::string>& keys) const {
  std::vector<float> all;
  for (const std::string& key : keys) {
    const std::vector<float>& part = values(key);
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

float GoldenFile::scalar(const std::string& key) const {
  const GoldenTensor& t = at(key);
  if (t.values.size() != 1) {
    throw Error("the golden tensor \"" + key + "\" of " + path_ + " holds " +
                std::to_string(t.values.size()) + " values, not one; regenerate it with " +
                command_);
  }
  return t.values[0];
}

std::vector<const GoldenTensor*> GoldenFile::starting_with(const std::string& prefix) const {
  std::vector<const GoldenTensor*> found;
  for (const GoldenTensor& t : tensors_) {
    if (t.name.starts_with(prefix)) found.push_back(&t);
  }
  return found;
}

const GoldenFile& golden_file(const std::string& name) {
  // Read on first use: a test program that never asks for a file never opens it, and a
  // missing file fails the tests that need it, not the program's start.
  static std::map<std::string, std::unique_ptr<const GoldenFile>> files;
  auto& file = files[name];
  if (!file) file = std::make_unique<const GoldenFile>(name);
  return *file;
}

}  // namespace bg::testing
