// Lesson 02 demo: look inside the graph of L = ((x * w).exp() + b).sum(), before and after
// the backward pass, with bg::dump_graph and the tensor printing of lesson 01.
//
//   cmake --build build -j2 --target lesson02_look_inside && ./build/lesson02_look_inside
//   (lesson02_look_inside_mine runs the same program on your own code: lessons 01-03)
#include <iostream>

#include "bg/autograd.h"
#include "bg/ops.h"

int main() {
  bg::Tensor x = bg::tensor({1, 2, 3}, {3});            // data: no gradient wanted
  bg::Tensor w = bg::tensor({0.5f, -1, 0}, {3}, true);  // parameters
  bg::Tensor b = bg::tensor({0.1f, 0.2f, 0.3f}, {3}, true);
  bg::Tensor h = x * w;  // an intermediate tensor prints like any other
  std::cout << "h = " << h << "\n\n";

  bg::Tensor L = (h.exp() + b).sum();
  const bg::TensorNames names = {{"x", x}, {"w", w}, {"b", b}};
  std::cout << "before backward:\n" << bg::dump_graph(L, names) << '\n';

  L.backward();
  std::cout << "after backward:\n" << bg::dump_graph(L, names) << bg::dump_graph(h, names);
  std::cout << "w.grad() = " << w.grad() << '\n';
  return 0;
}
