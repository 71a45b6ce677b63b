# conv (netlang.md section 6) against nn.Conv1d/2d/3d: stride, pad (ints,
# lists, "same", "valid"), dilation, groups, bias=false, odd and non-square
# sizes, stride > kernel, kernel = input, init= (frozen weights), and wide
# rows that -O2 vectorizes, the 3x3 convolutions -O2 computes with
# Winograd, the 1x1 ones it computes as GEMMs on flattened maps and
# depthwise ones in tasks of channel blocks. Each case is one output of a generated .net; the
# files are compiled at -O2 (conv2d and wide also at -O0, wide also for AVX2)
# and run through the reference evaluator, at batch 2 and 1.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch
import torch.nn as nn

import netcompare as nc

suite = nc.OpSuite("ops_conv", sys.argv[1])
CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}


def lst(v):
    return str(list(v)) if isinstance(v, (list, tuple)) else str(v)


def conv(rank, c, size, out, k, stride=1, pad=0, dilation=1, groups=1,
         bias=True, file=None, bug=None):
    """A conv case: input [N, c, *size]; torch padding = pad (int, list or
    'same'/'valid')."""
    args = ["{x}", str(out), f"kernel={lst(k)}"]
    desc = [f"in {c}x{'x'.join(map(str, size))} out {out} k {lst(k)}"]
    if stride != 1:
        args.append(f"stride={lst(stride)}")
        desc.append(f"s {lst(stride)}")
    if pad != 0:
        args.append(f'pad="{pad}"' if isinstance(pad, str) else f"pad={lst(pad)}")
        desc.append(f"p {lst(pad)}")
    if dilation != 1:
        args.append(f"dilation={lst(dilation)}")
        desc.append(f"d {lst(dilation)}")
    if groups != 1:
        args.append(f"groups={groups}")
        desc.append(f"g {groups}")
    if not bias:
        args.append("bias=false")
        desc.append("no bias")
    m = CONV[rank](c, out, k, stride=stride, padding=pad, dilation=dilation,
                   groups=groups, bias=bias)
    if bias:
        with torch.no_grad():
            m.bias.uniform_(-0.5, 0.5)
    suite.add(f"conv{rank}d", " ".join(desc), {"x": ("N", c) + tuple(size)},
              "conv(" + ", ".join(args) + ")", lambda m, x: m(x), module=m,
              file=file or f"conv{rank}d", bug=bug)


# --- 1-D ------------------------------------------------------------------
conv(1, 3, [17], 4, 3)
conv(1, 3, [17], 4, 3, stride=2)
conv(1, 3, [17], 4, 3, pad=1)
conv(1, 3, [17], 4, 3, dilation=2)
conv(1, 3, [16], 5, 4, stride=3, pad=2, dilation=2)
conv(1, 4, [15], 6, 3, groups=2)
conv(1, 4, [15], 4, 5, groups=4, bias=False)
conv(1, 3, [13], 4, 2, stride=3)                   # stride > kernel
conv(1, 3, [9], 4, 9)                              # kernel = input
conv(1, 3, [11], 4, 1)
conv(1, 3, [14], 4, 5, pad="same")
conv(1, 3, [14], 4, 3, pad="same", dilation=3)
conv(1, 3, [14], 4, 3, pad="valid")
conv(1, 2, [5], 3, 3, pad=3)                       # pad > kernel / 2

# --- 2-D ------------------------------------------------------------------
conv(2, 3, [9, 9], 4, 3)
conv(2, 3, [11, 10], 4, 3, stride=2)
conv(2, 3, [9, 9], 4, 3, pad=1)
conv(2, 3, [7, 9], 5, [3, 5], stride=[2, 1], pad=[1, 2])
conv(2, 3, [12, 12], 4, 3, dilation=2)
conv(2, 3, [13, 11], 4, [3, 2], dilation=[2, 3], pad=[2, 1])
conv(2, 4, [8, 8], 6, 3, groups=2, pad=1)
conv(2, 4, [8, 8], 8, 3, groups=4, pad=1)          # depthwise, multiplier 2
conv(2, 6, [7, 7], 6, 3, groups=3, stride=2, bias=False)
conv(2, 3, [9, 9], 4, 3, bias=False)
conv(2, 3, [10, 10], 4, 2, stride=3)               # stride > kernel
conv(2, 3, [11, 13], 4, 1, stride=[2, 3])          # 1x1, strided
conv(2, 3, [5, 6], 4, [5, 6])                      # kernel = input
conv(2, 5, [7, 8], 7, 1)                           # 1x1
conv(2, 3, [9, 8], 4, 5, pad="same")
conv(2, 3, [9, 8], 4, 3, pad="same", dilation=2)
conv(2, 3, [9, 8], 4, 3, pad="valid")
conv(2, 2, [4, 5], 3, 3, pad=[3, 2])               # pad > kernel / 2
conv(2, 16, [6, 6], 24, 3, pad=1)                  # more channels
conv(2, 3, [23, 19], 8, 7, stride=2, pad=3)        # a ResNet-like stem

# --- 3-D ------------------------------------------------------------------
conv(3, 2, [6, 7, 5], 3, 3)
conv(3, 2, [7, 7, 7], 3, 3, stride=2, pad=1)
conv(3, 2, [8, 7, 6], 3, [1, 3, 2], stride=[1, 2, 1], pad=[0, 1, 1])
conv(3, 2, [9, 8, 8], 3, 3, dilation=[1, 2, 1], pad=[1, 2, 1])
conv(3, 4, [5, 6, 5], 6, 3, groups=2, pad=1, bias=False)
conv(3, 3, [7, 6, 5], 4, 2, stride=3)              # stride > kernel
conv(3, 3, [5, 5, 5], 4, 3, pad="same")

# --- init=: a constant (frozen) weight given in the .net ---------------------
SOBEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
suite.add("conv init=", "Sobel 3x3, C=1, out=1 (leading 1-dims left out)",
          {"x": ("N", 1, 9, 11)},
          f"conv({{x}}, 1, kernel=3, init={SOBEL}, bias=false)",
          lambda x: nn.functional.conv2d(
              x, torch.tensor(SOBEL, dtype=torch.float64).view(1, 1, 3, 3)),
          file="conv2d")
W2 = [[[[1, 2], [3, 4]], [[0.5, -1], [0, 0.25]]],
      [[[-1, 0], [0, 1]], [[2, 2], [-2, -2]]]]                  # [2, 2, 2, 2]


class BiasOnly(nn.Module):
    """Holds just a bias: the weight of the conv is frozen by init=."""

    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.rand(n) - 0.5)


suite.add("conv init=", "full [2,2,2,2] weight, pad 1, stride 2, bias loaded",
          {"x": ("N", 2, 7, 8)},
          f"conv({{x}}, 2, kernel=2, stride=2, pad=1, init={W2})",
          lambda m, x: nn.functional.conv2d(
              x, torch.tensor(W2, dtype=torch.float64), m.bias, stride=2,
              padding=1),
          module=BiasOnly(2), file="conv2d")

# --- wide: innermost dim >= 16, so that -O2 vectorizes it (16 lanes with
# AVX-512, 8 with AVX2), with and without a tail -----------------------------
W = "wide"
conv(1, 4, [64], 8, 3, pad=1, file=W)
conv(1, 4, [101], 6, 5, stride=2, dilation=2, file=W)
conv(2, 8, [12, 16], 16, 3, pad=1, file=W)                 # exactly 16
conv(2, 8, [11, 37], 16, 3, pad=1, file=W)                 # tail of 5
conv(2, 3, [18, 70], 8, 5, stride=2, pad=2, file=W)
conv(2, 16, [9, 35], 16, 3, pad=1, groups=16, file=W)      # depthwise
conv(2, 8, [10, 40], 12, 3, pad=2, dilation=2, groups=4, bias=False, file=W)
conv(2, 6, [8, 33], 10, 1, file=W)                         # 1x1
conv(2, 3, [24, 51], 8, 7, stride=3, pad=3, file=W)        # stride 3 < kernel
conv(3, 2, [4, 5, 21], 4, 3, pad=1, file=W)

# --- winograd: dense stride-1 3x3 convs with >= 64 channels, which -O2
# lowers as Winograd F(4x4,3x3) (maps of 14 and up) or F(2x2,3x3) (8 to
# 13; smaller maps get the direct kernel): sizes
# that are no multiple of the tile, padding 0 and 2, output channels that
# are no multiple of the GEMM block, and 512 channels (GEMMs per image) --
G = "winograd"
conv(2, 64, [17, 18], 80, 3, pad=1, file=G)                # F(4), tails
conv(2, 64, [13, 10], 64, 3, pad=1, file=G)                # F(2), odd sizes
conv(2, 64, [9, 8], 64, 3, pad=1, bias=False, file=G)      # F(2), 5 x 4 tiles
conv(2, 64, [7, 5], 64, 3, pad=1, bias=False, file=G)      # direct: 7 x 5
conv(2, 64, [14, 15], 64, 3, file=G)                       # pad 0: 12 x 13
conv(2, 96, [16, 16], 64, 3, pad=2, file=G)                # pad 2: 18 x 18
conv(2, 512, [8, 9], 512, 3, pad=1, file=G)                # F(2), per image
conv(2, 64, [16, 16], 64, 3, pad=1, stride=2, file=G)      # direct

# --- gemm: 1x1 stride-1 convs on a computed map, which -O2 runs as GEMMs on
# the map flattened to H*W pixels (net-tile-gemm): pixel counts that are no
# multiple of the register block or the task, output channels that are no
# multiple of the block, a fused residual, maps of several tasks ---------
M = "gemm"


def gemm(c, size, out, residual=None):
    """residual: "relu" adds relu(x) (a computed map: the GEMM's epilogue;
    also its input, so not written over), "other" adds relu(x * 0.5), read
    last there (written over in place where the blocks are whole), "input" adds the model input
    x (converted at the edge: the row tile)."""
    m = nn.Conv2d(c, out, 1)
    with torch.no_grad():
        m.bias.uniform_(-0.5, 0.5)
    expr = f"conv(relu({{x}}), {out}, kernel=1)"
    desc = f"1x1 on relu(x) {c}x{size[0]}x{size[1]} out {out}"
    fn = lambda m, x: m(torch.relu(x))
    if residual == "relu":
        expr = f"relu({expr} + relu({{x}}))"
        desc += ", relu(+ relu(x))"
        fn = lambda m, x: torch.relu(m(torch.relu(x)) + torch.relu(x))
    elif residual == "other":
        expr = f"relu({expr} + relu({{x}} * 0.5))"
        desc += ", relu(+ relu(x * 0.5))"
        fn = lambda m, x: torch.relu(m(torch.relu(x)) + torch.relu(x * 0.5))
    elif residual == "input":
        expr = f"relu({expr} + {{x}})"
        desc += ", relu(+ x)"
        fn = lambda m, x: torch.relu(m(torch.relu(x)) + x)
    suite.add("gemm", desc, {"x": ("N", c) + tuple(size)}, expr, fn,
              module=m, file=M)


gemm(32, [9, 11], 48)                       # 99 pixels, 48 channels
gemm(64, [13, 10], 80)                      # 80 = 64 + a block shifted in
gemm(64, [12, 12], 64, residual="relu")     # residual + relu in the epilogue
gemm(64, [12, 12], 64, residual="input")    # residual from the model input
gemm(64, [14, 14], 64, residual="other")    # in place of its residual (AVX-512)
gemm(48, [9, 11], 48, residual="other")     # a block shifted in: not in place
gemm(256, [28, 28], 128)                    # several tasks of pixels
gemm(16, [1, 5], 16)                        # 5 pixels, one vector
gemm(256, [13, 13], 64)                     # 25 blocks in chunks of 7: a short last one

# --- depthwise: -O2 runs a depthwise conv's tasks as channel blocks x strips
# of rows: several blocks, a last block shifted in, strips whose rows do not
# divide the map, stride 2 ------------------------------------------------
D = "depthwise"
conv(2, 96, [13, 13], 96, 3, pad=1, groups=96, file=D)
conv(2, 96, [13, 13], 96, 3, pad=1, stride=2, groups=96, file=D)
conv(2, 200, [7, 9], 200, 3, pad=1, groups=200, bias=False, file=D)
conv(2, 32, [19, 17], 32, 5, pad=2, groups=32, file=D)

suite.run(o0=["conv2d", "wide"],
          extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]},
                 "winograd": {"avx2": ["-O2", "--target=x86-64-avx2"]},
                 "gemm": {"avx2": ["-O2", "--target=x86-64-avx2"]},
                 "depthwise": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
