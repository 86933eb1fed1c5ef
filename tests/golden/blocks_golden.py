#!/usr/bin/env python3
# Golden values of the attention and block unit tests of lessons 07-10: one file per case,
# tests/golden/data/<case>.safetensors.
#
#   /usr/bin/python3 tests/golden/blocks_golden.py head                 # lesson 07, Head
#   /usr/bin/python3 tests/golden/blocks_golden.py multi_head           # lesson 08
#   /usr/bin/python3 tests/golden/blocks_golden.py feed_forward         # lesson 09
#   /usr/bin/python3 tests/golden/blocks_golden.py projected_attention  # lesson 10
#   /usr/bin/python3 tests/golden/blocks_golden.py --all                # all four
# tests/golden/make_all.sh regenerates every golden file of every script (tests/golden/README.md).
#
# Run with PyTorch 1.13 (Debian's python3-torch, torch.__version__ 1.13.0a0), CPU, float32.
# Every tensor is fill(shape, a, b, s): element i (row-major) = sin(a*i + b) * s, computed in
# double and rounded to float32 — the same helper the C++ tests use. The loss is
# (out * fill(out.shape, 0.9, 0.3)).sum(). Each file holds `out` (and `wei` for the head), then
# `x.grad` (the input's gradient) and `grad.<parameter>` for every parameter, named as the C++
# module names it:
#   head                 a causal self-attention Head, n_embed 8, head_size 4:
#                        x = fill((2,4,8), 0.7, 0.1); key, query, value = fill((4,8), 0.31, 0.2,
#                        0.5), fill((4,8), 0.43, 1.1, 0.5), fill((4,8), 0.57, 2.3, 0.5);
#                        wei = softmax(causal_mask(q kᵀ / sqrt(4))); out = wei v
#   multi_head           2 such heads, concatenated; head h, role r (0 key, 1 query, 2 value):
#                        W[h][r] = fill((4,8), 0.31 + 0.05 (3h+r), 0.2 + 0.9 (3h+r), 0.5)
#   feed_forward         FeedForward(4, expand=True): net.0 = Linear(4, 16), ReLU,
#                        net.2 = Linear(16, 4), on x = fill((2,3,4), 0.7, 0.1)
#   projected_attention  multi_head's heads, then proj = Linear(8, 8) (W^O)
# head and multi_head keep the numbers lesson 07's and 08's tests first had: OpenBLAS's SkylakeX
# kernels, every value rounded to 8 significant digits (see golden_io.py).
import sys

import golden_io

# case: (OpenBLAS kernels, significant digits)
CASES = {"head": ("SkylakeX", 8), "multi_head": ("SkylakeX", 8),
         "feed_forward": ("Haswell", 9), "projected_attention": ("Haswell", 9)}
what = sys.argv[1] if len(sys.argv) > 1 else ""
if what == "--all":
    golden_io.run_each([[case] for case in CASES])
    sys.exit(0)
if what not in CASES:
    sys.exit("usage: blocks_golden.py head | multi_head | feed_forward | projected_attention | --all")
golden_io.use_kernels(CASES[what][0])

import math  # noqa: E402  (torch is imported after the kernels are chosen)

import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402


def fill(shape, a, b, s=1.0):
    n = math.prod(shape)
    return torch.tensor([math.sin(a * i + b) * s for i in range(n)], dtype=torch.float32).reshape(shape)


def leaf(t):
    return t.clone().requires_grad_()


def attention(x, wk, wq, wv):
    """One causal head: its output and its attention weights."""
    k, q, v = x @ wk.T, x @ wq.T, x @ wv.T
    wei = (q @ k.transpose(-2, -1) * k.size(-1) ** -0.5)
    wei = wei.masked_fill(torch.tril(torch.ones(4, 4)) == 0, float("-inf")).softmax(-1)
    return wei @ v, wei


def heads_weights():
    """multi_head's weights: W[h] = [key, query, value] of head h."""
    return [[leaf(fill((4, 8), 0.31 + 0.05 * (3 * h + r), 0.2 + 0.9 * (3 * h + r), 0.5))
             for r in range(3)] for h in range(2)]


def heads_grads(W):
    return [(f"grad.heads.{h}.{role}.weight", W[h][r].grad)
            for h in range(2) for r, role in enumerate(("key", "query", "value"))]


def backward(out):
    (out * fill(out.shape, 0.9, 0.3)).sum().backward()


tensors = []
if what == "head":
    x = leaf(fill((2, 4, 8), 0.7, 0.1))
    wk, wq, wv = (leaf(fill((4, 8), 0.31, 0.2, 0.5)), leaf(fill((4, 8), 0.43, 1.1, 0.5)),
                  leaf(fill((4, 8), 0.57, 2.3, 0.5)))
    out, wei = attention(x, wk, wq, wv)
    backward(out)
    tensors = [("out", out), ("wei", wei), ("x.grad", x.grad), ("grad.key.weight", wk.grad),
               ("grad.query.weight", wq.grad), ("grad.value.weight", wv.grad)]
elif what == "multi_head":
    x = leaf(fill((2, 4, 8), 0.7, 0.1))
    W = heads_weights()
    out = torch.cat([attention(x, *W[h])[0] for h in range(2)], -1)
    backward(out)
    tensors = [("out", out), ("x.grad", x.grad)] + heads_grads(W)
elif what == "feed_forward":
    x = leaf(fill((2, 3, 4), 0.7, 0.1))
    w0 = leaf(fill((16, 4), 0.37, 0.2, 0.5)); b0 = leaf(fill((16,), 0.53, 1.1, 0.3))
    w2 = leaf(fill((4, 16), 0.29, 0.7, 0.5)); b2 = leaf(fill((4,), 0.61, 2.0, 0.3))
    out = F.linear(F.relu(F.linear(x, w0, b0)), w2, b2)
    backward(out)
    tensors = [("out", out), ("x.grad", x.grad), ("grad.net.0.weight", w0.grad),
               ("grad.net.0.bias", b0.grad), ("grad.net.2.weight", w2.grad),
               ("grad.net.2.bias", b2.grad)]
elif what == "projected_attention":
    x = leaf(fill((2, 4, 8), 0.7, 0.1))
    W = heads_weights()
    wo = leaf(fill((8, 8), 0.43, 0.5, 0.4)); bo = leaf(fill((8,), 0.71, 1.3, 0.2))
    out = F.linear(torch.cat([attention(x, *W[h])[0] for h in range(2)], -1), wo, bo)
    backward(out)
    tensors = [("out", out), ("x.grad", x.grad)] + heads_grads(W) + \
        [("grad.proj.weight", wo.grad), ("grad.proj.bias", bo.grad)]
golden_io.write(what, tensors, golden_io.command("blocks_golden.py", what), digits=CASES[what][1])
