# Gradients (netc --train, net-run --grad) of conv (1-3 D, stride, pad,
# dilation, groups, depthwise, no bias, 1x1), fc, max and average pooling
# (padding, ceil, global, ties), batchnorm in eval mode, deconv, upsample
# (nearest, bilinear), lrn, l2norm, gram, correlation, concat, flatten and
# reshape, against torch.autograd in float64 at batch 3 and 1, -O0 and
# -O2. Each case's loss is sum((y - t)^2) for a target input t, so the
# gradients of its parameters, its input and t are all compared.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
from gradcompare import GradSuite

suite = GradSuite("grad_layers", sys.argv[1])
CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}


def conv(rank, c, size, out, k, stride=1, pad=0, dilation=1, groups=1,
         bias=True, depthwise=False, file="conv"):
    if depthwise:
        args = ["{x}", f"kernel={k}"]
        groups, out = c, c
    else:
        args = ["{x}", str(out), f"kernel={k}"]
    desc = [f"in {c}x{'x'.join(map(str, size))} out {out} k {k}"]
    for flag, v, dflt in (("stride", stride, 1), ("pad", pad, 0),
                          ("dilation", dilation, 1)):
        if v != dflt:
            args.append(f"{flag}={v}")
            desc.append(f"{flag} {v}")
    if groups != 1 and not depthwise:
        args.append(f"groups={groups}")
        desc.append(f"groups {groups}")
    if not bias:
        args.append("bias=false")
        desc.append("no bias")
    m = CONV[rank](c, out, k, stride=stride, padding=pad, dilation=dilation,
                   groups=groups, bias=bias)
    op = "dwconv" if depthwise else "conv"
    suite.add(f"{op}{rank}d" if not depthwise else "dwconv", " ".join(desc),
              {"x": ("N", c) + tuple(size)}, f"{op}(" + ", ".join(args) + ")",
              lambda m, x: m(x), module=m, file=file)


conv(2, 3, (9, 11), 4, 3)
conv(2, 4, (10, 9), 6, 3, stride=2, pad=1)
conv(2, 2, (12, 11), 3, 3, dilation=2, pad=2)
conv(2, 4, (7, 8), 6, 3, groups=2, pad=1, bias=False)
conv(2, 5, (9, 9), 5, 3, stride=2, pad=1, depthwise=True)
conv(2, 6, (5, 7), 8, 1)
conv(2, 3, (8, 8), 4, 5, stride=3, pad=2)
conv(1, 3, (17,), 4, 3, stride=2, pad=1, file="conv13")
conv(3, 2, (5, 6, 7), 3, 3, pad=1, file="conv13")

suite.add("fc", "4-D input", {"x": ("N", 3, 4, 5)}, "fc({x}, 7)",
          lambda m, x: m(torch.flatten(x, 1)), module=nn.Linear(60, 7),
          file="layers")
suite.add("fc", "2-D, no bias", {"x": ("N", 9)}, "fc({x}, 5, bias=false)",
          lambda m, x: m(x), module=nn.Linear(9, 5, bias=False), file="layers")

bn = nn.BatchNorm2d(5)
nc.randomize_batchnorm(bn)
suite.add("batchnorm", "eval, random statistics", {"x": ("N", 5, 4, 6)},
          "batchnorm({x})", lambda m, x: m(x), module=bn, file="layers")


def pool(kind, c, size, k, stride=None, pad=0, ceil=False, file="pools"):
    args = ["{x}", f"kernel={k}"]
    desc = [f"{c}x{'x'.join(map(str, size))} k {k}"]
    if stride is not None:
        args.append(f"stride={stride}")
        desc.append(f"s {stride}")
    if pad:
        args.append(f"pad={pad}")
        desc.append(f"p {pad}")
    if ceil:
        args.append("ceil=true")
        desc.append("ceil")
    rank = len(size)
    s = stride if stride is not None else k
    if kind == "maxpool":
        fn = getattr(F, f"max_pool{rank}d")
        ref = lambda x: fn(x, k, s, pad, ceil_mode=ceil)
    else:
        fn = getattr(F, f"avg_pool{rank}d")
        ref = lambda x: fn(x, k, s, pad, ceil_mode=ceil, count_include_pad=True)
    suite.add(kind, " ".join(desc), {"x": ("N", c) + tuple(size)},
              f"{kind}(" + ", ".join(args) + ")", ref, file=file)


for kind in ("maxpool", "avgpool"):
    pool(kind, 3, (8, 8), 2)
    pool(kind, 2, (9, 10), 3, stride=2, pad=1)
    pool(kind, 2, (7, 9), 3, stride=2, ceil=True)
    pool(kind, 3, (11,), 3, stride=2)
    pool(kind, 2, (7, 9), 2, ceil=True)
suite.add("maxpool", "of relu (tied zeros: the first maximum wins)",
          {"x": ("N", 3, 6, 6)}, "maxpool(relu({x}), kernel=2)",
          lambda x: F.max_pool2d(torch.relu(x), 2), file="pools")
suite.add("maxpool", "of relu, k3 s2 (overlapping, tied zeros)",
          {"x": ("N", 2, 7, 7)}, "maxpool(relu({x}), kernel=3, stride=2)",
          lambda x: F.max_pool2d(torch.relu(x), 3, 2), file="pools")
suite.add("global_avgpool", "3x5x4", {"x": ("N", 3, 5, 4)},
          "global_avgpool({x})", lambda x: x.mean(dim=(2, 3), keepdim=True),
          file="pools")
suite.add("global_maxpool", "3x5x4", {"x": ("N", 3, 5, 4)},
          "global_maxpool({x})", lambda x: x.amax(dim=(2, 3), keepdim=True),
          file="pools")

def deconv(c, size, out, k, stride=1, pad=0, output_pad=0, bias=True):
    args = ["{x}", str(out), f"kernel={k}"]
    desc = [f"in {c}x{'x'.join(map(str, size))} out {out} k {k}"]
    for flag, v in (("stride", stride), ("pad", pad), ("output_pad", output_pad)):
        if v:
            args.append(f"{flag}={v}")
            desc.append(f"{flag} {v}")
    if not bias:
        args.append("bias=false")
        desc.append("no bias")
    m = nn.ConvTranspose2d(c, out, k, stride=stride, padding=pad,
                           output_padding=output_pad, bias=bias)
    suite.add("deconv", " ".join(desc), {"x": ("N", c) + tuple(size)},
              "deconv(" + ", ".join(args) + ")", lambda m, x: m(x), module=m,
              file="spatial")


deconv(3, (5, 6), 4, 3)
deconv(4, (4, 5), 2, 4, stride=2, pad=1, bias=False)
deconv(2, (3, 4), 3, 3, stride=2, pad=1, output_pad=1)
for mode, torch_mode in (("nearest", "nearest"), ("bilinear", "bilinear")):
    for scale in (2, 3):
        suite.add("upsample", f"{mode} x{scale}", {"x": ("N", 2, 4, 5)},
                  f'upsample({{x}}, scale={scale}, mode="{mode}")',
                  lambda x, s=scale, m=torch_mode: F.interpolate(
                      x, scale_factor=s, mode=m,
                      **({} if m == "nearest" else {"align_corners": False})),
                  file="spatial")
suite.add("lrn", "size 5 (AlexNet)", {"x": ("N", 7, 3, 4)},
          "lrn({x}, size=5, alpha=0.01, beta=0.75, k=2.0)",
          lambda x: F.local_response_norm(x, 5, alpha=0.01, beta=0.75, k=2.0),
          file="spatial")
suite.add("lrn", "size 4 (even)", {"x": ("N", 6, 2, 3)},
          "lrn({x}, size=4, alpha=0.1, beta=0.5, k=1.0)",
          lambda x: F.local_response_norm(x, 4, alpha=0.1, beta=0.5, k=1.0),
          file="spatial")
suite.add("l2norm", "axis 1", {"x": ("N", 9)}, "l2norm({x})",
          lambda x: F.normalize(x, dim=1), file="spatial")
suite.add("l2norm", "axis 1 of [N, 4, 3, 2]", {"x": ("N", 4, 3, 2)},
          "l2norm({x})", lambda x: F.normalize(x, dim=1), file="spatial")
suite.add("gram", "[N, 5, 3, 4]", {"x": ("N", 5, 3, 4)}, "gram({x})",
          lambda x: x.reshape(x.shape[0], 5, -1) @
          x.reshape(x.shape[0], 5, -1).transpose(1, 2), file="spatial")


def corr_ref(a, b, d, s):
    disp = range(-d, d + 1, s)
    h, w = a.shape[2], a.shape[3]
    bp = F.pad(b, (d, d, d, d))
    outs = [(a * bp[:, :, d + dy:d + dy + h, d + dx:d + dx + w]).mean(1)
            for dy in disp for dx in disp]
    return torch.stack(outs, 1)


suite.add("correlation", "max_disp 2", {"a": ("N", 3, 5, 6), "b": ("N", 3, 5, 6)},
          "correlation({a}, {b}, max_disp=2)", lambda a, b: corr_ref(a, b, 2, 1),
          file="spatial")
suite.add("correlation", "max_disp 4 stride 2",
          {"a": ("N", 2, 6, 7), "b": ("N", 2, 6, 7)},
          "correlation({a}, {b}, max_disp=4, stride=2)",
          lambda a, b: corr_ref(a, b, 4, 2), file="spatial")

suite.add("concat", "3 parts", {"a": ("N", 2, 3, 3), "b": ("N", 4, 3, 3),
                                "c": ("N", 1, 3, 3)},
          "concat({a}, {b}, {c})", lambda a, b, c: torch.cat([a, b, c], 1),
          file="layers")
suite.add("flatten", "4-D", {"x": ("N", 2, 3, 4)}, "flatten({x})",
          lambda x: torch.flatten(x, 1), file="layers")
suite.add("reshape", "[-1, 6, 4]", {"x": ("N", 2, 3, 4)},
          "reshape({x}, [-1, 6, 4])", lambda x: x.reshape(-1, 6, 4),
          file="layers")

suite.run()
