#!/usr/bin/env python3
# Golden values for lesson 11 (tests/11_layer_normalization/layer_norm_test.cpp): the layer-norm
# kernels and the pre-norm block, computed by PyTorch. It writes six files into
# tests/golden/data/: layer_norm_A ... layer_norm_E.safetensors (one per case below) and
# prenorm_block.safetensors.
#
#   /usr/bin/python3 tests/golden/layer_norm_golden.py
# tests/golden/make_all.sh regenerates every golden file of every script (tests/golden/README.md).
#
# Run with PyTorch 1.13.0a0 (Debian's python3-torch), CPU.
#
# Why float64: on the hard rows (a mean of 1e4, a variance below eps, C = 1) PyTorch's own
# float32 kernels lose digits: their y is up to 1.4e-3 away from the exact answer, their dx up
# to 1.1e-3 (the script prints these differences, and each file keeps them in its metadata as
# "notes"). The tests want the exact answer, so every golden number is PyTorch's float64 result
# rounded to float (through its "%.9g" decimal, see golden_io.float32_values); inputs are
# float32 values. On the easy cases (A, D, the block) float32 and float64 agree to better than
# 1e-6.
#
# A case file holds the inputs x (rows, C), gamma (C), beta (C), g (rows, C) (the upstream
# gradient) and PyTorch's answer: y (rows, C), mean (rows), rstd (rows), dx (rows, C),
# dgamma (C), dbeta (C). The block's file holds out, x.grad and grad.<parameter> for every
# parameter in named_parameters() order.
#
# Inputs are made by formulas the C++ test reproduces exactly:
#   fill(shape, a, b, s, o)[i] = float(sin(a*i + b) * s + o)   (computed in double, then float32)
#   param(k, i) = ((7 i + 5 k + 3) mod 17 - 8) / 16            (the k-th parameter of the block,
#                                                               in state_dict order; exact in float)
import golden_io

golden_io.use_kernels("Haswell")

import math  # noqa: E402  (torch is imported after the kernels are chosen)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

COMMAND = golden_io.command("layer_norm_golden.py")
torch.set_num_threads(1)
EPS = 1e-5


def fill(shape, a, b, s=1.0, o=0.0):
    n = math.prod(shape)
    return torch.tensor([math.sin(a * i + b) * s + o for i in range(n)],
                        dtype=torch.float32).reshape(shape)


def layer_norm_run(x, gamma, beta, g, dtype):
    """y, mean, rstd of the forward; dx, dgamma, dbeta for the upstream gradient g."""
    x = x.to(dtype).requires_grad_()
    gamma = gamma.to(dtype).requires_grad_()
    beta = beta.to(dtype).requires_grad_()
    C = x.shape[-1]
    y, mean, rstd = torch.native_layer_norm(x, [C], gamma, beta, EPS)
    # The functional form gives the same numbers (checked here, not assumed).
    assert torch.equal(y, F.layer_norm(x, (C,), gamma, beta, EPS))
    (y * g.to(dtype)).sum().backward()
    # mean and rstd come as (rows, 1); the files hold them as (rows)
    return {"y": y, "mean": mean.reshape(-1), "rstd": rstd.reshape(-1), "dx": x.grad,
            "dgamma": gamma.grad, "dbeta": beta.grad}


def layer_norm_case(name, x, gamma, beta, g):
    exact = layer_norm_run(x, gamma, beta, g, torch.float64)
    f32 = layer_norm_run(x, gamma, beta, g, torch.float32)
    notes = "PyTorch float32 vs float64, largest |difference|: " + \
        ", ".join("%s %.2g" % (k, (f32[k].double() - exact[k]).abs().max().item()) for k in exact)
    print(f"case {name}: rows {x.shape[0]}, C {x.shape[-1]}; {notes}")
    fields = [("x", x), ("gamma", gamma), ("beta", beta), ("g", g)] + list(exact.items())
    golden_io.write(f"layer_norm_{name}", fields, COMMAND, notes=notes)


# Case A: a small general case, rows 3, C 5 (any variance mistake shows: C - 1 = 4 vs 5).
layer_norm_case("A", fill((3, 5), 0.7, 0.1, 2.0, 0.3), fill((5,), 0.9, 0.2, 0.5, 1.0),
                fill((5,), 1.3, 0.4, 0.3), fill((3, 5), 0.45, 0.6))

# Case B: C = 1. The row minus its mean is 0, the variance is 0, rstd = 1/sqrt(eps): y = beta.
layer_norm_case("B", fill((3, 1), 1.1, 0.2, 3.0), fill((1,), 0.3, 0.5, 1.0, 1.0),
                fill((1,), 0.8, 0.1), fill((3, 1), 0.5, 0.9))

# Case C: hard rows, C 8. Values are multiples of 1/8 or 1/1024 near their mean, so every
# row is exact in float32 and the golden numbers do not depend on summation order.
#   row 0: 10000 + small steps (a large mean: E[x^2] - E[x]^2 in float loses everything)
#   row 1: -5000 + small steps
#   row 2: a small variance, 0.5 + steps of 1/128: var ~ 1e-4, so eps = 1e-5 matters at the
#          percent level (1/(sqrt(var)+eps) is 4 % off)
#   row 3: a tiny variance, var ~ 2e-6 < eps (1/(sqrt(var)+eps) is 2.5 times too large)
#   row 4: a constant row: var = 0, rstd = 1/sqrt(eps), y = beta
steps = torch.tensor([0.5, -0.25, 1.0, -1.25, 0.75, 0.0, -0.5, -0.25])
rows_c = torch.stack([
    10000.0 + steps,
    -5000.0 + steps * 2.0,
    0.5 + steps / 64.0,
    0.25 + steps / 512.0,
    torch.full((8,), 3.0),
])
layer_norm_case("C", rows_c, fill((8,), 0.9, 0.2, 0.5, 1.0), fill((8,), 1.3, 0.4, 0.3),
                fill((5, 8), 0.45, 0.6))

# Case D: a longer row (C 64, as a vectorised kernel sees it), rows 4.
layer_norm_case("D", fill((4, 64), 0.37, 0.2, 1.5, -0.7), fill((64,), 0.23, 0.5, 0.5, 1.0),
                fill((64,), 0.61, 0.3, 0.2), fill((4, 64), 0.29, 1.7))

# Case E: 1e4 plus sin noise of size 1 (not exact in float): PyTorch's float32 answer.
layer_norm_case("E", fill((2, 16), 0.83, 0.4, 1.0, 1e4), fill((16,), 0.9, 0.2, 0.5, 1.0),
                fill((16,), 1.3, 0.4, 0.3), fill((2, 16), 0.45, 0.6))

# ---- The pre-norm block (v9): x = x + sa(ln1(x)); x + ffwd(ln2(x)).
# n_embed 8, 2 heads of size 4, block 4; sa has W^O (proj) and ffwd is C -> 4C -> C, as in v8+.
C, NH, T = 8, 2, 4


class Head(nn.Module):
    def __init__(self, hs):
        super().__init__()
        self.key = nn.Linear(C, hs, bias=False)
        self.query = nn.Linear(C, hs, bias=False)
        self.value = nn.Linear(C, hs, bias=False)

    def forward(self, x):
        T = x.shape[1]
        k, q, v = self.key(x), self.query(x), self.value(x)
        w = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))
        w = w.masked_fill(torch.ones(T, T).tril() == 0, float("-inf"))
        return F.softmax(w, dim=-1) @ v


class MultiHeadAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleList([Head(C // NH) for _ in range(NH)])
        self.proj = nn.Linear(C, C)

    def forward(self, x):
        return self.proj(torch.cat([h(x) for h in self.heads], dim=-1))


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(C, 4 * C), nn.ReLU(), nn.Linear(4 * C, C))

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.sa = MultiHeadAttention()
        self.ffwd = FeedForward()
        self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))


block = Block().double()
with torch.no_grad():
    for k, (name, p) in enumerate(block.named_parameters()):
        p.copy_(torch.tensor([((7 * i + 5 * k + 3) % 17 - 8) / 16 for i in range(p.numel())])
                .reshape(p.shape))
x = fill((2, T, C), 0.7, 0.1, 1.0).double().requires_grad_()
out = block(x)
(out * fill(out.shape, 0.9, 0.3).double()).sum().backward()
block32 = Block()
block32.load_state_dict({k: v.float() for k, v in block.state_dict().items()})
x32 = x.detach().float().requires_grad_()
out32 = block32(x32)
(out32 * fill(out.shape, 0.9, 0.3)).sum().backward()
notes = "PyTorch float32 vs float64, largest |difference|: out %.2g, x.grad %.2g" % (
    (out32.double() - out).abs().max().item(), (x32.grad.double() - x.grad).abs().max().item())
print(f"pre-norm block (float64); {notes}")
golden_io.write("prenorm_block", [("out", out), ("x.grad", x.grad)] +
                [(f"grad.{name}", p.grad) for name, p in block.named_parameters()],
                COMMAND, notes=notes)
