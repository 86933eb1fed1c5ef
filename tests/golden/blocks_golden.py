#!/usr/bin/env python3
# Golden values of lessons 09 and 10's unit tests (tests/09_feed_forward_and_blocks/,
# tests/10_residual_connections/): a FeedForward C -> 4C -> C and multi-head attention with the
# output projection W^O, on fixed inputs. Run with PyTorch 1.13 (Debian's python3-torch,
# torch.__version__ 1.13.0a0), CPU, float32:
#   python3 tests/golden/blocks_golden.py feed_forward
#   python3 tests/golden/blocks_golden.py projected_attention
# Every tensor is fill(shape, a, b, s): element i (row-major) = sin(a*i + b) * s, computed in
# double and rounded to float32 — the same helper the C++ tests use. The loss is
# (out * fill(out.shape, 0.9, 0.3)).sum(); the script prints out and every gradient with "%.9g".
import math
import sys

import torch
from torch.nn import functional as F


def fill(shape, a, b, s=1.0):
    n = math.prod(shape)
    return torch.tensor([math.sin(a * i + b) * s for i in range(n)], dtype=torch.float32).reshape(shape)


def leaf(t):
    return t.clone().requires_grad_()


def show(name, t):
    vals = ", ".join(("%.9g" % v) + ("" if "." in ("%.9g" % v) or "e" in ("%.9g" % v) else ".0") + "f"
                     for v in t.reshape(-1).tolist())
    print(f"// {name} {list(t.shape)}\n{{{vals}}}")


print(f"// PyTorch {torch.__version__}")
what = sys.argv[1] if len(sys.argv) > 1 else ""
if what == "feed_forward":
    # FeedForward(4, expand=True): net.0 = Linear(4, 16), ReLU, net.2 = Linear(16, 4)
    x = leaf(fill((2, 3, 4), 0.7, 0.1))
    w0 = leaf(fill((16, 4), 0.37, 0.2, 0.5)); b0 = leaf(fill((16,), 0.53, 1.1, 0.3))
    w2 = leaf(fill((4, 16), 0.29, 0.7, 0.5)); b2 = leaf(fill((4,), 0.61, 2.0, 0.3))
    out = F.linear(F.relu(F.linear(x, w0, b0)), w2, b2)
    (out * fill(out.shape, 0.9, 0.3)).sum().backward()
    for name, t in (("out", out.detach()), ("x.grad", x.grad), ("net.0.weight.grad", w0.grad),
                    ("net.0.bias.grad", b0.grad), ("net.2.weight.grad", w2.grad),
                    ("net.2.bias.grad", b2.grad)):
        show(name, t)
elif what == "projected_attention":
    # n_embed 8, 2 heads of size 4 (lesson 08's MultiHeadAttention test), then proj = Linear(8, 8)
    x = leaf(fill((2, 4, 8), 0.7, 0.1))
    W = [[leaf(fill((4, 8), 0.31 + 0.05 * (3 * h + r), 0.2 + 0.9 * (3 * h + r), 0.5)) for r in range(3)]
         for h in range(2)]
    wo = leaf(fill((8, 8), 0.43, 0.5, 0.4)); bo = leaf(fill((8,), 0.71, 1.3, 0.2))
    outs = []
    for wk, wq, wv in W:
        k, q, v = x @ wk.T, x @ wq.T, x @ wv.T
        wei = (q @ k.transpose(-2, -1) * k.size(-1) ** -0.5)
        wei = wei.masked_fill(torch.tril(torch.ones(4, 4)) == 0, float("-inf")).softmax(-1)
        outs.append(wei @ v)
    out = F.linear(torch.cat(outs, -1), wo, bo)
    (out * fill(out.shape, 0.9, 0.3)).sum().backward()
    show("out", out.detach())
    show("x.grad", x.grad)
    for h in range(2):
        show(f"head {h}: cat(key, query, value).weight.grad", torch.cat([w.grad for w in W[h]]))
    show("proj.weight.grad", wo.grad)
    show("proj.bias.grad", bo.grad)
else:
    sys.exit("usage: blocks_golden.py feed_forward | projected_attention")
