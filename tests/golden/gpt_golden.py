#!/usr/bin/env python3
# Golden values of the tiny BabyGPT models for the C++ tests (tests/support/golden_model.h):
# one file per version, tests/golden/data/gpt_<version>.safetensors.
#
#   /usr/bin/python3 tests/golden/gpt_golden.py --model v5     # writes gpt_v5.safetensors
#   /usr/bin/python3 tests/golden/gpt_golden.py --model v10 --dropout 0.2 --eval
#   /usr/bin/python3 tests/golden/gpt_golden.py --model v9 --n-kv-head 1  # gpt_v9_kv1
#   /usr/bin/python3 tests/golden/gpt_golden.py --grouped-attention  # grouped_attention
#   /usr/bin/python3 tests/golden/gpt_golden.py --all          # every file the tests read
#   /usr/bin/python3 tests/golden/gpt_golden.py --counts       # parameter counts, course sizes
#   /usr/bin/python3 tests/golden/gpt_golden.py --check-checkpoint runs/v9/model.safetensors
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
# Grouped-query attention (lesson 14, engine/include/bg/grouped_attention.h): --n-kv-head K
# (v8+, K dividing the 2 heads) gives every block's sa K key/value heads; the file is
# gpt_<version>_kv<K>.safetensors. The module alone: --grouped-attention writes
# grouped_attention.safetensors, the sa of a v9 block at n_embed 8, 4 heads, 2 key/value heads
# (so query heads 0, 1 read key/value head 0 and heads 2, 3 head 1), block 4: its parameters
# filled as the model's are (k counting sa's own named_parameters(): key, query, value,
# proj.weight, proj.bias), x (2, 4, 8) with element i = ((5 i + 2) mod 13 - 6) / 8, and
# loss = (out * w).sum() with w (2, 4, 8), element i = ((3 i + 1) mod 7 - 3) / 4. It holds
#   out                  sa(x), shape [2, 4, 8]
#   wei                  the attention weights after the softmax, shape [2, 4, 4, 4]
#   x.grad, grad.<name>  d loss / d x, d loss / d parameter (sa's named_parameters() order)
#
# --check-checkpoint FILE reads a checkpoint of the babygpt program (its config from the
# metadata: model, vocab_size, block_size, n_embed, n_head, n_kv_head (absent: n_head),
# n_layer, dropout, vocab), builds the twin at those sizes, loads every tensor with
# load_state_dict(strict=True) and prints the loss (eval mode) on one fixed window of
# block_size tokens: token i of the block_size + 1 tokens is (7 i + 1) mod vocab_size. With
# --text-out PATH it also writes those tokens' characters (UTF-8), so that
#   babygpt eval --checkpoint FILE --data PATH --split all
# prints the same loss from the C++ engine (to the 4 decimals it shows).
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
ap.add_argument("--n-kv-head", type=int, default=0,
                help="key/value heads of every block's attention (v8+; must divide the heads)")
ap.add_argument("--grouped-attention", action="store_true",
                help="write grouped_attention.safetensors (the grouped-query attention module)")
ap.add_argument("--check-checkpoint", metavar="FILE",
                help="load a babygpt checkpoint into the twin and print its loss on a fixed window")
ap.add_argument("--text-out", metavar="PATH",
                help="with --check-checkpoint: write the window's text, for babygpt eval")
ap.add_argument("--all", action="store_true", help="write every file the C++ tests read")
ap.add_argument("--counts", action="store_true",
                help="print each version's parameter count at the course's sizes and exit")
a = ap.parse_args()

# What the C++ tests read: the flags of each file. v10's test runs the numbers with dropout off
# and with dropout 0.2 in eval mode; they are the same numbers (and v9's).
# Lesson 14's grouped-query attention: v8 and v9 with one key/value head for both heads, and
# the module alone.
ALL = [["--model", f"v{i}"] for i in range(1, 10)] + \
    [["--model", "v10", "--dropout", "0.2", "--eval"]] + \
    [["--model", "v8", "--n-kv-head", "1"], ["--model", "v9", "--n-kv-head", "1"],
     ["--grouped-attention"]]
if a.all:
    golden_io.run_each(ALL)
    sys.exit(0)
if a.n_kv_head and (int(a.model[1:]) < 8 or a.n_kv_head < 0 or 2 % a.n_kv_head != 0):
    sys.exit(f"--n-kv-head {a.n_kv_head}: grouped-query attention needs v8+ and a number of "
             f"key/value heads dividing the tiny model's 2 heads (--model {a.model})")
if a.text_out and not a.check_checkpoint:
    sys.exit("--text-out goes with --check-checkpoint")
# v1-v4 keep the numbers their tests first had, made with OpenBLAS's SkylakeX kernels; v5 on
# with its Haswell ones (see golden_io.py). --counts is plain integers: any kernels will do.
# The new files (grouped-query attention) are made with the Haswell ones too, and
# --check-checkpoint needs no particular kernels.
golden_io.use_kernels("SkylakeX" if a.model in ("v1", "v2", "v3", "v4") and not a.counts and
                      not a.grouped_attention and not a.check_checkpoint else "Haswell")

import math  # noqa: E402  (torch is imported after the kernels are chosen)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402


def build(ver, V, T_, C, H, L, P, KV=0):
    """BabyGPT version `ver` with vocabulary V, block T_, n_embed C, H heads, L layers, dropout
    P; KV key/value heads (0: H) in each block's attention (v8+)."""

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

    class GroupedQueryAttention(nn.Module):
        """Lesson 14: nh query heads sharing kv key/value heads, query head h reading key/value
        head h // (nh // kv) (LLaMA's repeat_kv); kv = nh is MultiHeadAttention with W^O."""

        def __init__(self, nh, kv):
            super().__init__()
            self.nh, self.kv, self.hs = nh, kv, C // nh
            self.key = nn.Linear(C, kv * self.hs, bias=False)
            self.query = nn.Linear(C, C, bias=False)
            self.value = nn.Linear(C, kv * self.hs, bias=False)
            self.attn_drop = nn.Dropout(P)
            self.proj = nn.Linear(C, C)
            self.drop = nn.Dropout(P)

        def forward(self, x):
            B, T, _ = x.shape
            nh, kv, hs = self.nh, self.kv, self.hs
            q = self.query(x).view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
            k = self.key(x).view(B, T, kv, hs).transpose(1, 2)    # (B, kv, T, hs)
            v = self.value(x).view(B, T, kv, hs).transpose(1, 2)
            k = k.repeat_interleave(nh // kv, dim=1)              # (B, nh, T, hs)
            v = v.repeat_interleave(nh // kv, dim=1)
            w = q @ k.transpose(-2, -1) / math.sqrt(hs)
            w = w.masked_fill(torch.ones(T, T).tril() == 0, float("-inf"))
            w = F.softmax(w, dim=-1)
            self.wei = w.detach()  # (B, nh, T, T), for --grouped-attention
            out = (self.attn_drop(w) @ v).transpose(1, 2).reshape(B, T, C)
            return self.drop(self.proj(out))

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
            if KV and KV != H:
                self.sa = GroupedQueryAttention(H, KV)
            else:
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


def fill_parameters(m):
    """Element i of the k-th parameter (named_parameters() order): ((7i + 5k + 3) % 17 - 8) / 16."""
    with torch.no_grad():
        for k, (_, p) in enumerate(m.named_parameters()):
            vals = [((7 * i + 5 * k + 3) % 17 - 8) / 16 for i in range(p.numel())]
            p.copy_(torch.tensor(vals, dtype=torch.float32).reshape(p.shape))


def write_golden(model, dropout, eval_mode, n_kv_head):
    ver = int(model[1:])
    if dropout > 0 and not eval_mode:
        sys.exit("dropout > 0 needs --eval: the C++ engine draws its own dropout masks")
    torch.manual_seed(0)  # irrelevant: every parameter is overwritten below
    m = build(ver, 11, 4, 8, 2, 2, dropout, n_kv_head)
    if eval_mode:
        m.eval()
    fill_parameters(m)

    x = torch.tensor([[1, 5, 10, 5], [0, 3, 3, 7]])
    y = torch.tensor([[5, 10, 5, 2], [3, 3, 7, 9]])
    logits = m(x)
    loss = F.cross_entropy(logits.view(-1, 11), y.view(-1))
    loss.backward()

    flags = [f"--model {model}"] + ([f"--dropout {dropout:g}"] if dropout else []) + \
        (["--eval"] if eval_mode else []) + ([f"--n-kv-head {n_kv_head}"] if n_kv_head else [])
    tensors = [("loss", loss.detach()), ("logits_1_2", logits[1, 2].detach())]
    tensors += [(f"grad.{name}", p.grad) for name, p in m.named_parameters()]
    name = f"gpt_{model}" + (f"_kv{n_kv_head}" if n_kv_head else "")
    golden_io.write(name, tensors, golden_io.command("gpt_golden.py", *flags))


def write_grouped_attention():
    torch.manual_seed(0)  # irrelevant: every parameter is overwritten below
    sa = build(9, 11, 4, 8, 4, 1, 0.0, 2).blocks[0].sa  # 4 query heads, 2 key/value heads
    fill_parameters(sa)
    x = torch.tensor([((5 * i + 2) % 13 - 6) / 8 for i in range(2 * 4 * 8)]).reshape(2, 4, 8)
    x.requires_grad_()
    w = torch.tensor([((3 * i + 1) % 7 - 3) / 4 for i in range(2 * 4 * 8)]).reshape(2, 4, 8)
    out = sa(x)
    (out * w).sum().backward()
    tensors = [("out", out.detach()), ("wei", sa.wei), ("x.grad", x.grad)]
    tensors += [(f"grad.{name}", p.grad) for name, p in sa.named_parameters()]
    golden_io.write("grouped_attention", tensors,
                    golden_io.command("gpt_golden.py", "--grouped-attention"))


def read_checkpoint(path):
    """The metadata and the tensors of a safetensors file (F32 only, as babygpt writes)."""
    import json
    import struct

    with open(path, "rb") as f:
        blob = f.read()
    try:
        n = struct.unpack("<Q", blob[:8])[0]
        header = json.loads(blob[8:8 + n])
    except (struct.error, UnicodeDecodeError, ValueError):
        sys.exit(f"{path}: not a safetensors file")
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {e['dtype']}, not F32")
        begin, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = t.reshape(e["shape"])
    return meta, tensors


def check_checkpoint(path, text_out):
    meta, state = read_checkpoint(path)
    try:
        ver = int(meta["model"][1:])
        V, T_, C, H = (int(meta[k]) for k in ("vocab_size", "block_size", "n_embed", "n_head"))
        L = int(meta.get("n_layer", 1))
        KV = int(meta.get("n_kv_head", H))
        P = float(meta.get("dropout", 0.0))
    except KeyError as e:
        sys.exit(f"{path}: not a babygpt checkpoint: the metadata has no {e}")
    m = build(ver, V, T_, C, H, L, P, KV)
    try:
        m.load_state_dict(state, strict=True)  # every name and shape, nothing missing or extra
    except RuntimeError as e:
        sys.exit(f"{path} does not load into the PyTorch {meta['model']}: {e}")
    m.eval()
    ids = [(7 * i + 1) % V for i in range(T_ + 1)]
    x, y = torch.tensor([ids[:-1]]), torch.tensor([ids[1:]])
    with torch.no_grad():
        loss = F.cross_entropy(m(x).view(-1, V), y.view(-1))
    print(f"{path}: {meta['model']}, vocab_size {V}, block_size {T_}, n_embed {C}, n_head {H}, "
          f"n_kv_head {KV}, n_layer {L}, dropout {P:g}: {len(state)} tensors, "
          f"{sum(t.numel() for t in state.values())} values, loaded with strict=True")
    print(f"loss on {T_} tokens (token i = (7 i + 1) mod {V}): {loss.item():.6f}")
    if text_out:
        vocab = meta.get("vocab")
        if vocab is None or len(vocab) != V:
            sys.exit(f"{path}: the metadata's vocab does not hold {V} characters")
        with open(text_out, "w", encoding="utf-8", newline="") as f:
            f.write("".join(vocab[i] for i in ids))
        print(f"wrote {text_out}: babygpt eval --checkpoint {path} --data {text_out} --split all "
              f"prints this loss")


if a.check_checkpoint:
    check_checkpoint(a.check_checkpoint, a.text_out)
elif a.grouped_attention:
    write_grouped_attention()
else:
    write_golden(a.model, a.dropout, a.eval, a.n_kv_head)
