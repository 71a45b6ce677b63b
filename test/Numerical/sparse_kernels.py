# The sparse convolution kernel (net-sparse, --sparse-kernels=always)
# against PyTorch with its weights pruned by the same rule: a network of
# convolutions in every shape the kernel handles (1x1 and 3x3/5x5, stride
# 2, dilation 2, padding, batchnorm folded, bias, residual add, relu,
# channel counts that are not a multiple of the vector width, maps that
# are not a multiple of the tile) and an fc layer, batch 1 and 3, -O2,
# S=0.7; each conv and the fc must have gone sparse (--emit=net-opt shows
# format = sparse). The 1x1 layers "q" (32 to 32, batchnorm, residual)
# and, on AVX2's 8 lanes, "b" and "p" (24 and 40 channels) run on the
# 13x11 map flattened to 143 pixels (the flat kernel: --emit=halide says
# so).
# Both the host target and --target=x86-64-avx2. --sparse-kernels=never on
# the same pruned weights (the dense kernels) must match too, and a bad
# mode is an error. Tolerance: max relative
# error 1e-4 against PyTorch in float64.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

import netcompare as nc
from pruning import prune_model

tmp = sys.argv[1]
chk = nc.Checker("sparse-kernels")
nc.seed(0)

NET = """
network sparse_shapes
input x: f32[N, 8, 13, 11]

a = conv(x, 24, kernel=3, pad=1, bias=false) as "a" |> batchnorm() as "a_bn" |> relu
b = conv(a, 40, kernel=1) as "b"
c = conv(b, 40, kernel=3, pad=2, dilation=2, bias=false) as "c"
d = relu(residual(c, b))
p = conv(d, 32, kernel=1) as "p" |> relu
q = conv(p, 32, kernel=1, bias=false) as "q" |> batchnorm() as "q_bn"
r = relu(residual(q, p))
e = conv(r, 17, kernel=1, stride=2) as "e" |> relu
f = conv(e, 32, kernel=5, pad=2, stride=2) as "f"
g = conv(f, 16, kernel=3, stride=2, pad=1) as "g" |> relu
output y = g
output z = flatten(g) |> fc(20) as "fc"
"""


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(8, 24, 3, padding=1, bias=False)
        self.a_bn = nn.BatchNorm2d(24)
        self.b = nn.Conv2d(24, 40, 1)
        self.c = nn.Conv2d(40, 40, 3, padding=2, dilation=2, bias=False)
        self.p = nn.Conv2d(40, 32, 1)
        self.q = nn.Conv2d(32, 32, 1, bias=False)
        self.q_bn = nn.BatchNorm2d(32)
        self.e = nn.Conv2d(32, 17, 1, stride=2)
        self.f = nn.Conv2d(17, 32, 5, padding=2, stride=2)
        self.g = nn.Conv2d(32, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(64, 20)

    def forward(self, x):
        a = torch.relu(self.a_bn(self.a(x)))
        b = self.b(a)
        d = torch.relu(self.c(b) + b)
        p = torch.relu(self.p(d))
        r = torch.relu(self.q_bn(self.q(p)) + p)
        e = torch.relu(self.e(r))
        g = torch.relu(self.g(self.f(e)))
        return g, self.fc(torch.flatten(g, 1))


S = 0.7
net = os.path.join(tmp, "sparse_shapes.net")
with open(net, "w") as f:
    f.write(NET)
model = nc.calibrate_batchnorm(nc.randomize_batchnorm(Model()),
                               nc.randn(4, 8, 13, 11))
w = nc.export_weights(model, os.path.join(tmp, "sparse_shapes.safetensors"))
prune_model(model, S)

ir = subprocess.run([nc.tool("netc"), net, "--weights", w,
                     f"--prune=magnitude:{S}", "--sparse-kernels=always",
                     "--emit=net-opt"], capture_output=True, text=True)
sparse = ir.stdout.count("#net.kernel<format = sparse")
chk.check_true("every conv and fc sparse", ir.returncode == 0 and sparse == 9,
               f"{sparse} of 8 convs and 1 fc sparse (exit {ir.returncode}): "
               f"{ir.stderr[-300:]}")
# Which layers take the flat kernel: q on both targets, b and p (channel
# counts multiples of 8, not 16) on AVX2 too.
for target, want in (("host", {"q"}), ("x86-64-avx2", {"b", "p", "q"})):
    hl = subprocess.run([nc.tool("netc"), net, "--weights", w,
                         f"--prune=magnitude:{S}", "--sparse-kernels=always",
                         f"--target={target}", "--emit=halide"],
                        capture_output=True, text=True)
    flat = {line.split(":")[0].rsplit("_", 1)[0]
            for line in hl.stdout.splitlines() if ": flat sparse conv" in line}
    chk.check_true(f"flat kernels {target}", flat == want,
                   f"flat: {sorted(flat)}, want {sorted(want)}")

# The host (AVX-512 where present: 16 lanes) and AVX2 (8 lanes: other
# tiles and channel blocks).
for mode, target in (("always", "host"), ("always", "x86-64-avx2"),
                     ("never", "host")):
    label = f"{mode} {target}"
    so = os.path.join(tmp, f"{mode}-{target}", "libsparse_shapes.so")
    try:
        nc.compile_net(net, so, w, ["-O2", f"--prune=magnitude:{S}",
                                    f"--sparse-kernels={mode}",
                                    f"--target={target}"])
    except nc.ToolError as e:
        chk.fail(f"compile {label}", str(e))
        continue
    for n in (1, 3):
        x = nc.randn(n, 8, 13, 11)
        y, z = nc.torch_eval(model, x)
        want = {"y": y, "z": z}
        got = nc.run_so(so, {"x": x}, os.path.join(tmp, f"{mode}-{target}",
                                                    f"out{n}"))
        chk.compare_outputs(f"{label} batch {n}", got, want)

bad = subprocess.run([nc.tool("netc"), net, "--weights", w,
                      "--sparse-kernels=sometimes", "-o",
                      os.path.join(tmp, "bad", "lib.so")],
                     capture_output=True, text=True)
chk.check_true("bad mode", bad.returncode == 1 and
               "--sparse-kernels must be auto, always or never" in bad.stderr
               and not os.path.exists(os.path.join(tmp, "bad")),
               f"exit {bad.returncode}: {bad.stderr[-200:]}")
chk.finish()
