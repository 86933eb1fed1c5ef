// Lesson 14, exercise 1: a gate per head. Read lessons/14_attention_heads/README.md#exercise-1,
// then replace the stub's body.
#include "bg/error.h"
#include "bg/heads.h"

namespace bg {

// gate_heads(x, gates): x (..., C) holds nh = gates.numel() heads side by side, head h in
// columns h*hs … h*hs+hs-1 (hs = C / nh). The result has x's shape, every head's columns
// multiplied by its gate. Write the forward values and the backward function with
// make_result (bg/autograd.h), as lesson 08's concat does: x and gates both receive
// gradients (grad_or_null skips the one nobody asked for). Sum each gate's gradient in
// double: it adds up every row of the batch. The tests check the values, both gradients with
// finite differences, that a gate of 0 removes its head and only it, that gates of 1 change
// no bit, and bg::Error on bad shapes (see bg/heads.h for the message's contents).
Tensor gate_heads([[maybe_unused]] const Tensor& x, [[maybe_unused]] const Tensor& gates) {
  bg::not_implemented(14, 1, "gate_heads");
}

}  // namespace bg
