// Lesson 06, exercises 1–3: narrow, add_positions, crop_context.
//   exercise 1: ctest --test-dir build -R '^exercises\.lesson06\.Narrow\.' --output-on-failure
//   exercise 2: ctest --test-dir build -R '^exercises\.lesson06\.AddPositions\.'
//   exercise 3: ctest --test-dir build -R '^exercises\.lesson06\.CropContext\.' --output-on-failure
#include <gtest/gtest.h>

#include <vector>

#include "bg/data.h"
#include "bg/nn_ops.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

using testing::AllClose;
using testing::GradOk;

// ---- Exercise 1: narrow --------------------------------------------------------------------

TEST(Narrow, SlicesEachDimension) {
  Tensor x = arange(24).reshape({2, 3, 4});
  Tensor a = narrow(x, 0, 1, 1);
  EXPECT_EQ(a.shape(), (Shape{1, 3, 4}));
  EXPECT_TRUE(AllClose(a, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, 0, 0));
  Tensor b = narrow(x, 1, 1, 2);
  EXPECT_EQ(b.shape(), (Shape{2, 2, 4}));
  EXPECT_TRUE(AllClose(b, {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}, 0, 0));
  Tensor c = narrow(x, -1, 2, 1);
  EXPECT_EQ(c.shape(), (Shape{2, 3, 1}));
  EXPECT_TRUE(AllClose(c, {2, 6, 10, 14, 18, 22}, 0, 0));
  // a negative start counts from the end: the last time step
  EXPECT_TRUE(AllClose(narrow(x, 1, -1, 1), {8, 9, 10, 11, 20, 21, 22, 23}, 0, 0));
  // empty and full slices
  EXPECT_EQ(narrow(x, 2, 4, 0).shape(), (Shape{2, 3, 0}));
  EXPECT_TRUE(AllClose(narrow(x, 1, 0, 3), x, 0, 0));
}

TEST(Narrow, GradientGoesBackIntoTheSlice) {
  Tensor x = zeros({2, 3}, true);
  narrow(x, 1, 1, 2).backward(tensor({1, 2, 3, 4}, {2, 2}));
  EXPECT_TRUE(AllClose(x.grad(), {0, 1, 2, 0, 3, 4}, 0, 0));
  narrow(x, 0, 1, 1).sum().backward();  // accumulates
  EXPECT_TRUE(AllClose(x.grad(), {0, 1, 2, 1, 4, 5}, 0, 0));
}

TEST(Narrow, Gradcheck) {
  Tensor x = randn({3, 4, 5}).requires_grad_();
  EXPECT_TRUE(GradOk("narrow dim 0",
                     [](const std::vector<Tensor>& in) { return narrow(in[0], 0, 1, 2); }, {x}));
  EXPECT_TRUE(GradOk("narrow dim 1",
                     [](const std::vector<Tensor>& in) { return narrow(in[0], 1, 1, 2); }, {x}));
  EXPECT_TRUE(GradOk("narrow last dim, negative start",
                     [](const std::vector<Tensor>& in) { return narrow(in[0], -1, -3, 2); }, {x}));
  EXPECT_TRUE(GradOk(
      "two overlapping slices",
      [](const std::vector<Tensor>& in) { return narrow(in[0], 1, 0, 3) * narrow(in[0], 1, 1, 3); },
      {x}));
}

TEST(Narrow, RejectsSlicesThatDoNotFit) {
  Tensor x = zeros({2, 3});
  EXPECT_BG_ERROR(narrow(x, 1, 2, 2), "start 2", "length 2", "[2, 3]");
  EXPECT_BG_ERROR(narrow(x, 1, -4, 1), "start -4", "[2, 3]");
  EXPECT_BG_ERROR(narrow(x, 0, 0, -1), "length -1");
  EXPECT_BG_ERROR(narrow(x, 2, 0, 1), "[2, 3]");
}

// ---- Exercise 2: add_positions --------------------------------------------------------------

TEST(AddPositions, AddsRowTOfTheTableAtTimeT) {
  Tensor tok = arange(12).reshape({2, 3, 2});                             // (B 2, T 3, C 2)
  Tensor pos = tensor({100, 200, 300, 400, 500, 600, 700, 800}, {4, 2});  // block 4
  Tensor y = add_positions(tok, pos);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_TRUE(AllClose(y, {100, 201, 302, 403, 504, 605, 106, 207, 308, 409, 510, 611}, 0, 0));
  // the same as the broadcasting add of the first T rows
  EXPECT_TRUE(AllClose(y, tok + narrow(pos, 0, 0, 3), 0, 0));
}

TEST(AddPositions, GradientsSumOverTheBatchAndSkipUnusedRows) {
  Tensor tok = zeros({2, 2, 1}, true);
  Tensor pos = zeros({3, 1}, true);
  add_positions(tok, pos).backward(tensor({1, 2, 10, 20}, {2, 2, 1}));
  EXPECT_TRUE(AllClose(tok.grad(), {1, 2, 10, 20}, 0, 0));
  EXPECT_TRUE(AllClose(pos.grad(), {11, 22, 0}, 0, 0));  // row 2 (t >= T) gets nothing
}

TEST(AddPositions, GradientOnlyForInputsThatRequireIt) {
  // gradcheck skips a constant input, so check has_grad() directly.
  const Tensor tok = zeros({2, 2, 1}, true);
  const Tensor pos = zeros({3, 1});  // a constant table
  add_positions(tok, pos).backward(ones({2, 2, 1}));
  EXPECT_TRUE(tok.has_grad());
  EXPECT_FALSE(pos.has_grad());
  const Tensor tok2 = zeros({2, 2, 1});  // constant embeddings, a learned table
  const Tensor pos2 = zeros({3, 1}, true);
  add_positions(tok2, pos2).backward(ones({2, 2, 1}));
  EXPECT_FALSE(tok2.has_grad());
  EXPECT_TRUE(pos2.has_grad());
}

TEST(AddPositions, Gradcheck) {
  Tensor tok = randn({3, 4, 5}).requires_grad_();
  Tensor pos = randn({6, 5}).requires_grad_();
  EXPECT_TRUE(GradOk("add_positions",
                     [](const std::vector<Tensor>& in) { return add_positions(in[0], in[1]); },
                     {tok, pos}));
  // T == block_size, and the output used twice
  Tensor pos4 = randn({4, 5}).requires_grad_();
  EXPECT_TRUE(GradOk("add_positions squared",
                     [](const std::vector<Tensor>& in) {
                       Tensor y = add_positions(in[0], in[1]);
                       return y * y;
                     },
                     {tok, pos4}));
  // only the table requires grad
  Tensor fixed = randn({3, 4, 5});
  EXPECT_TRUE(GradOk("add_positions, table only",
                     [&](const std::vector<Tensor>& in) { return add_positions(fixed, in[0]); },
                     {pos}));
}

TEST(AddPositions, RejectsBadShapes) {
  EXPECT_BG_ERROR(add_positions(zeros({2, 5, 3}), zeros({4, 3})), "T = 5", "block_size 4");
  EXPECT_BG_ERROR(add_positions(zeros({2, 3, 3}), zeros({4, 2})), "[2, 3, 3]", "[4, 2]");
  EXPECT_BG_ERROR(add_positions(zeros({3, 3}), zeros({4, 3})), "[3, 3]", "[4, 3]");
  EXPECT_BG_ERROR(add_positions(zeros({1, 3, 3}), zeros({12})), "[12]");
}

// ---- Exercise 3: crop_context ---------------------------------------------------------------

TEST(CropContext, KeepsTheLastBlockSizeTokens) {
  const std::vector<int32_t> ctx{5, 6, 7, 8, 9, 10};
  EXPECT_EQ(crop_context(ctx, 4), (std::vector<int32_t>{7, 8, 9, 10}));
  EXPECT_EQ(crop_context(ctx, 1), (std::vector<int32_t>{10}));
  EXPECT_EQ(crop_context(ctx, 6), ctx);
  EXPECT_EQ(crop_context(ctx, 100), ctx);
  EXPECT_EQ(crop_context(std::vector<int32_t>{}, 3), std::vector<int32_t>{});
}

TEST(CropContext, RejectsANonPositiveBlockSize) {
  const std::vector<int32_t> ctx{1, 2};
  EXPECT_BG_ERROR(crop_context(ctx, 0), "block_size", "0");
  EXPECT_BG_ERROR(crop_context(ctx, -2), "-2");
}

}  // namespace
}  // namespace bg
