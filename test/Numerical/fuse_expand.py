# A 1x1 expansion computed inside the depthwise convolution after it, and
# a depthwise convolution inside the 1x1 projection after it
# (net-fuse-expand), against PyTorch: expanded tensors of 4-5 MB per image
# (larger than any L2 these machines have, so every pair fuses, which
# --emit=halide must show: "sliding within its tasks") in every shape the
# schedule meets: 3x3 stride 1 and stride 2 on odd maps (91 rows: tasks of
# 11 and 5 rows, the last one short), 5x5 with padding 2, 3x3 with
# dilation 2, an expansion with a residual add and one with batchnorm
# folded, relu6 and none; batch 1 and 3, -O2, on the host and
# --target=x86-64-avx2 (16 and 8 lanes: other register tiles), plus -O0
# (nothing fused) on the same weights. Tolerance: max relative error 1e-4 against PyTorch in
# float64.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import os
import subprocess
import sys

import torch
import torch.nn as nn

import netcompare as nc

tmp = sys.argv[1]
chk = nc.Checker("fuse-expand")
nc.seed(0)

NET = """
network fuse_expand
input x: f32[N, 16, 91, 91]

e1 = conv(x, 128, kernel=1, bias=false) as "e1" |> batchnorm() as "e1_bn" |> relu6
d1 = conv(e1, 128, kernel=3, pad=1, groups=128) as "d1" |> relu6
p1 = conv(d1, 16, kernel=1) as "p1"
e2 = conv(p1, 16, kernel=1) as "e2"
r2 = relu(residual(e2, p1))
e3 = conv(r2, 144, kernel=1) as "e3" |> relu
d3 = conv(e3, 144, kernel=3, stride=2, pad=1, groups=144, bias=false) as "d3"
e4 = conv(x, 136, kernel=1) as "e4"
d4 = conv(e4, 136, kernel=5, pad=2, groups=136) as "d4" |> relu6
e5 = conv(x, 128, kernel=1) as "e5" |> relu
d5 = conv(e5, 128, kernel=3, pad=2, dilation=2, groups=128) as "d5"
f0 = conv(x, 128, kernel=1) as "f0"
f1 = conv(f0, 128, kernel=1) as "f1"
d6 = conv(relu(residual(f1, f0)), 128, kernel=3, pad=1, groups=128) as "d6"
output y3 = d3
output y4 = conv(d4, 8, kernel=1) as "p4"
output y5 = d5
output y6 = d6
"""


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.e1 = nn.Conv2d(16, 128, 1, bias=False)
        self.e1_bn = nn.BatchNorm2d(128)
        self.d1 = nn.Conv2d(128, 128, 3, padding=1, groups=128)
        self.p1 = nn.Conv2d(128, 16, 1)
        self.e2 = nn.Conv2d(16, 16, 1)
        self.e3 = nn.Conv2d(16, 144, 1)
        self.d3 = nn.Conv2d(144, 144, 3, stride=2, padding=1, groups=144,
                            bias=False)
        self.e4 = nn.Conv2d(16, 136, 1)
        self.d4 = nn.Conv2d(136, 136, 5, padding=2, groups=136)
        self.p4 = nn.Conv2d(136, 8, 1)
        self.e5 = nn.Conv2d(16, 128, 1)
        self.d5 = nn.Conv2d(128, 128, 3, padding=2, dilation=2, groups=128)
        self.f0 = nn.Conv2d(16, 128, 1)
        self.f1 = nn.Conv2d(128, 128, 1)
        self.d6 = nn.Conv2d(128, 128, 3, padding=1, groups=128)

    def forward(self, x):
        relu6 = lambda t: torch.clamp(t, 0, 6)
        e1 = relu6(self.e1_bn(self.e1(x)))
        p1 = self.p1(relu6(self.d1(e1)))
        r2 = torch.relu(self.e2(p1) + p1)
        d3 = self.d3(torch.relu(self.e3(r2)))
        y4 = self.p4(relu6(self.d4(self.e4(x))))
        d5 = self.d5(torch.relu(self.e5(x)))
        f0 = self.f0(x)
        return d3, y4, d5, self.d6(torch.relu(self.f1(f0) + f0))


net = os.path.join(tmp, "fuse_expand.net")
with open(net, "w") as f:
    f.write(NET)
model = nc.calibrate_batchnorm(nc.randomize_batchnorm(Model()),
                               nc.randn(2, 16, 91, 91))
w = nc.export_weights(model, os.path.join(tmp, "fuse_expand.safetensors"))

# Which producers are fused: the expansions e1, e3, e4, e5 and f1 (with
# its residual add) into their depthwise layers; not f0 (used twice) nor
# e2 (its consumer is no depthwise layer). The depthwise layer d1 (4.2 MB)
# into its projection p1, and d4 into p4 where p4's 8 channels fill a
# vector (AVX2: a register tile; on AVX-512 p4 is not tiled).
avx2 = {"e1", "e3", "e4", "e5", "f1", "d1", "d4"}
with open("/proc/cpuinfo") as f:
    avx512 = " avx512f" in f.read()
expected = {"host": avx2 - {"d4"} if avx512 else avx2, "x86-64-avx2": avx2}
for target, want in expected.items():
    hl = subprocess.run([nc.tool("netc"), net, "--weights", w,
                         f"--target={target}", "--emit=halide"],
                        capture_output=True, text=True)
    fused = {line.split(":")[0].rsplit("_", 1)[0]
             for line in hl.stdout.splitlines()
             if "sliding within its tasks" in line}
    chk.check_true(f"fused producers {target}",
                   hl.returncode == 0 and fused == want,
                   f"fused: {sorted(fused)}, want {sorted(want)} "
                   f"(exit {hl.returncode}) {hl.stderr[-300:]}")

for flags, label in ((["-O2"], "O2 host"),
                     (["-O2", "--target=x86-64-avx2"], "O2 avx2"),
                     (["-O0"], "O0")):
    so = os.path.join(tmp, label.replace(" ", "-"), "libfuse_expand.so")
    try:
        nc.compile_net(net, so, w, flags)
    except nc.ToolError as e:
        chk.fail(f"compile {label}", str(e))
        continue
    for n in (1, 3):
        x = nc.randn(n, 16, 91, 91)
        y3, y4, y5, y6 = nc.torch_eval(model, x)
        got = nc.run_so(so, {"x": x}, os.path.join(so + f".out{n}"))
        chk.compare_outputs(f"{label} batch {n}", got,
                            {"y3": y3, "y4": y4, "y5": y5, "y6": y6})
chk.finish()
