#!/usr/bin/env python3
# Lesson 08 benchmark, PyTorch side: the list of heads and the fused heads split with
# reshape and transpose (heads_bench.cpp's "copies" form; here they are views), timed the
# same way as heads_bench.cpp, so that the two tables can be read side by side.
#
# Both modules hold the same weights (the fused key/query/value matrices are the heads'
# matrices stacked, head h in rows h*hs ... (h+1)*hs - 1). For each configuration the script
# times the forward pass alone (under torch.no_grad) and a training step (the gradient of
# sum(out * w) for a fixed w): two warm-up runs of each, then the variants take turns, and
# it prints the medians. "speedup" is list time / fused time for the training step.
#
#   /usr/bin/python3 lessons/08_multi_head_attention/heads_bench_torch.py --threads 1
#
# It needs PyTorch (Debian: apt-get install python3-torch); nothing in the build uses it.
import argparse
import statistics
import time

import torch
import torch.nn as nn
from torch.nn import functional as F


class Head(nn.Module):
    def __init__(self, n_embed, head_size, block_size):
        super().__init__()
        self.key = nn.Linear(n_embed, head_size, bias=False)
        self.query = nn.Linear(n_embed, head_size, bias=False)
        self.value = nn.Linear(n_embed, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        T = x.shape[1]
        k, q, v = self.key(x), self.query(x), self.value(x)  # (B, T, hs) each
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5  # (B, T, T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        return F.softmax(wei, dim=-1) @ v  # (B, T, hs)


class ListOfHeads(nn.Module):
    def __init__(self, n_embed, n_head, block_size):
        super().__init__()
        self.heads = nn.ModuleList(
            [Head(n_embed, n_embed // n_head, block_size) for _ in range(n_head)]
        )

    def forward(self, x):
        return torch.cat([h(x) for h in self.heads], dim=-1)  # (B, T, C)


class FusedHeads(nn.Module):
    def __init__(self, n_embed, n_head, block_size):
        super().__init__()
        self.n_head = n_head
        self.key = nn.Linear(n_embed, n_embed, bias=False)
        self.query = nn.Linear(n_embed, n_embed, bias=False)
        self.value = nn.Linear(n_embed, n_embed, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

    def load_from(self, heads):
        with torch.no_grad():
            for role in ("key", "query", "value"):
                stacked = torch.cat([getattr(h, role).weight for h in heads.heads], dim=0)
                getattr(self, role).weight.copy_(stacked)

    def forward(self, x):
        B, T, C = x.shape
        nh, hs = self.n_head, C // self.n_head

        def split(t):  # (B, T, C) -> (B, nh, T, hs): a view in PyTorch, no copy
            return t.view(B, T, nh, hs).transpose(1, 2)

        k, q, v = split(self.key(x)), split(self.query(x)), split(self.value(x))
        wei = q @ k.transpose(-2, -1) * hs**-0.5  # (B, nh, T, T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        out = F.softmax(wei, dim=-1) @ v  # (B, nh, T, hs)
        return out.transpose(1, 2).reshape(B, T, C)  # (B, T, C)


def medians_ms(steps, reps):
    for step in steps:
        step()
        step()
    times = [[] for _ in steps]
    for _ in range(reps):
        for i, step in enumerate(steps):
            t0 = time.perf_counter()
            step()
            times[i].append((time.perf_counter() - t0) * 1e3)
    return [statistics.median(t) for t in times]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=21)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    configs = [
        (32, 8, 32, 4, "course (v4 default)"),
        (32, 64, 128, 4, "bigger"),
        (16, 256, 256, 8, "long context"),
    ]
    print(f"PyTorch {torch.__version__}, median of {args.reps} runs, in ms; "
          f"{torch.get_num_threads()} thread(s)")
    print(f"{'config':20s} {'B':>4s} {'T':>4s} {'C':>4s} {'nh':>3s} | {'fwd list':>9s} "
          f"{'fwd fused':>9s} | {'f+b list':>9s} {'f+b fused':>9s} {'speedup':>7s} | max |diff|")
    for B, T, C, nh, label in configs:
        torch.manual_seed(1)
        heads = ListOfHeads(C, nh, T)
        fused = FusedHeads(C, nh, T)
        fused.load_from(heads)
        x = torch.randn(B, T, C, requires_grad=True)
        w = torch.randn(B, T, C)
        with torch.no_grad():
            diff = (heads(x) - fused(x)).abs().max().item()

        def forward(module):
            def run():
                with torch.no_grad():
                    module(x)
            return run

        def train_step(module):
            def run():
                module.zero_grad(set_to_none=True)
                x.grad = None
                (module(x) * w).sum().backward()
            return run

        f_list, f_fused = medians_ms([forward(heads), forward(fused)], args.reps)
        t_list, t_fused = medians_ms([train_step(heads), train_step(fused)], args.reps)
        print(f"{label:20s} {B:4d} {T:4d} {C:4d} {nh:3d} | {f_list:9.3f} {f_fused:9.3f} | "
              f"{t_list:9.3f} {t_fused:9.3f} {t_list / t_fused:6.2f}x | {diff:.2g}")


if __name__ == "__main__":
    main()
