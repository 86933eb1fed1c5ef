#!/usr/bin/env python3
# Golden values of lessons 04 and 05's unit tests: one file per case,
# tests/golden/data/<case>.safetensors.
#
#   /usr/bin/python3 tests/golden/ops_golden.py linear         # lesson 04, LinearLayer
#   /usr/bin/python3 tests/golden/ops_golden.py sgd            # lesson 04, SGD
#   /usr/bin/python3 tests/golden/ops_golden.py log_softmax    # lesson 05, LogSoftmax
#   /usr/bin/python3 tests/golden/ops_golden.py cross_entropy  # lesson 05, CrossEntropy
#   /usr/bin/python3 tests/golden/ops_golden.py adamw          # lesson 05, AdamW
#   /usr/bin/python3 tests/golden/ops_golden.py --all          # all five
# tests/golden/make_all.sh regenerates every golden file of every script (tests/golden/README.md).
#
# Run with PyTorch 1.13 (Debian's python3-torch, torch.__version__ 1.13.0a0), CPU, float32.
#   linear         x = [((i % 7) - 3) * 0.25 for i in range(16)] as (2, 2, 4),
#                  W = [(((i * 3) % 5) - 2) * 0.3 for i in range(12)] as (3, 4), b = [0.1, -0.2, 0.3];
#                  y = F.linear(x, W, b); y.backward(G), G = [((i % 5) - 2) * 0.5 for i in range(12)]
#                  as (2, 2, 3). The file: y, y_no_bias (F.linear(x as (4, 4), W)), x.grad,
#                  grad.weight, grad.bias.
#   sgd            p1 = [[0.5, -1.0, 2.0], [1.5, -0.25, 0.75]], w1 = [[1.0, 0.5, 2.0],
#                  [0.25, 1.5, 0.8]], p2 = [-0.6, 0.3, 1.2], w2 = [0.7, 1.1, 0.4], q = [0.9, -1.3],
#                  wq = [0.6, 1.2], r = [2.0, -3.0] (never has a gradient);
#                  opt = torch.optim.SGD([p1, p2, q, r], lr, momentum, weight_decay), then 5 times:
#                    opt.zero_grad(); loss = (p1 * p1 * w1).sum() + (p2 * p2 * w2).sum()
#                    (+ (q * q * wq).sum() from step 2 on); loss.backward(); opt.step()
#                  The file: <run>.p1, <run>.p2, <run>.q for the runs plain (lr 0.1),
#                  momentum (lr 0.1, momentum 0.9), weight_decay (lr 0.05, weight decay 0.1) and
#                  momentum_weight_decay (lr 0.1, momentum 0.9, weight decay 0.01).
#   log_softmax    logits = [((7 i + 3) mod 13 - 6) / 4 for i in range(15)] as (3, 5);
#                  y = torch.log_softmax(logits, 0)
#   cross_entropy  the same logits; loss = F.cross_entropy(logits, [4, 0, 2]); loss.backward().
#                  The file: loss, grad.logits.
#   adamw          p = [(i - 2) / 4 for i in range(5)], g = [((3 i) mod 5 - 2) / 8 for i in range(5)]
#                  (the last one is 0); opt = torch.optim.AdamW([p], lr, betas, eps, weight_decay);
#                  5 times: p.grad = g.clone(); opt.step(). The file: <run>.step1 and <run>.step5
#                  (p after steps 1 and 5) for the runs defaults (lr 1e-3, betas (0.9, 0.999),
#                  eps 1e-8, weight decay 0.01) and other (lr 0.1, betas (0.8, 0.99), eps 1e-6,
#                  weight decay 0.1).
import sys

import golden_io

CASES = ["linear", "sgd", "log_softmax", "cross_entropy", "adamw"]
what = sys.argv[1] if len(sys.argv) > 1 else ""
if what == "--all":
    golden_io.run_each([[case] for case in CASES])
    sys.exit(0)
if what not in CASES:
    sys.exit("usage: ops_golden.py linear | sgd | log_softmax | cross_entropy | adamw | --all")
golden_io.use_kernels("Haswell")

import torch  # noqa: E402  (torch is imported after the kernels are chosen)
from torch.nn import functional as F  # noqa: E402


def t(values, shape=None):
    x = torch.tensor(values, dtype=torch.float32)
    return x.reshape(shape) if shape else x


tensors = []
if what == "linear":
    x = t([((i % 7) - 3) * 0.25 for i in range(16)], (2, 2, 4)).requires_grad_()
    W = t([(((i * 3) % 5) - 2) * 0.3 for i in range(12)], (3, 4)).requires_grad_()
    b = t([0.1, -0.2, 0.3]).requires_grad_()
    y = F.linear(x, W, b)
    y_no_bias = F.linear(x.detach().reshape(4, 4), W.detach())
    y.backward(t([((i % 5) - 2) * 0.5 for i in range(12)], (2, 2, 3)))
    tensors = [("y", y), ("y_no_bias", y_no_bias), ("x.grad", x.grad), ("grad.weight", W.grad),
               ("grad.bias", b.grad)]
elif what == "sgd":
    runs = {"plain": (0.1, 0.0, 0.0), "momentum": (0.1, 0.9, 0.0),
            "weight_decay": (0.05, 0.0, 0.1), "momentum_weight_decay": (0.1, 0.9, 0.01)}
    for run, (lr, momentum, weight_decay) in runs.items():
        p1 = t([[0.5, -1.0, 2.0], [1.5, -0.25, 0.75]]).requires_grad_()
        w1 = t([[1.0, 0.5, 2.0], [0.25, 1.5, 0.8]])
        p2 = t([-0.6, 0.3, 1.2]).requires_grad_()
        w2 = t([0.7, 1.1, 0.4])
        q = t([0.9, -1.3]).requires_grad_()
        wq = t([0.6, 1.2])
        r = t([2.0, -3.0]).requires_grad_()
        opt = torch.optim.SGD([p1, p2, q, r], lr=lr, momentum=momentum, weight_decay=weight_decay)
        for step in range(5):
            opt.zero_grad()
            loss = (p1 * p1 * w1).sum() + (p2 * p2 * w2).sum()
            if step >= 1:
                loss = loss + (q * q * wq).sum()
            loss.backward()
            opt.step()
        tensors += [(f"{run}.p1", p1), (f"{run}.p2", p2), (f"{run}.q", q)]
elif what == "adamw":
    runs = {"defaults": (1e-3, (0.9, 0.999), 1e-8, 0.01), "other": (0.1, (0.8, 0.99), 1e-6, 0.1)}
    for run, (lr, betas, eps, weight_decay) in runs.items():
        p = t([(i - 2) / 4 for i in range(5)]).requires_grad_()
        g = t([((3 * i) % 5 - 2) / 8 for i in range(5)])
        opt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        for step in range(1, 6):
            p.grad = g.clone()
            opt.step()
            if step in (1, 5):
                tensors.append((f"{run}.step{step}", p.detach().clone()))
else:
    logits = t([((7 * i + 3) % 13 - 6) / 4 for i in range(15)], (3, 5)).requires_grad_()
    if what == "log_softmax":
        tensors = [("y", torch.log_softmax(logits, 0))]
    else:
        loss = F.cross_entropy(logits, torch.tensor([4, 0, 2]))
        loss.backward()
        tensors = [("loss", loss), ("grad.logits", logits.grad)]
golden_io.write(what, tensors, golden_io.command("ops_golden.py", what))
