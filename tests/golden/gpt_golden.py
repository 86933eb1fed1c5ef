#!/usr/bin/env python3
# Golden values of the tiny BabyGPT models for the C++ tests (tests/support/golden_model.h):
# one file per version, tests/golden/data/gpt_<version>.safetensors.
#
#   /usr/bin/python3 tests/golden/gpt_golden.py --model v5     # writes gpt_v5.safetensors
#   /usr/bin/python3 tests/golden/gpt_golden.py --model v10 --dropout 0.2 --eval
#   /usr/bin/python3 tests/golden/gpt_golden.py --all          # every file the tests read
#   /usr/bin/python3 tests/golden/gpt_golden.py --counts       # parameter counts, course sizes
# tests/golden/make_all.sh regenerates every golden file of every script (tests/golden/README.md).
#
# The tiny model: vocabulary 11, block 4, n_embed 8, 2 heads, 2 layers. Every parameter, in
# named_parameters() order k = 0, 1, ..., holds element i = ((7 i + 5 k + 3) mod 17 - 8) / 16
# (exact in float32). The batch: x = [[1, 5, 10, 5], [0, 3, 3, 7]], y = x shifted by one
# ([[5, 10, 5, 2], [3, 3, 7, 9]]). loss = F.cross_entropy(logits.view(-1, 11), y.view(-1)),
# then loss.backward(). The file holds, in this order:
#   loss                 shape []
#   logits_1_2           the logits of sequence 1 at position 2, shape [11]
#   grad.<name>          d loss / d parameter, for every parameter in named_parameters() order
#                        (the C++ test reads the names, shapes and order from here)
# and in its metadata the command that made it and torch.__version__.
#
# The models are the PyTorch course's v1 ... v11, written out again here (the same as
# /work/shared/reference/babygpt_torch.py, which reads a corpus at import and cannot be
# imported). Run with PyTorch 1.13 (Debian's python3-torch, torch.__version__ 1.13.0a0) on CPU,
# float32. Requires nothing else.
import argparse
import sys

import golden_io

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="v5", choices=[f"v{i}" for i in range(1, 12)])
ap.add_argument("--dropout", type=float, default=0.0, help="dropout of v10+ (needs --eval if > 0)")
ap.add_argument("--eval", action="store_true", help="model.eval() before the forward pass")
ap.add_argument("--all", action="store_true", help="write every file the C++ tests read")
ap.add_argument("--counts", action="store_true",
                help="print each version's parameter count at the course's sizes and exit")
a = ap.parse_args()

# What the C++ tests read: the flags of each file. v10's test runs the numbers with dropout off
# and with dropout 0.2 in eval mode; they are the same numbers (and v9's).
ALL = [["--model", f"v{i}"] for i in range(1, 10)] + \
    [["--model", "v10", "--dropout", "0.2", "--eval"]]
if a.all:
    golden_io.run_each(ALL)
    sys.exit(0)
# v1-v4 keep the numbers their tests first had, made with OpenBLAS's SkylakeX kernels; v5 on
# with its Haswell ones (see golden_io.py). --counts is plain integers: any kernels will do.
golden_io.use_kernels("SkylakeX" if a.model in ("v1", "v2", "v3", "v4") and not a.counts
                      else "Haswell")

import math  # noqa: E402  (torch is imported after the kernels are chosen)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402


def build(ver, V, T_, C, H, L, P):
    """BabyGPT version `ver` with vocabulary V, block T_, n_embed C, H heads, L layers."""

    class Head(nn.Module):
        def __init__(self, hs):
            super().__init__()
            self.key = nn.Linear(C, hs, bias=False)
            self.query = nn.Linear(C, hs, bias=False)
            self.value = nn.Linear(C, hs, bias=False)
            self.drop = nn.Dropout(P)

        def forward(self, x):
            T = x.shape[1]
            k, q, v = self.key(x), self.query(x), self.value(x)
            w = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))
            w = w.masked_fill(torch.ones(T, T).tril() == 0, float("-inf"))
            return self.drop(F.softmax(w, dim=-1)) @ v

    class MultiHeadAttention(nn.Module):
        def __init__(self, nh, hs):
            super().__init__()
            self.heads = nn.ModuleList([Head(hs) for _ in range(nh)])
            if ver >= 8:
                self.proj = nn.Linear(C, C)
                self.drop = nn.Dropout(P)

        def forward(self, x):
            out = torch.cat([h(x) for h in self.heads], dim=-1)
            return self.drop(self.proj(out)) if ver >= 8 else out

    class FeedForward(nn.Module):
        def __init__(self):
            super().__init__()
            if ver >= 8:
                self.net = nn.Sequential(nn.Linear(C, 4 * C), nn.ReLU(), nn.Linear(4 * C, C),
                                         nn.Dropout(P))
            else:
                self.net = nn.Sequential(nn.Linear(C, C), nn.ReLU())

        def forward(self, x):
            return self.net(x)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.sa = MultiHeadAttention(H, C // H)
            self.ffwd = FeedForward()
            if ver >= 9:
                self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)

        def forward(self, x):
            if ver >= 9:
                x = x + self.sa(self.ln1(x))
                return x + self.ffwd(self.ln2(x))
            if ver >= 7:
                x = x + self.sa(x)
                return x + self.ffwd(x)
            return self.ffwd(self.sa(x))

    class BabyGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding_table = nn.Embedding(V, C)
            if ver >= 2:
                self.position_embedding_table = nn.Embedding(T_, C)
            if ver == 3:
                self.sa_head = Head(C)
            elif ver in (4, 5):
                self.sa_heads = MultiHeadAttention(H, C // H)
            if ver == 5:
                self.ffwd = FeedForward()
            if ver >= 6:
                self.blocks = nn.Sequential(*[Block() for _ in range(L)])
            if ver >= 9:
                self.ln_final = nn.LayerNorm(C)
            self.lm_head = nn.Linear(C, V)

        def forward(self, idx):
            B, T = idx.shape
            x = self.token_embedding_table(idx)
            if ver >= 2:
                x = x + self.position_embedding_table(torch.arange(T))
            if ver == 3:
                x = self.sa_head(x)
            elif ver in (4, 5):
                x = self.sa_heads(x)
            if ver == 5:
                x = self.ffwd(x)
            if ver >= 6:
                x = self.blocks(x)
            if ver >= 9:
                x = self.ln_final(x)
            return self.lm_head(x)

    return BabyGPT()


if a.counts:
    # The course's sizes (the defaults of engine/include/bg/model_versions.h) on the ci corpus:
    # vocabulary 6104, block 8, n_embed 32, 4 heads, 3 layers; v11 at its own: block 256,
    # n_embed 384, 6 heads, 6 layers.
    print(f"// PyTorch {torch.__version__}: parameters at the course's sizes, vocabulary 6104")
    for ver in range(1, 12):
        sizes = (6104, 256, 384, 6, 6, 0.2) if ver == 11 else (6104, 8, 32, 4, 3, 0.0)
        m = build(ver, *sizes)
        print(f"{{\"v{ver}\", {sum(p.numel() for p in m.parameters())}}},")
    sys.exit(0)


def write_golden(model, dropout, eval_mode):
    ver = int(model[1:])
    if dropout > 0 and not eval_mode:
        sys.exit("dropout > 0 needs --eval: the C++ engine draws its own dropout masks")
    torch.manual_seed(0)  # irrelevant: every parameter is overwritten below
    m = build(ver, 11, 4, 8, 2, 2, dropout)
    if eval_mode:
        m.eval()
    with torch.no_grad():
        for k, (_, p) in enumerate(m.named_parameters()):
            vals = [((7 * i + 5 * k + 3) % 17 - 8) / 16 for i in range(p.numel())]
            p.copy_(torch.tensor(vals, dtype=torch.float32).reshape(p.shape))

    x = torch.tensor([[1, 5, 10, 5], [0, 3, 3, 7]])
    y = torch.tensor([[5, 10, 5, 2], [3, 3, 7, 9]])
    logits = m(x)
    loss = F.cross_entropy(logits.view(-1, 11), y.view(-1))
    loss.backward()

    flags = [f"--model {model}"] + ([f"--dropout {dropout:g}"] if dropout else []) + \
        (["--eval"] if eval_mode else [])
    tensors = [("loss", loss.detach()), ("logits_1_2", logits[1, 2].detach())]
    tensors += [(f"grad.{name}", p.grad) for name, p in m.named_parameters()]
    golden_io.write(f"gpt_{model}", tensors, golden_io.command("gpt_golden.py", *flags))


write_golden(a.model, a.dropout, a.eval)
