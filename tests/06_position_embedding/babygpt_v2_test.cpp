// BabyGPT v2 (token + position embedding) against PyTorch.
//   ctest --test-dir build -R '^exercises\.lesson06\.BabyGPTV2\.' --output-on-failure
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "bg/data.h"
#include "bg/models.h"
#include "bg/nn_ops.h"
#include "golden_model.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;

// Golden values for BabyGPT v2 (PyTorch 1.13), vocabulary 11, block 4, n_embed 8:
// every parameter, in state_dict order k = 0, 1, ..., holds element i = ((7 i + 5 k + 3) mod 17
// - 8) / 16 (exact in float); x = [[1, 5, 10, 5], [0, 3, 3, 7]], y = [[5, 10, 5, 2], [3, 3, 7, 9]];
// loss = F.cross_entropy(model(x).view(-1, 11), y.view(-1)); loss.backward().
// The script: the course's nn.Embedding / nn.Linear model, parameters set with
//   p.copy_(torch.tensor([val(k, i) for i in range(p.numel())]).reshape(p.shape))
// and each p.grad printed with "%.9g".
using testing::GoldenParam;
const float kGoldenV2Loss = 2.46643758f;
const std::vector<float> kGoldenV2Logits12 = {
    -0.5703125f, 1.75f,      -0.1796875f, -0.78125f,   1.0078125f, -0.5234375f,
    -0.59375f,   0.3984375f, 0.59375f,    -0.2734375f, -0.875f};  // logits[1, 2, :]
const std::vector<GoldenParam> kGoldenV2Params = {
    {"token_embedding_table.weight",
     {11, 8},
     {-0.0308831856f,
      0.07769759f,
      -0.0140150813f,
      -0.0467759036f,
      0.00202029804f,
      -0.0371627286f,
      0.0668475106f,
      -0.0243279357f,
      0.0262029376f,
      0.00427009678f,
      0.036060892f,
      0.0127242925f,
      -0.0894790366f,
      0.0212820675f,
      -0.00800470263f,
      0.0306139737f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      -0.0655552521f,
      0.0748521984f,
      0.0276878849f,
      -0.0373989493f,
      0.0365744419f,
      -0.111848339f,
      0.0638817847f,
      0.00353183039f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0146701206f,
      0.000738207251f,
      0.0361890532f,
      -0.0750304982f,
      0.0447887219f,
      -0.00713141914f,
      -0.0255205706f,
      0.0263283253f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      0.0f,
      6.97600772e-05f,
      -0.0236406792f,
      0.0169150587f,
      -0.0154491076f,
      0.0332101956f,
      -0.00604312029f,
      -0.03441111f,
      0.00647600181f,
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
      0.019707974f,
      -0.0205458365f,
      0.0800661892f,
      -0.0130499136f,
      -0.0446879044f,
      0.00217543147f,
      -0.026062699f,
      0.0518295392f}},
    {"position_embedding_table.weight",
     {4, 8},
     {-0.00468024798f, 0.0819676891f,  0.0220458098f,    -0.034051612f,  -0.0874587372f,
      -0.0158806611f,  0.058842808f,   0.00628603809f,   -0.016647134f,  0.0759820864f,
      0.0239736363f,   -0.144282907f,  0.0306768678f,    -0.0539286286f, 0.0594538301f,
      0.0107547641f,   -0.0362995602f, 0.00912876055f,   0.0869533047f,  0.0238964576f,
      -0.03287521f,    -0.0766077712f, -0.000979246572f, 0.043662861f,   0.0218392983f,
      -0.0537069589f,  0.0499312431f,  -0.0205420144f,   0.072083801f,   0.00768894888f,
      -0.0805871785f,  0.0337480754f}},
    {"lm_head.weight",
     {11, 8},
     {-0.00341848191f, -0.0089839045f,  0.00930208713f, -0.00646428159f, -0.00203395169f,
      0.00218949094f,  -0.00337593164f, 0.0106135271f,  -0.0674300343f,  0.000765826553f,
      0.0677741915f,   -0.0335428081f,  0.0347688384f,  -0.0521077551f,  0.0160881076f,
      0.0509749129f,   -0.0395013057f,  0.074984096f,   -0.011466641f,   -0.0373225808f,
      0.0456276201f,   -0.0351310521f,  0.0793543383f,  -0.0170083903f,  0.0536406375f,
      -0.0387198329f,  0.0164896268f,   0.0649070889f,  -0.0343607068f,  0.0292949639f,
      -0.0630654991f,  -0.0118452376f,  -0.0319848321f, -0.00629336666f, 0.0358170718f,
      -0.0208237562f,  0.0118775684f,   -0.019874189f,  0.00581727643f,  0.0303951744f,
      0.0820453465f,   -0.0983564779f,  -0.0828940198f, -0.0190001354f,  0.0201931838f,
      0.0584597886f,   -0.121942051f,   0.0182745196f,  -0.0100191208f,  0.0103102569f,
      -0.0104737263f,  0.00951914024f,  -0.0159031097f, -0.00100248994f, 0.019326888f,
      -0.00697395485f, 0.100279666f,    -0.022553714f,  -0.0849639848f,  0.0300309286f,
      -0.0674035922f,  0.0989366248f,   -0.0238967501f, -0.0972358212f,  -0.0395032838f,
      0.0102601545f,   0.024961438f,    -0.0110975597f, 0.0144949034f,   -0.0290971361f,
      0.020666305f,    0.00713092787f,  0.0194115192f,  -0.00882101804f, 0.0500394255f,
      0.0140104163f,   -0.0290148668f,  0.0214299131f,  -0.00680262409f, 0.0433446169f,
      -0.063520126f,   0.0874079913f,   -0.0145854717f, 0.0097835362f,   0.0217541177f,
      -0.0730981752f,  0.0778299421f,   -0.0276702512f}},
    {"lm_head.bias",
     {11},
     {0.0448637828f, 0.122578241f, 0.0349620134f, -0.194765404f, 0.0968851522f, -0.188684493f,
      0.0721330494f, -0.0107442737f, 0.0832492039f, 0.0161471665f, -0.076624386f}}};

// The model of the golden test (tests/support/golden_model.h).
std::unique_ptr<LanguageModel> golden_model() { return testing::golden_model("v2"); }
using testing::golden_batch;

const testing::Golden kGolden{"v2", kGoldenV2Loss, kGoldenV2Logits12, kGoldenV2Params};

TEST(BabyGPTV2, ParametersAreNamedAsPyTorchsStateDict) { testing::ExpectPyTorchNames(kGolden); }

TEST(BabyGPTV2, LossAndEveryGradientMatchPyTorch) { testing::ExpectPyTorchValues(kGolden); }

TEST(BabyGPTV2, PositionChangesTheLogits) {
  // the same token at different positions now gives different logits
  auto m = golden_model();
  const std::vector<int32_t> a{3, 3, 3, 3};
  Tensor y = m->forward(a, 1, 4);
  int differ = 0;
  for (int64_t v = 0; v < 11; ++v) differ += y.at({0, 0, v}) != y.at({0, 1, v});
  EXPECT_GT(differ, 0);
  // a shorter sequence uses the first rows of the position table: same logits as the prefix
  const std::vector<int32_t> two{3, 3};
  Tensor z = m->forward(two, 1, 2);
  for (int64_t v = 0; v < 11; ++v) EXPECT_EQ(z.at({0, 1, v}), y.at({0, 1, v}));
}

TEST(BabyGPTV2, RejectsSequencesLongerThanTheBlock) {
  auto m = golden_model();
  const std::vector<int32_t> five{1, 2, 3, 4, 5};
  EXPECT_BG_ERROR(m->forward(five, 1, 5), "T = 5", "block_size 4");
  // what generation does instead: crop to the last block_size tokens
  const std::vector<int32_t> cropped = crop_context(five, 4);
  EXPECT_EQ(m->forward(cropped, 1, 4).shape(), (Shape{1, 4, 11}));
}

TEST(BabyGPTV2, GeneratesFromAContextLongerThanTheBlock) {
  auto m = golden_model();
  SampleOptions o;
  o.max_new_tokens = 10;
  Generator gen(4);
  const std::vector<int32_t> ctx{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int32_t> out = generate(*m, ctx, o, gen);
  ASSERT_EQ(out.size(), 19u);
  EXPECT_TRUE(std::equal(ctx.begin(), ctx.end(), out.begin()));
  for (int32_t t : out) EXPECT_TRUE(t >= 0 && t < 11);
}

}  // namespace
}  // namespace bg
