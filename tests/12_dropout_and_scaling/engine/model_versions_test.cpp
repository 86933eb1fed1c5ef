// The table of versions (bg/model_versions.h): its names, the lookup and its error, and that
// each row describes the model make_model builds and the defaults the babygpt program uses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/model_versions.h"
#include "bg/models.h"
#include "testing.h"

namespace bg {
namespace {

TEST(ModelVersions, RowsAreV1ToV11InOrderAndFoundByName) {
  for (size_t i = 0; i < kModelVersions.size(); ++i) {
    const std::string name = "v" + std::to_string(i + 1);
    EXPECT_EQ(kModelVersions[i].name, name);
    EXPECT_EQ(&model_version(name), &kModelVersions[i]);
  }
  EXPECT_EQ(find_model_version("v99"), nullptr);
  EXPECT_EQ(find_model_version("V4"), nullptr);
  EXPECT_EQ(find_model_version("v04"), nullptr);
}

TEST(ModelVersions, UnknownNameListsTheValidOnes) {
  EXPECT_BG_ERROR(model_version("v99"), "'v99'", "v1, v2, v3", "v10, v11");
  EXPECT_BG_ERROR(model_version(""), "''", "v11");
}

TEST(ModelVersions, EachRowDescribesTheModelMadeFromIt) {
  for (const ModelVersion& m : kModelVersions) {
    BG_TRACE(std::string(m.name));
    ModelConfig c;
    c.model = std::string(m.name);
    c.vocab_size = 11;
    c.block_size = 4;
    c.n_embed = 8;
    c.n_head = 2;
    c.n_layer = 2;
    Generator gen(1);
    const auto model = make_model(c, gen);
    const std::vector<int32_t> idx = {1, 2, 3};
    const auto maps = static_cast<int64_t>(model->attention_maps(idx, 3).size());
    const int64_t heads = m.attention == Attention::one_head ? 1 : m.has_heads() ? c.n_head : 0;
    EXPECT_EQ(maps, m.attention_layers(c.n_layer) * heads);
    const auto* gpt = dynamic_cast<const GPT*>(model.get());
    EXPECT_EQ(gpt != nullptr, m.body != Body::none);
    if (gpt != nullptr) {
      EXPECT_EQ(gpt->blocks != nullptr, m.has_blocks());
      EXPECT_EQ(gpt->ln_final != nullptr, m.ln_final);
    }
  }
}

}  // namespace
}  // namespace bg
