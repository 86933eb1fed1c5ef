// Lesson 02, exercise 1: topological_order.
#include <algorithm>
#include <unordered_map>
#include <vector>

#include "bg/autograd.h"
#include "bg/ops.h"
#include "testing.h"

namespace bg {
namespace {

// position of each node in `order`; fails the test on a duplicate
std::unordered_map<const Node*, size_t> positions(const std::vector<Node*>& order) {
  std::unordered_map<const Node*, size_t> pos;
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_TRUE(pos.emplace(order[i], i).second) << "node " << order[i]->op << " listed twice";
  }
  return pos;
}

// Every node comes after all of its parents.
void expect_parents_first(const std::vector<Node*>& order) {
  const auto pos = positions(order);
  for (const Node* n : order) {
    for (const Tensor& p : n->parents) {
      ASSERT_TRUE(pos.count(&p.node())) << "a parent of " << n->op << " is missing";
      EXPECT_LT(pos.at(&p.node()), pos.at(n)) << p.node().op << " after its child " << n->op;
    }
  }
}

TEST(Ex1TopoOrder, LeafAlone) {
  Tensor x = scalar(1.0f, true);
  const auto order = topological_order(x.node());
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0], &x.node());
}

TEST(Ex1TopoOrder, ChainIsInOrder) {
  Tensor x = scalar(2.0f, true);
  Tensor a = x * 3.0f;
  Tensor b = a.exp();
  Tensor c = b + 1.0f;
  const auto order = topological_order(c.node());
  EXPECT_EQ(order, (std::vector<Node*>{&x.node(), &a.node(), &b.node(), &c.node()}));
}

TEST(Ex1TopoOrder, DiamondListsEachNodeOnceParentsFirst) {
  //      x
  //     / \      .
  //    b   c
  //     \ /
  //      d
  Tensor x = tensor({1, 2}, {2}, true);
  Tensor b = x * 2.0f;
  Tensor c = x.exp();
  Tensor d = b * c;
  const auto order = topological_order(d.node());
  EXPECT_EQ(order.size(), 4u);
  expect_parents_first(order);
  EXPECT_EQ(order.front(), &x.node());
  EXPECT_EQ(order.back(), &d.node());
}

TEST(Ex1TopoOrder, TensorUsedTwiceByOneOp) {
  Tensor x = tensor({3}, {1}, true);
  Tensor y = x * x;  // two parent entries, one node
  const auto order = topological_order(y.node());
  EXPECT_EQ(order, (std::vector<Node*>{&x.node(), &y.node()}));
}

TEST(Ex1TopoOrder, WiderGraphWithSharedSubexpressions) {
  Tensor a = tensor({0.5f}, {1}, true);
  Tensor b = tensor({1.5f}, {1}, true);
  Tensor c = tensor({2.0f}, {1});  // does not require grad: a leaf of the graph all the same
  Tensor ab = a * b;
  Tensor s = ab + c;
  Tensor t = ab * s;
  Tensor u = (t + s) * a;
  const auto order = topological_order(u.node());
  EXPECT_EQ(order.size(), 8u);  // a, b, c, ab, s, t, t+s, u
  expect_parents_first(order);
  EXPECT_EQ(order.back(), &u.node());
}

TEST(Ex1TopoOrder, DeepChainNeedsNoRecursion) {
  // 100,000 chained ops: a recursive search would overflow the stack (and so would a
  // recursive destructor when the graph is dropped; Node::~Node releases it with a loop).
  // The test runs on a thread with a 256 KB stack: on the main thread's 8 MB, a recursion
  // with small frames would get through 100,000 levels and pass.
  testing::RunWithSmallStack([] {
    constexpr int kDepth = 100000;
    Tensor x = scalar(1.0f, true);
    Tensor y = x;
    for (int i = 0; i < kDepth; ++i) y = y + 1.0f;
    const auto order = topological_order(y.node());
    ASSERT_EQ(order.size(), static_cast<size_t>(kDepth + 1));
    EXPECT_EQ(order.front(), &x.node());
    EXPECT_EQ(order.back(), &y.node());
    y = Tensor();  // drop the whole graph
    EXPECT_TRUE(x.defined());
  });
}

}  // namespace
}  // namespace bg
