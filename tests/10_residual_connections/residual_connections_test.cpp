// Lesson 10: residual connections, the attention output projection W^O, and the gradient that
// reaches each block (bg/blocks.h).
//   exercise 1: ctest -L lesson10 -R 'lesson10\.ResidualBlock'
//   exercise 2: ctest -L lesson10 -R 'lesson10\.ProjectedAttention'
//   exercise 3: ctest -L lesson10 -R 'lesson10\.GradNorms'
// GradientFlow needs exercises 1 and 3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bg/attention.h"
#include "bg/blocks.h"
#include "bg/models.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using bg::testing::AllClose;
using bg::testing::GradOk;

// Deterministic test values: element i is sin(a*i + b) * s (computed in double, rounded to
// float), as tests/golden/blocks_golden.py computes them.
Tensor fill(const Shape& shape, double a, double b, double s = 1.0, bool requires_grad = false) {
  std::vector<float> v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<float>(std::sin(a * static_cast<double>(i) + b) * s);
  }
  return tensor(std::move(v), shape, requires_grad);
}

void set(Tensor& t, const std::vector<float>& values) {
  ASSERT_EQ(static_cast<size_t>(t.numel()), values.size());
  std::copy(values.begin(), values.end(), t.data().begin());
}

void zero_all(const Module& m) {
  for (auto& [name, p] : m.named_parameters()) {
    for (float& v : p.data()) v = 0.0f;
  }
}

BlockConfig config(BlockKind kind, int64_t C = 8, int64_t nh = 2, int64_t block_size = 4) {
  BlockConfig c;
  c.n_embed = C;
  c.n_head = nh;
  c.block_size = block_size;
  c.kind = kind;
  return c;
}

// The weight tensors a block's forward reads, so a gradcheck can swap them for its inputs.
std::vector<Tensor*> weights_of(Block& block) {
  std::vector<Tensor*> w;
  for (auto& head : block.sa->heads) {
    w.push_back(&head->key.weight);
    w.push_back(&head->query.weight);
    w.push_back(&head->value.weight);
  }
  w.push_back(&block.ffwd.net0.weight);
  w.push_back(&block.ffwd.net0.bias);
  if (block.ffwd.net2) {
    w.push_back(&block.ffwd.net2->weight);
    w.push_back(&block.ffwd.net2->bias);
  }
  return w;
}

// ============================================================ exercise 1: residual block

TEST(ResidualBlock, AddsEachSubLayerToTheStream) {
  Generator gen(60);
  Block block(config(BlockKind::residual), gen);
  const Tensor x = randn({2, 4, 8}, gen);
  const Tensor h = add(x, block.sa->forward(x));  // x + sa(x)
  const Tensor expected = add(h, block.ffwd(h));  // h + ffwd(h)
  const Tensor y = block(x);
  ASSERT_EQ(y.shape(), (Shape{2, 4, 8}));
  EXPECT_TRUE(AllClose(y, expected, 0.0, 0.0))
      << "the block's output must be the residual stream: h = x + sa(x), then h + ffwd(h) "
         "(each sub-layer's output ADDED to its input; see WithZeroWeightsIsTheIdentity and "
         "AddsEachSubLayerOnce for which addition is missing)";
}

TEST(ResidualBlock, WithZeroWeightsIsTheIdentity) {
  // Both sub-layers output zeros, so the residual block passes x through unchanged — while the
  // plain block of lesson 09, with the same zero weights, outputs zeros.
  Generator gen(61);
  Block residual(config(BlockKind::residual), gen);
  Block plain(config(BlockKind::plain), gen);
  zero_all(residual);
  zero_all(plain);
  const Tensor x = randn({2, 4, 8}, gen);
  EXPECT_TRUE(AllClose(residual(x), x, 0.0, 0.0))
      << "with every weight zero (both sub-layers output 0) the residual block must return x "
         "unchanged: its output is x + sa(x) + ffwd(h), the residual stream";
  EXPECT_TRUE(AllClose(plain(x), std::vector<float>(64, 0.0f), 0.0, 0.0))
      << "the plain block of lesson 09 (no residual) must still output zeros here";
}

TEST(ResidualBlock, AddsEachSubLayerOnce) {
  Generator gen(62);
  const Tensor x = randn({2, 4, 8}, gen);
  {  // feed-forward silenced: x + sa(x)
    Block block(config(BlockKind::residual), gen);
    zero_all(block.ffwd);
    EXPECT_TRUE(AllClose(block(x), add(x, block.sa->forward(x)), 0.0, 0.0))
        << "with the feed-forward silenced the block must be x + sa(x): the attention's output "
           "added once to x";
  }
  {  // attention silenced: x + ffwd(x)
    Block block(config(BlockKind::residual), gen);
    zero_all(*block.sa);
    EXPECT_TRUE(AllClose(block(x), add(x, block.ffwd(x)), 0.0, 0.0))
        << "with the attention silenced the block must be x + ffwd(x): the feed-forward's output "
           "added once to its input";
  }
}

TEST(ResidualBlock, PassesTheGradientStraightThrough) {
  // With zero weights dL/dx is the upstream gradient itself: the "+ x" paths carry it whole.
  // Without them (plain) nothing arrives.
  Generator gen(63);
  Block residual(config(BlockKind::residual), gen);
  Block plain(config(BlockKind::plain), gen);
  zero_all(residual);
  zero_all(plain);
  const Tensor g = randn({1, 4, 8}, gen);
  Tensor x1 = randn({1, 4, 8}, gen).requires_grad_();
  Tensor x2 = x1.detach().requires_grad_();
  residual(x1).backward(g);
  EXPECT_TRUE(AllClose(x1.grad(), g, 0.0, 0.0))
      << "with zero weights dL/dx of the residual block must be the upstream gradient itself: "
         "the '+ x' paths carry it whole";
  plain(x2).backward(g);
  EXPECT_TRUE(AllClose(x2.grad(), std::vector<float>(32, 0.0f), 0.0, 0.0))
      << "the plain block (no residual) must pass no gradient with zero weights";
}

TEST(ResidualBlock, HandsBackTheAttentionWeights) {
  Generator gen(64);
  Block block(config(BlockKind::residual, 8, 4, 6), gen);
  const Tensor x = randn({3, 5, 8}, gen);
  std::vector<Tensor> weights;
  block.forward(x, &weights);
  std::vector<Tensor> own;
  block.sa->forward(x, &own);
  ASSERT_EQ(weights.size(), 4u);
  for (size_t h = 0; h < 4; ++h) EXPECT_EQ(weights[h].tolist(), own[h].tolist()) << "head " << h;
}

TEST(ResidualBlock, TheFutureDoesNotLeakIntoThePast) {
  Generator gen(65);
  Block block(config(BlockKind::residual, 8, 2, 5), gen);
  const Tensor x = randn({1, 5, 8}, gen);
  const Tensor before = block(x);
  Tensor changed = x.detach();
  changed.at({0, 3, 1}) += 2.0f;
  const Tensor after = block(changed);
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t c = 0; c < 8; ++c)
      EXPECT_EQ(after.at({0, t, c}), before.at({0, t, c}))
          << "changing a later position changed the output at position " << t << ", channel " << c
          << ": the future must not leak into the past";
}

TEST(ResidualBlock, GradcheckInputAndEveryWeight) {
  Generator gen(66);
  Block block(config(BlockKind::residual, 4, 2, 3), gen);
  const std::vector<Tensor*> w = weights_of(block);
  std::vector<Tensor> inputs{randn({2, 3, 4}, gen).requires_grad_()};
  for (Tensor* t : w) inputs.push_back(t->detach().requires_grad_());
  EXPECT_TRUE(GradOk(
      "residual block",
      [&](const std::vector<Tensor>& in) {
        for (size_t i = 0; i < w.size(); ++i) *w[i] = in[i + 1];
        return block(in[0]);
      },
      inputs));
}

// ============================================================ exercise 2: W^O

TEST(ProjectedAttention, HasPyTorchsNamesAndKeepsTheShape) {
  ProjectedAttention pa(8, 2, 4);
  const auto p = pa.named_parameters();
  const std::vector<std::pair<std::string, Shape>> expected = {
      {"heads.0.key.weight", {4, 8}},   {"heads.0.query.weight", {4, 8}},
      {"heads.0.value.weight", {4, 8}}, {"heads.1.key.weight", {4, 8}},
      {"heads.1.query.weight", {4, 8}}, {"heads.1.value.weight", {4, 8}},
      {"proj.weight", {8, 8}},          {"proj.bias", {8}}};
  ASSERT_EQ(p.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(p[i].first, expected[i].first);
    EXPECT_EQ(p[i].second.shape(), expected[i].second) << expected[i].first;
  }
  EXPECT_EQ(pa.num_parameters(), 4 * 8 * 8 + 8);  // 3C² for the heads, C² + C for W^O
  EXPECT_EQ(pa(zeros({2, 3, 8})).shape(), (Shape{2, 3, 8}));
}

TEST(ProjectedAttention, IsTheProjectionOfTheConcatenatedHeads) {
  Generator gen(70);
  ProjectedAttention pa(12, 3, 6, gen);
  const Tensor x = randn({2, 6, 12}, gen);
  const Tensor heads = pa.MultiHeadAttention::forward(x);  // (2, 6, 12), lesson 08
  const Tensor y = pa(x);
  ASSERT_EQ(y.shape(), (Shape{2, 6, 12}));
  EXPECT_EQ(y.tolist(), pa.proj(heads).tolist());
  // By hand: y[b, t, o] = Σ_c heads[b, t, c] · W[o, c] + bias[o] — the bias too.
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 6; ++t)
      for (int64_t o = 0; o < 12; ++o) {
        double s = pa.proj.bias.at({o});
        for (int64_t c = 0; c < 12; ++c) s += heads.at({b, t, c}) * pa.proj.weight.at({o, c});
        EXPECT_NEAR(y.at({b, t, o}), s, 1e-5) << b << " " << t << " " << o;
      }
}

TEST(ProjectedAttention, EveryOutputChannelMixesAllHeads) {
  // Change head 1 only: without W^O, or with W^O applied to each head's own channels, the
  // channels of heads 0 and 2 would not move. With W^O every output channel does.
  Generator gen(71);
  ProjectedAttention pa(12, 3, 6, gen);
  const Tensor x = randn({1, 6, 12}, gen);
  const Tensor before = pa(x);
  for (float& v : pa.heads[1]->value.weight.data()) v *= 2.0f;
  const Tensor after = pa(x);
  for (int64_t o = 0; o < 12; ++o) EXPECT_NE(after.at({0, 5, o}), before.at({0, 5, o})) << o;
}

// Gradients of TEST(ProjectedAttention, MatchesPyTorch), from tests/golden/blocks_golden.py
// projected_attention (PyTorch 1.13).
const std::vector<float> kGoldenXGrad = {
    -0.0318136811f, -0.0144048184f,  0.0108784484f,  0.0378909074f,  0.0590826198f,
    0.0675153881f,  0.0589192249f,   0.0331771411f,  -0.133006051f,  -0.0917807445f,
    -0.0227189679f, 0.0626293197f,   0.146204636f,   0.207705349f,   0.230009958f,
    0.204216465f,   -0.105405286f,   -0.0789916664f, -0.0270573404f, 0.0415549725f,
    0.111709982f,   0.165665016f,    0.187894836f,   0.16968517f,    -0.0404888988f,
    -0.0550956689f, -0.0582067966f,  -0.0495724231f, -0.0316825025f, -0.00906165503f,
    0.0129615627f,  0.0296620578f,   0.138764173f,   0.139851466f,   0.104931913f,
    0.0406716987f,  -0.0376465954f,  -0.109957755f,  -0.156803504f,  -0.164763108f,
    0.1239907f,     0.116951391f,    0.0770521834f,  0.00959625281f, -0.0710398406f,
    -0.14490509f,   -0.191917345f,   -0.197683319f,  0.0381684974f,  0.0417750217f,
    0.0316324085f,  0.00859752949f,  -0.0220604334f, -0.0519959852f, -0.0721840486f,
    -0.0756708905f, -0.00813587755f, 0.0395601764f,  0.0853438079f,  0.120497808f,
    0.137459382f,   0.13163197f,     0.102662861f,   0.0548244268f};  // x.grad (2, 4, 8)
// per head: cat([key.weight.grad, query.weight.grad, value.weight.grad]) (12, 8)
const std::vector<std::vector<float>> kGoldenHeadGrads = {
    {-0.0575423837f,  -0.0581755675f,  -0.0314478725f, 0.0100702457f,   0.0468521714f,
     0.0615987889f,   0.0473745354f,   0.0108692944f,  0.0451930091f,   0.0423755571f,
     0.0196282137f,   -0.0123505816f,  -0.0385207087f, -0.0465739444f,  -0.0327227227f,
     -0.00348149613f, -0.029768642f,   -0.023692254f,  -0.00647301972f, 0.0137905711f,
     0.0275682397f,   0.0283801351f,   0.0158444103f,  -0.00414318591f, 0.0123187713f,
     0.00339688733f,  -0.00712260976f, -0.0142922327f, -0.0147399902f,  -0.00825530104f,
     0.00211198255f,  0.0114859687f,   0.00994906202f, 0.028606033f,    0.033809144f,
     0.0231112875f,   0.00154382363f,  -0.020749718f,  -0.0332843438f,  -0.0301648229f,
     -0.0334049053f,  -0.0599543825f,  -0.0583063886f, -0.0292359833f,  0.0135845691f,
     0.0500160716f,   0.0629242435f,   0.0462381616f,  0.0427648574f,   0.0660037398f,
     0.0582000427f,   0.0230239518f,   -0.0229806714f, -0.058177121f,   -0.0660119653f,
     -0.0428003483f,  -0.0340793058f,  -0.0442014784f, -0.0335350111f,  -0.00709650107f,
     0.0226796046f,   0.0417891368f,   0.0412445888f,  0.0213020612f,   -0.22202152f,
     -0.183006451f,   -0.0579205714f,  0.0944062471f,  0.202332333f,    0.215098351f,
     0.126700282f,    -0.0212869383f,  -0.318325579f,  0.083614178f,    0.446228862f,
     0.598975182f,    0.470014036f,    0.119998008f,   -0.286454976f,   -0.55818373f,
     -0.356672406f,   0.335011542f,    0.869134307f,   0.99448967f,     0.652120948f,
     0.00304959435f,  -0.64745605f,    -0.993453026f,  -0.330080539f,   0.525413513f,
     1.13379741f,     1.2089386f,      0.715497136f,   -0.11445383f,    -0.890575409f,
     -1.24784541f},
    {0.0262848623f,  0.0165480617f,   -0.000971553847f, -0.0180342253f,  -0.0266151242f,
     -0.0226785149f, -0.00807584077f, 0.0103250258f,    0.0130648278f,   0.0340839364f,
     0.039072834f,   0.0256851688f,   0.000217366964f,  -0.0253526643f,  -0.0389989465f,
     -0.0343034118f, -0.0417294055f,  -0.0568402857f,   -0.0452182889f,  -0.0123294219f,
     0.0263581593f,  0.0526490882f,   0.0541783348f,    0.0302266572f,   0.0362654626f,
     0.0331096239f,  0.014381811f,    -0.0111099873f,   -0.0313765891f,  -0.0368862897f,
     -0.0250477903f, -0.0014289259f,  0.0198168121f,    0.00055126287f,  -0.0189735573f,
     -0.0295748152f, -0.0262665767f,  -0.010604756f,    0.0100446474f,   0.0259698965f,
     0.0210745018f,  0.0196742062f,   0.00902082399f,   -0.00587519258f, -0.018008016f,
     -0.0216713846f, -0.0151423682f,  -0.00149165513f,  -0.0560028479f,  -0.0343329161f,
     0.0034843199f,  0.0396628268f,   0.0571872853f,    0.0478156693f,   0.0159556009f,
     -0.0234086402f, 0.0750853568f,   0.0392772295f,    -0.0150035899f,  -0.0622279868f,
     -0.0801855922f, -0.0604306534f,  -0.0122542428f,   0.0416855365f,   -0.254517317f,
     0.612838209f,   1.1919663f,      1.21049404f,      0.659707546f,    -0.201349765f,
     -0.967709124f,  -1.27893972f,    -0.10089086f,     0.632913947f,    1.06904936f,
     1.0023942f,     0.464297414f,    -0.292165756f,    -0.911218762f,   -1.10171139f,
     0.0711045116f,  0.537755966f,    0.751492321f,     0.61179018f,     0.184353486f,
     -0.329787493f,  -0.688824236f,   -0.723896205f,    0.230154127f,    0.344689578f,
     0.297112137f,   0.109798238f,    -0.129155517f,    -0.307365417f,   -0.341016531f,
     -0.214282274f}};
const std::vector<float> kGoldenProjWeightGrad = {
    3.19158554f,   -2.59247684f, 1.94378495f,   -1.25791562f,  -2.84869194f,  -4.66619015f,
    4.99796629f,   2.36409736f,  4.54342413f,   -4.27040672f,  3.91571379f,   -3.48612833f,
    -6.32343721f,  -1.5223074f,  7.02462101f,   -1.71327412f,  2.45689034f,   -2.71657825f,
    2.92430854f,   -3.07610869f, -5.01273155f,  2.77362728f,   3.73518276f,   -4.49407387f,
    -1.48896956f,  0.893102765f, -0.280155063f, -0.338151217f, 0.0915096402f, 4.97053623f,
    -2.38096762f,  -3.87384844f, -4.30800676f,  3.8269012f,    -3.2726028f,   2.65571213f,
    5.12649822f,   3.40584254f,  -6.69524908f,  -0.321971357f, -3.86683035f,  3.86457729f,
    -3.78841019f,  3.63978529f,  6.28185511f,   -0.736324787f, -5.94269943f,  3.47356701f,
    -0.499313712f, 0.977618039f, -1.43722403f,  1.86934173f,   2.68322921f,   -4.32125616f,
    -0.692833126f, 4.64037895f,  3.24607348f,   -2.64918303f,  2.00162458f,   -1.31578279f,
    -2.94601107f,  -4.63594675f, 5.08135509f,   2.29544473f};  // (8, 8)
const std::vector<float> kGoldenProjBiasGrad = {0.407148749f,  1.08209693f,   0.938135803f,
                                                0.0842121243f, -0.833441615f, -1.12036347f,
                                                -0.559416413f, 0.424885601f};  // (8)

TEST(ProjectedAttention, MatchesPyTorch) {
  // tests/golden/blocks_golden.py projected_attention (PyTorch 1.13): lesson 08's two heads
  // (n_embed 8, head size 4, the same fixed weights), then proj = Linear(8, 8) with
  // weight fill((8, 8), 0.43, 0.5, 0.4) and bias fill((8,), 0.71, 1.3, 0.2);
  // loss (out * fill(out.shape, 0.9, 0.3)).sum().
  ProjectedAttention pa(8, 2, 4);
  for (int h = 0; h < 2; ++h) {
    Head& head = *pa.heads[static_cast<size_t>(h)];
    Linear* roles[] = {&head.key, &head.query, &head.value};
    for (int r = 0; r < 3; ++r) {
      set(roles[r]->weight,
          fill({4, 8}, 0.31 + 0.05 * (3 * h + r), 0.2 + 0.9 * (3 * h + r), 0.5).tolist());
    }
  }
  set(pa.proj.weight, fill({8, 8}, 0.43, 0.5, 0.4).tolist());
  set(pa.proj.bias, fill({8}, 0.71, 1.3, 0.2).tolist());
  Tensor x = fill({2, 4, 8}, 0.7, 0.1, 1.0, true);
  const Tensor out = pa(x);
  EXPECT_TRUE(
      AllClose(out, {-0.5121364f,    0.780811727f,  -0.359881669f,  0.187727049f,   -0.194001019f,
                     -0.393250763f,  0.266558558f,  -0.570063829f,  -0.240022257f,  0.617512047f,
                     -0.319830239f,  0.274463981f,  -0.399859726f,  -0.0864655972f, -0.114036784f,
                     -0.1492984f,    0.165547147f,  0.302785426f,   -0.123764522f,  0.214388981f,
                     -0.48108539f,   0.12888138f,   -0.444470912f,  0.267016381f,   0.456694365f,
                     -0.0200668871f, 0.20225656f,   -0.0859844238f, -0.232909098f,  -0.0451620519f,
                     -0.359943807f,  0.279476732f,  0.947172582f,   -0.408885002f,  0.455047548f,
                     -0.180404738f,  -0.305205107f, 0.187460199f,   -0.732331276f,  0.758714736f,
                     0.829621851f,   -0.378640175f, 0.514782071f,   -0.324838638f,  -0.0888379365f,
                     -0.081715852f,  -0.434138298f, 0.457861573f,   0.485821247f,   -0.15165633f,
                     0.424677581f,   -0.379577726f, 0.105906308f,   -0.399252295f,  -0.0218761116f,
                     -0.0126871923f, 0.133158475f,  0.161342859f,   0.1790075f,     -0.22295095f,
                     0.0521668643f,  -0.453150094f, 0.134894997f,   -0.258474916f}));
  sum(mul(out, fill(out.shape(), 0.9, 0.3))).backward();
  EXPECT_TRUE(AllClose(x.grad(), kGoldenXGrad));
  for (int h = 0; h < 2; ++h) {
    const Head& head = *pa.heads[static_cast<size_t>(h)];
    const Tensor grads =
        concat({head.key.weight.grad(), head.query.weight.grad(), head.value.weight.grad()}, 0);
    EXPECT_TRUE(AllClose(grads, kGoldenHeadGrads[static_cast<size_t>(h)])) << "head " << h;
  }
  EXPECT_TRUE(AllClose(pa.proj.weight.grad(), kGoldenProjWeightGrad));
  EXPECT_TRUE(AllClose(pa.proj.bias.grad(), kGoldenProjBiasGrad));
}

TEST(ProjectedAttention, HandsBackTheHeadsWeights) {
  Generator gen(72);
  ProjectedAttention pa(8, 2, 5, gen);
  const Tensor x = randn({2, 5, 8}, gen);
  std::vector<Tensor> weights;
  pa.forward(x, &weights);
  std::vector<Tensor> own;
  pa.MultiHeadAttention::forward(x, &own);
  ASSERT_EQ(weights.size(), 2u);
  for (size_t h = 0; h < 2; ++h) EXPECT_EQ(weights[h].tolist(), own[h].tolist()) << "head " << h;
}

TEST(ProjectedAttention, DropoutComesAfterTheProjection) {
  // drop(proj(...)): in training mode every output is 0 or 1 / (1 - p) times the eval-mode
  // output (the bias included). The heads' own dropout is switched off here.
  Generator gen(73);
  ProjectedAttention pa(8, 2, 4, gen, 0.5f);
  for (auto& head : pa.heads) head->drop.set_p(0.0f);
  const Tensor x = randn({2, 4, 8}, gen);
  pa.eval();
  const Tensor kept = pa(x);
  pa.train();
  manual_seed(2);
  const Tensor dropped = pa(x);
  int zeros_seen = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float d = dropped.data()[static_cast<size_t>(i)];
    if (d == 0.0f) {
      ++zeros_seen;
    } else {
      EXPECT_FLOAT_EQ(d, 2.0f * kept.data()[static_cast<size_t>(i)]) << i;
    }
  }
  EXPECT_GT(zeros_seen, 0);
  EXPECT_LT(zeros_seen, x.numel());
}

TEST(ProjectedAttention, TheFutureDoesNotLeakIntoThePast) {
  Generator gen(74);
  ProjectedAttention pa(8, 4, 5, gen);
  const Tensor x = randn({1, 5, 8}, gen);
  const Tensor before = pa(x);
  Tensor changed = x.detach();
  changed.at({0, 2, 0}) -= 2.0f;
  const Tensor after = pa(changed);
  for (int64_t t = 0; t < 2; ++t)
    for (int64_t c = 0; c < 8; ++c)
      EXPECT_EQ(after.at({0, t, c}), before.at({0, t, c}))
          << "changing a later position changed the output at position " << t << ", channel " << c
          << ": the future must not leak into the past";
}

TEST(ProjectedAttention, GradcheckInputAndWeights) {
  Generator gen(75);
  ProjectedAttention pa(6, 2, 3, gen);
  std::vector<Tensor*> w;
  for (auto& head : pa.heads) {
    w.push_back(&head->key.weight);
    w.push_back(&head->query.weight);
    w.push_back(&head->value.weight);
  }
  w.push_back(&pa.proj.weight);
  w.push_back(&pa.proj.bias);
  std::vector<Tensor> inputs{randn({2, 3, 6}, gen).requires_grad_()};
  for (Tensor* t : w) inputs.push_back(t->detach().requires_grad_());
  EXPECT_TRUE(GradOk(
      "ProjectedAttention",
      [&](const std::vector<Tensor>& in) {
        for (size_t i = 0; i < w.size(); ++i) *w[i] = in[i + 1];
        return pa(in[0]);
      },
      inputs));
}

TEST(ProjectedAttention, RejectsBadShapes) {
  ProjectedAttention pa(8, 2, 4);
  EXPECT_EQ(pa(zeros({1, 4, 8})).shape(), (Shape{1, 4, 8}));
  EXPECT_BG_ERROR(pa(zeros({1, 4, 6})), "[1, 4, 6]");
  EXPECT_BG_ERROR(pa(zeros({1, 5, 8})), "[1, 5, 8]", "block_size 4");
}

// ============================================================ exercise 3: grad_norms

// Gives every element of block l's every parameter the gradient (l + 1): the backward pass of
// Σ_l (l + 1) · Σ_p sum(p).
void backward_with_gradient_l_plus_1(const Blocks& blocks) {
  Tensor loss = scalar(0.0f);
  for (size_t l = 0; l < blocks.blocks.size(); ++l) {
    for (auto& [name, p] : blocks.blocks[l]->named_parameters()) {
      loss = add(loss, mul(sum(p), static_cast<float>(l + 1)));
    }
  }
  loss.backward();
}

TEST(GradNorms, IsTheL2NormOfEachBlocksGradients) {
  // Every kind of parameter counts: heads, W^O, both feed-forward layers, both layer norms.
  // One block here has 3·64 + (64 + 8) + (256 + 32) + (256 + 8) + 4·8 = 848 parameters, so
  // block l's norm is (l + 1)·√848.
  BlockConfig c = config(BlockKind::prenorm);
  c.projection = true;
  Blocks blocks(3, c);
  ASSERT_EQ(blocks.blocks[0]->num_parameters(), 848);
  backward_with_gradient_l_plus_1(blocks);
  const std::vector<float> norms = grad_norms(blocks);
  ASSERT_EQ(norms.size(), 3u);
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_NEAR(norms[l], static_cast<double>(l + 1) * std::sqrt(848.0), 1e-4) << "block " << l;
  }
}

TEST(GradNorms, SquaresSumsAndTakesTheRoot) {
  // One parameter of block 1 gets the gradient (3, -4, 0, …): its norm is 5, not 7 (absolute
  // values), -1 (signed sum) or 25 (no root). Block 0 got no gradient at all: 0.
  Blocks blocks(2, config(BlockKind::plain));
  const Tensor& b = blocks.blocks[1]->ffwd.net0.bias;  // (8)
  sum(mul(b, tensor({3, -4, 0, 0, 0, 0, 0, 0}, {8}))).backward();
  const std::vector<float> norms = grad_norms(blocks);
  ASSERT_EQ(norms.size(), 2u);
  EXPECT_EQ(norms[0], 0.0f);
  EXPECT_NEAR(norms[1], 5.0f, 1e-6);
}

TEST(GradNorms, ZeroBeforeAnyBackward) {
  Blocks blocks(4, config(BlockKind::residual));
  EXPECT_EQ(grad_norms(blocks), std::vector<float>(4, 0.0f));
}

// ============================================================ exercises 1 and 3: depth

// The gradient norm of each block of a 6-layer BabyGPT of `version` at the course's sizes,
// after one backward pass of the loss on a batch of random tokens (B = 32, T = 8).
std::vector<float> block_grad_norms_at_init(const std::string& version) {
  ModelConfig c;
  c.model = version;
  c.vocab_size = 65;
  c.n_layer = 6;
  Generator gen(1337);
  auto model = make_model(c, gen);
  Batch batch;
  batch.B = 32;
  batch.T = 8;
  for (int i = 0; i < 32 * 8; ++i) {
    batch.x.push_back(static_cast<int32_t>(gen.next_u32() % 65));
    batch.y.push_back(static_cast<int32_t>(gen.next_u32() % 65));
  }
  model_loss(*model, batch).backward();
  return grad_norms(*dynamic_cast<const GPT&>(*model).blocks);
}

TEST(GradientFlow, ResidualsCarryTheGradientToTheFirstBlock) {
  // Without residuals (v6) the gradient shrinks through every block on its way down: the first
  // block gets a tiny fraction of what the last one gets (measured: about 0.3 %). With them
  // (v7) every block gets about as much as the last.
  const std::vector<float> plain = block_grad_norms_at_init("v6");
  const std::vector<float> residual = block_grad_norms_at_init("v7");
  ASSERT_EQ(plain.size(), 6u);
  ASSERT_EQ(residual.size(), 6u);
  EXPECT_LT(plain[0], 0.01f * plain[5]);
  EXPECT_GT(residual[0], 0.5f * residual[5]);
  for (size_t l = 0; l + 1 < 6; ++l) EXPECT_LT(plain[l], plain[l + 1]) << "block " << l;
}

}  // namespace
}  // namespace bg
