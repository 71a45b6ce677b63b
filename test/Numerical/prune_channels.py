# netc --prune=channels:S against PyTorch with the same channels removed,
# computed here by tools.md's rule ("Compression") for a network with every
# coupling the pass handles: a residual add (its two convolutions and their
# batchnorms are one space), a depthwise convolution on the residual (its
# channels go with it, its filter norms count), two convolutions
# concatenated (each its own space; the consumer's input channels sliced
# across the concat), a strided 3x3 and an fc layer after a flatten (its
# input features sliced per channel). Each space of n channel groups loses
# floor(S * n), the smallest sum of filter L1 norms first, ties by the
# lower index. S = 0.25 and 0.5, batch 1 and 3, -O2 and -O0; 1e-4 against
# PyTorch in float64. Also: the pruned FLOPs (--emit=flops), the zoo
# (resnet50, mobilenet_v2, googlenet at S=0.5) compiling and keeping the
# output's shape, resnet50's FLOPs cut at least 2.5x, and the errors.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import math
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

import netcompare as nc

tmp, examples = sys.argv[1], sys.argv[2]
chk = nc.Checker("prune-channels")
nc.seed(0)

NET = """
network coupled
input x: f32[N, 3, 12, 12]

a = conv(x, 16, kernel=3, pad=1, bias=false) as "a" |> batchnorm() as "a_bn" |> relu
b = conv(a, 16, kernel=3, pad=1, bias=false) as "b" |> batchnorm() as "b_bn"
r = relu(residual(b, a))
d = dwconv(r, kernel=3, pad=1, bias=false) as "d" |> batchnorm() as "d_bn" |> relu
e = conv(d, 24, kernel=1) as "e" |> relu
f = conv(d, 8, kernel=1) as "f" |> relu
g = conv(concat(e, f), 12, kernel=3, stride=2) as "g" |> relu
output y = flatten(g) |> fc(10) as "fc"
"""


class Model(nn.Module):
    def __init__(self, c=16, ce=24, cf=8, cg=12):
        super().__init__()
        self.a = nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.a_bn = nn.BatchNorm2d(c)
        self.b = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.b_bn = nn.BatchNorm2d(c)
        self.d = nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False)
        self.d_bn = nn.BatchNorm2d(c)
        self.e = nn.Conv2d(c, ce, 1)
        self.f = nn.Conv2d(c, cf, 1)
        self.g = nn.Conv2d(ce + cf, cg, 3, stride=2)
        self.fc = nn.Linear(cg * 5 * 5, 10)

    def forward(self, x):
        a = torch.relu(self.a_bn(self.a(x)))
        r = torch.relu(self.b_bn(self.b(a)) + a)
        d = torch.relu(self.d_bn(self.d(r)))
        e, f = torch.relu(self.e(d)), torch.relu(self.f(d))
        g = torch.relu(self.g(torch.cat([e, f], 1)))
        return self.fc(torch.flatten(g, 1))


def l1(conv):
    return conv.weight.detach().double().abs().flatten(1).sum(1).numpy()


def keep(score, s):
    """The indices kept: floor(s * n) removed, smallest score first, ties
    by the lower index."""
    n = len(score)
    order = sorted(range(n), key=lambda i: (score[i], i))
    gone = set(order[:int(math.floor(s * n))])
    return [i for i in range(n) if i not in gone]


def pruned(m, s):
    """A new Model with tools.md's channels removed from `m`."""
    kr = keep(l1(m.a) + l1(m.b) + l1(m.d), s)   # the residual space
    ke, kf, kg = keep(l1(m.e), s), keep(l1(m.f), s), keep(l1(m.g), s)
    p = Model(len(kr), len(ke), len(kf), len(kg)).eval()
    cat = ke + [len(m.e.weight) + k for k in kf]
    cols = [k * 25 + i for k in kg for i in range(25)]
    with torch.no_grad():
        p.a.weight.copy_(m.a.weight[kr])
        p.b.weight.copy_(m.b.weight[kr][:, kr])
        p.d.weight.copy_(m.d.weight[kr])
        for bn, src in ((p.a_bn, m.a_bn), (p.b_bn, m.b_bn), (p.d_bn, m.d_bn)):
            for t in ("weight", "bias", "running_mean", "running_var"):
                getattr(bn, t).copy_(getattr(src, t)[kr])
        p.e.weight.copy_(m.e.weight[ke][:, kr])
        p.e.bias.copy_(m.e.bias[ke])
        p.f.weight.copy_(m.f.weight[kf][:, kr])
        p.f.bias.copy_(m.f.bias[kf])
        p.g.weight.copy_(m.g.weight[kg][:, cat])
        p.g.bias.copy_(m.g.bias[kg])
        p.fc.weight.copy_(m.fc.weight[:, cols])
        p.fc.bias.copy_(m.fc.bias)
    return p


net = os.path.join(tmp, "coupled.net")
with open(net, "w") as fh:
    fh.write(NET)
model = nc.calibrate_batchnorm(nc.randomize_batchnorm(Model()),
                               nc.randn(4, 3, 12, 12))
w = nc.export_weights(model, os.path.join(tmp, "coupled.safetensors"))

for s in (0.25, 0.5):
    ref = pruned(model, s)
    for opt in ("-O2", "-O0"):
        so = os.path.join(tmp, f"s{s}{opt}", "libcoupled.so")
        try:
            nc.compile_net(net, so, w, [opt, f"--prune=channels:{s}"])
        except nc.ToolError as e:
            chk.fail(f"compile S={s} {opt}", str(e))
            continue
        for n in (1, 3):
            x = nc.randn(n, 3, 12, 12)
            got = nc.run_so(so, {"x": x}, os.path.join(tmp, f"s{s}{opt}", f"o{n}"))
            chk.compare_outputs(f"S={s} {opt} batch {n}", got,
                                {"y": nc.torch_eval(ref, x)})


def flops(path, *flags):
    p = subprocess.run([nc.tool("netc"), path, "--emit=flops"] + list(flags),
                       capture_output=True, text=True)
    return p


# The pruned count is PyTorch's sliced model's (convs, fc).
def macs(m):
    total, hw = 0, {"a": 144, "b": 144, "d": 144, "e": 144, "f": 144, "g": 25}
    for name, k in hw.items():
        c = getattr(m, name)
        total += c.weight.numel() * k
    return total + m.fc.weight.numel()


p = flops(net, "--weights", w, "--prune=channels:0.5")
want = macs(pruned(model, 0.5))
chk.check_true("flops after pruning", p.returncode == 0 and
               f"macs {macs(model)} -> {want}" in p.stdout,
               f"want macs {macs(model)} -> {want}: {p.stdout[-300:]}{p.stderr[-300:]}")

# The zoo at S=0.5: compiles, runs, keeps the output's shape; resnet50's
# FLOPs fall at least 2.5x.
for name in ("resnet50", "mobilenet_v2", "googlenet"):
    path = os.path.join(examples, name + ".net")
    so = os.path.join(tmp, name, f"lib{name}.so")
    try:
        nc.compile_net(path, so, None, ["-O2", "--prune=channels:0.5"])
        got = nc.run_so(so, {"x": nc.randn(1, 3, 224, 224)},
                        os.path.join(tmp, name, "out"))
        y = got["logits"]
        chk.check_true(f"{name} runs", y.shape == (1, 1000) and
                       np.isfinite(y).all(), f"logits {y.shape}")
    except nc.ToolError as e:
        chk.fail(f"{name} S=0.5", str(e))
p = flops(os.path.join(examples, "resnet50.net"), "--prune=channels:0.5")
ratio = None
for line in p.stdout.splitlines():
    if line.startswith("pruned:"):
        ratio = float(line.split("(")[1].split("x")[0])
chk.check_true("resnet50 flops at S=0.5", ratio is not None and ratio >= 2.5,
               f"{ratio}x fewer: {p.stdout[-200:]}{p.stderr[-200:]}")
print(f"resnet50 --prune=channels:0.5: {ratio}x fewer FLOPs")

# Errors: exit 1, a message, no output.
for flag, msg in (("--prune=channels:1", "--prune=channels:S needs S in [0, 1)"),
                  ("--prune=channels:-1", "--prune=channels:S needs S in [0, 1)")):
    out = os.path.join(tmp, "bad", "lib.so")
    p = subprocess.run([nc.tool("netc"), net, "--weights", w, flag, "-o", out],
                       capture_output=True, text=True)
    chk.check_true(f"error {flag}", p.returncode == 1 and msg in p.stderr and
                   not os.path.exists(out), f"exit {p.returncode}: {p.stderr}")
chk.finish()
