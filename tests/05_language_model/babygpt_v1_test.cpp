// BabyGPT v1, the bigram model, against PyTorch: the whole of lesson 05 at work.
//   ctest --test-dir build -R '^exercises\.lesson05\.BabyGPTV1\.' --output-on-failure
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/models.h"
#include "bg/optim.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// Golden values for BabyGPT v1 (PyTorch 1.13), vocabulary 11, block 4, n_embed 8:
// every parameter, in state_dict order k = 0, 1, ..., holds element i = ((7 i + 5 k + 3) mod 17
// - 8) / 16 (exact in float); x = [[1, 5, 10, 5], [0, 3, 3, 7]], y = [[5, 10, 5, 2], [3, 3, 7, 9]];
// loss = F.cross_entropy(model(x).view(-1, 11), y.view(-1)); loss.backward().
// The script: the course's nn.Embedding / nn.Linear model, parameters set with
//   p.copy_(torch.tensor([val(k, i) for i in range(p.numel())]).reshape(p.shape))
// and each p.grad printed with "%.9g".
using testing::GoldenParam;
const float kGoldenV1Loss = 2.55232096f;
const std::vector<float> kGoldenV1Logits12 = {
    0.03515625f,  -0.37890625f, 1.0f,         -0.80859375f, -0.359375f, 0.75390625f,
    -0.32421875f, -0.140625f,   -0.48828125f, 0.359375f,    0.14453125f};  // logits[1, 2, :]
const std::vector<GoldenParam> kGoldenV1Params = {
    {"token_embedding_table.weight",
     {11, 8},
     {0.00965098105f,
      -0.0194209684f,
      0.036632929f,
      -0.01217415f,
      0.0549227409f,
      -0.00225042645f,
      -0.0312759764f,
      0.02123137f,
      -0.0642506853f,
      0.0420472883f,
      -0.0473578051f,
      0.0495140888f,
      -0.0385597572f,
      0.0586699061f,
      0.0278223194f,
      -0.0559856817f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.000949537382f,
      -0.0866288021f,
      0.089144662f,
      -0.0717951953f,
      0.104509056f,
      -0.0442088991f,
      0.0277229548f,
      0.0587080605f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0793468058f,
      -0.0339130312f,
      -0.0172975548f,
      0.00892636366f,
      -0.0046836175f,
      0.0480048321f,
      -0.0687412173f,
      -0.0336211994f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0411926955f,
      0.0118937362f,
      -0.0647941455f,
      0.0191013515f,
      -0.0469551235f,
      0.0290749688f,
      5.67169627e-05f,
      0.052937597f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      -0.0702599585f,
      0.028724419f,
      -0.027084766f,
      0.0357258767f,
      -0.0157645848f,
      0.0468973033f,
      0.0187343936f,
      -0.0527952686f}},
    {"lm_head.weight",
     {11, 8},
     {-0.0183280185f,   0.00592060294f,  -0.00492860377f, 0.0107281003f,   0.00850459095f,
      -0.0110639874f,   0.0131846322f,   -0.0108476095f,  -0.00728386082f, -0.00466022221f,
      0.00321415509f,   0.00609927997f,  0.00393950241f,  -0.00393807562f, -0.00131443678f,
      0.000571277109f,  -0.0560519546f,  0.0543818325f,   0.0202573333f,   -0.0575000755f,
      0.0446687117f,    -0.0564139895f,  0.054019805f,    0.00243062084f,  0.0853238478f,
      -0.0131787891f,   0.00517714629f,  0.0358343832f,   -0.0736176074f,  0.0729514882f,
      -0.0255511552f,   -0.0132781891f,  -0.00484649558f, -0.0120288339f,  0.00170698063f,
      0.0155289667f,    0.000879820902f, 0.000247369142f, -0.00693496969f, -0.000200610433f,
      0.0219342634f,    -0.0668728948f,  -0.025436623f,   -0.0109029859f,  0.0232104454f,
      0.013724952f,     -0.0750821978f,  0.0835113227f,   -0.0176726542f,  0.00439445162f,
      -0.00585138891f,  0.00214508129f,  0.0154141393f,   -0.0127182202f,  0.00934888609f,
      -0.0122171352f,   0.0434343331f,   -0.00441243593f, -0.0553480126f,  0.0359951407f,
      -0.0260765944f,   0.041574534f,    -0.00627223356f, -0.0671978369f,  -0.00638733013f,
      -0.00407618238f,  0.00300954375f,  0.00537996087f,  0.00331871165f,  -0.00344550749f,
      -0.00113435951f,  0.000768609811f, 0.00444534235f,  -0.0206207018f,  0.0643391907f,
      -0.000550316647f, -0.0342442393f,  0.00319642946f,  -0.0218696166f,  0.0373797789f,
      -0.0445674658f,   0.0611531734f,   -0.00613973057f, -0.0427575335f,  0.034002509f,
      -0.0441149846f,   0.0616056584f,   -0.0209202114f}},
    {"lm_head.bias",
     {11},
     {0.116224468f, 0.0535325631f, -0.00579247624f, -0.197957873f, 0.081501849f, -0.131348982f,
      0.079270944f, -0.0297567584f, 0.0470691621f, -0.019982636f, 0.00723974034f}}};

// The model of the golden test (tests/support/golden_model.h).
std::unique_ptr<LanguageModel> golden_model() { return testing::golden_model("v1"); }
using testing::golden_batch;

const testing::Golden kGolden{"v1", kGoldenV1Loss, kGoldenV1Logits12, kGoldenV1Params};

TEST(BabyGPTV1, ParametersAreNamedAsPyTorchsStateDict) { testing::ExpectPyTorchNames(kGolden); }

TEST(BabyGPTV1, LossAndEveryGradientMatchPyTorch) { testing::ExpectPyTorchValues(kGolden); }

TEST(BabyGPTV1, IsABigramModel) {
  // v1's logits at a position depend on that position's token only — and T may exceed
  // block_size, since v1 has no position table.
  auto m = golden_model();
  const std::vector<int32_t> a{3, 3, 7, 1, 2, 3};
  Tensor y = m->forward(a, 1, 6);
  EXPECT_EQ(y.shape(), (Shape{1, 6, 11}));
  for (int64_t v = 0; v < 11; ++v) {
    EXPECT_EQ(y.at({0, 0, v}), y.at({0, 1, v}));
    EXPECT_EQ(y.at({0, 0, v}), y.at({0, 5, v}));
  }
}

TEST(BabyGPTV1, RejectsBadInput) {
  auto m = golden_model();
  const std::vector<int32_t> ids{1, 2, 3};
  EXPECT_BG_ERROR(m->forward(ids, 2, 2), "3 token ids", "(2, 2)");
  const std::vector<int32_t> bad{1, 11};
  EXPECT_BG_ERROR(m->forward(bad, 1, 2), "id 11", "11 rows");
}

TEST(BabyGPTV1, TrainsWithAdamWAndGeneratesWhatItLearned) {
  // The training loop of the lesson on a tiny cyclic text 0 1 2 3 4 0 1 2 3 4 ...: the
  // bigram model learns "next = this + 1 (mod 5)" and then generates it greedily.
  std::vector<int32_t> text;
  for (int i = 0; i < 200; ++i) text.push_back(i % 5);
  ModelConfig c;
  c.model = "v1";
  c.vocab_size = 5;
  c.block_size = 4;
  c.n_embed = 8;
  Generator gen(1);
  auto m = make_model(c, gen);
  AdamW opt(m->parameters(), 1e-1f);
  float first = 0, last = 0;
  for (int step = 0; step < 100; ++step) {
    Tensor loss = model_loss(*m, get_batch(text, 8, 4, gen));
    if (step == 0) first = loss.item();
    last = loss.item();
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  EXPECT_GT(first, 1.0f);
  EXPECT_LT(last, 0.05f);
  SampleOptions o;
  o.max_new_tokens = 7;
  o.top_k = 1;
  EXPECT_EQ(generate(*m, {3}, o, gen), (std::vector<int32_t>{3, 4, 0, 1, 2, 3, 4, 0}));
}

}  // namespace
}  // namespace bg
