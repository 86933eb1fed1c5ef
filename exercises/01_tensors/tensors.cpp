// Lesson 01 — tensors: storage, index arithmetic, creation, printing, random numbers.
//
// Fill in the functions below, one exercise at a time. Read lessons/01_tensors/README.md
// first; each exercise has its own section there and its own test command, e.g.
//     cmake --build build -j2 && ctest --test-dir build -L exercises -L lesson01 -R Ex1
// The contracts are in engine/include/bg/shape.h, tensor.h and random.h.
//
// You may add helper functions; put them in an anonymous namespace (namespace { ... }) so
// that this file defines exactly the same external functions as the solution.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "bg/error.h"
#include "bg/random.h"
#include "bg/shape.h"
#include "bg/tensor.h"

namespace bg {

// ---- exercise 1: shape arithmetic ----------------------------------------------------------

// The number of elements of a tensor of this shape: the product of the sizes.
// A scalar has shape {} and ONE element (the empty product is 1). A shape with a 0 in it
// has no elements at all.
int64_t numel([[maybe_unused]] const Shape& shape) { bg::not_implemented(1, 1, "numel"); }

// Row-major (C order) strides, counted in elements: how far apart in storage two elements
// are whose index differs by 1 in dimension d.
//   * the last dimension has stride 1 (neighbours in a row are neighbours in memory);
//   * every earlier dimension has the product of all the sizes after it.
// contiguous_strides({2, 3, 4}) == {12, 4, 1}; contiguous_strides({}) == {}; a size of 0
// follows the same rule: contiguous_strides({2, 0, 3}) == {0, 3, 1}.
// The definition is in the README ("The idea: a flat array and a shape"); README exercise 1
// warns about a loop trap with unsigned sizes.
Shape contiguous_strides([[maybe_unused]] const Shape& shape) {
  bg::not_implemented(1, 1, "contiguous_strides");
}

// ---- exercise 2: from a multi-index to a position in storage ---------------------------------

// The position in the row-major storage of the element at `index`, as the README defines it
// ("Flat index", in "The idea: a flat array and a shape"): flat_index({2, 3, 4}, {1, 2, 3})
// == 23, the last element. Rules (the tests check each one):
//   * index.size() must equal shape.size(); otherwise throw bg::Error.
//   * a negative entry counts from the end, as in Python: -1 is the last, so i += shape[d].
//   * after that, every entry must be in 0..shape[d]-1; otherwise throw bg::Error.
//   * every error message shows the index AND the shape, e.g.
//       "out of range: index [0, 5] for a tensor of shape [2, 3]"
//     (shape_str(shape) formats a shape; write the index the same way).
// A scalar (shape {}) has exactly one element, at index {} -> position 0.
int64_t flat_index([[maybe_unused]] const Shape& shape,
                   [[maybe_unused]] std::span<const int64_t> index) {
  bg::not_implemented(1, 2, "flat_index");
}

// ---- exercise 3: creation ------------------------------------------------------------------

// A leaf tensor of `shape` with every element equal to `value`, requiring grad when asked.
// A shape with a negative size is a bg::Error: check_shape(shape) (bg/shape.h) throws it for
// you. The Tensor constructors are in bg/tensor.h. zeros() and ones() in
// engine/src/tensor.cpp are written on top of this function.
Tensor full([[maybe_unused]] const Shape& shape, [[maybe_unused]] float value,
            [[maybe_unused]] bool requires_grad) {
  bg::not_implemented(1, 3, "full");
}

// The 1-D tensor start, start + step, start + 2 step, ... stopping before `end`
// (values < end for a positive step, > end for a negative one), like torch.arange.
//   * step == 0 is an error (bg::Error); so are non-finite start, end or step, and more
//     than 1e9 values (that also keeps the conversion of the count to int64_t defined).
//   * the count is ceil((end - start) / step), 0 when that is negative: arange(0, 1, 0.3f)
//     has 4 values (0, 0.3, 0.6, 0.9); arange(5, 0) has none.
//   * compute that count in double, not float: convert start, end and step to double BEFORE
//     the subtraction and the division. In float, end - start can round away a small end:
//     arange(-1, 1e-8f, 1) has 2 values (-1 and 0), but float arithmetic gives
//     1e-8f - (-1.0f) == 1.0f exactly, and so 1 value.
//   * compute value i as start + i * step (in double, then cast to float) rather than by
//     adding step again and again: repeated addition accumulates rounding error.
// The result has shape {n}.
Tensor arange([[maybe_unused]] float start, [[maybe_unused]] float end,
              [[maybe_unused]] float step) {
  bg::not_implemented(1, 3, "arange");
}

// ---- exercise 4: printing ------------------------------------------------------------------

// PyTorch-like text for a tensor. The exact format (the tests compare whole strings):
//   * every value with 4 decimals ("%.4f"), right-aligned to the width of the widest
//     value shown (so a "-" makes room in front of positive numbers); nan, inf, -inf as such;
//   * a scalar: "tensor(3.5000)";   1-D: "tensor([1.0000, 2.0000])";
//   * 2-D: rows on separate lines, each continuation indented to sit under the first '['
//     of the row above:
//         tensor([[ 1.0000, -2.5000],
//                 [ 3.0000,  4.0000]])
//   * 3-D and more: like 2-D, one more '[' and one more space of indent per level, and one
//     blank line more between blocks per level (a blank line between 2-D matrices);
//   * more than 1000 elements: in every dimension longer than 6 show only the first 3 and
//     the last 3 entries with "..." between them (the width counts the shown values only);
//   * no elements: "tensor([], size=[0, 3])" (shape_str for the size);
//   * an undefined tensor: "tensor(undefined)";
//   * a suffix before the final ')': ", requires_grad=True" for a leaf that requires grad,
//     ", grad_fn=<op>" for a tensor made by an op that records a graph (op = t.node().op).
// Hint: a recursive helper print(dim, offset into storage, indent) that writes one '[' ... ']'
// per dimension; a first pass over the same elements finds the width.
std::string to_string([[maybe_unused]] const Tensor& t) { bg::not_implemented(1, 4, "to_string"); }

// ---- exercise 5: random numbers ------------------------------------------------------------
// The algorithm is documented in engine/include/bg/random.h and the README's "Randomness".
// next_u32() (PCG32) is written for you in engine/src/random.cpp.

// A float in [0, 1): keep the top 24 bits of next_u32() (shift right by 8) and multiply by
// 2^-24 (the literal 0x1.0p-24f). Why 24 bits? A float has a 24-bit significand, so every
// such value is exact and the result can never round up to 1.0f.
float Generator::uniform() { bg::not_implemented(1, 5, "Generator::uniform"); }

// A standard normal sample by Box-Muller, computed in double:
//     u1 = uniform(), u2 = uniform()          (in this order: the tests pin the values)
//     z  = sqrt(-2 ln(1 - u1)) * cos(2 pi u2)
// then cast to float. 1 - u1 is in (0, 1], so the log is finite. (std::numbers::pi.)
float Generator::normal() { bg::not_implemented(1, 5, "Generator::normal"); }

// A tensor of `shape` filled, in row-major order, with gen.uniform() / gen.normal().
Tensor rand([[maybe_unused]] const Shape& shape, [[maybe_unused]] Generator& gen) {
  bg::not_implemented(1, 5, "rand");
}
Tensor randn([[maybe_unused]] const Shape& shape, [[maybe_unused]] Generator& gen) {
  bg::not_implemented(1, 5, "randn");
}

}  // namespace bg
