// The table of BabyGPT versions (bg/model_versions.h): looking a row up by name.
#include "bg/model_versions.h"

#include "bg/error.h"

namespace bg {

const ModelVersion* find_model_version(std::string_view name) {
  for (const ModelVersion& m : kModelVersions) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string model_version_names() {
  std::string s;
  for (const ModelVersion& m : kModelVersions) {
    if (!s.empty()) s += ", ";
    s += m.name;
  }
  return s;
}

std::string grouped_kv_version_names() {
  std::string s;
  for (const ModelVersion& m : kModelVersions) {
    if (!m.grouped_kv) continue;
    if (!s.empty()) s += ", ";
    s += m.name;
  }
  return s;
}

const ModelVersion& model_version(std::string_view name) {
  if (const ModelVersion* m = find_model_version(name)) return *m;
  throw Error("unknown model '" + std::string(name) + "' (the versions are " +
              model_version_names() + ")");
}

}  // namespace bg
