# The spatial ops of netlang.md section 6 against PyTorch:
#   dwconv          nn.Conv1d/2d/3d(groups=C) (multiplier, stride, pad,
#                   "same", dilation, no bias)
#   deconv          nn.ConvTranspose1d/2d/3d (stride, pad, output_pad,
#                   dilation, stride > kernel, no bias)
#   minpool         -nn.MaxPool1d/2d/3d(-x) (stride, pad, ceil)
#   global_*pool    nn.AdaptiveAvg/MaxPool1d/2d/3d(1)
#   lrn             nn.LocalResponseNorm (odd and even sizes, size > C,
#                   rank 3 to 5, alpha large enough to matter)
#   upsample        nn.Upsample (nearest 1-3 spatial dims, linear, bilinear,
#                   trilinear with align_corners=False; int and per-dim scale)
#   residual        y + x, and y + downsample(x) inside blocks named like
#                   torchvision's layer2.0 (BasicBlock with downsample, with
#                   and without bn, `as` names), at top level, 1-D and 3-D
# Odd sizes throughout; the "wide" file has innermost dims >= 16 so that -O2
# vectorizes them. Each case is one output of a generated .net; every file
# is compiled at -O2 (conv and wide also at -O0, wide also for AVX2) and run
# through the reference evaluator, at batch 3 and 1.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch
import torch.nn as nn

import netcompare as nc

suite = nc.OpSuite("ops_spatial", sys.argv[1], batches=(3, 1))
add = suite.add
CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
DECONV = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
GAVG = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d,
        3: nn.AdaptiveAvgPool3d}
GMAX = {1: nn.AdaptiveMaxPool1d, 2: nn.AdaptiveMaxPool2d,
        3: nn.AdaptiveMaxPool3d}


def lst(v):
    return str(list(v)) if isinstance(v, (list, tuple)) else str(v)


def shape_desc(c, size):
    return f"{c}x{'x'.join(map(str, size))}"


def random_bias(m):
    if m.bias is not None:
        with torch.no_grad():
            m.bias.uniform_(-0.5, 0.5)
    return m


# --- dwconv ------------------------------------------------------------------
def dwconv(c, size, k, stride=1, pad=0, dilation=1, mult=1, bias=True,
           file="conv"):
    rank = len(size)
    args = ["{x}", f"kernel={lst(k)}"]
    desc = [f"in {shape_desc(c, size)} k {lst(k)}"]
    for name, v, dflt in (("stride", stride, 1), ("pad", pad, 0),
                          ("dilation", dilation, 1), ("multiplier", mult, 1)):
        if v != dflt:
            args.append(f'{name}="{v}"' if isinstance(v, str)
                        else f"{name}={lst(v)}")
            desc.append(f"{name} {lst(v)}")
    if not bias:
        args.append("bias=false")
        desc.append("no bias")
    m = random_bias(CONV[rank](c, c * mult, k, stride=stride, padding=pad,
                               dilation=dilation, groups=c, bias=bias))
    add(f"dwconv{rank}d", " ".join(desc), {"x": ("N", c) + tuple(size)},
        "dwconv(" + ", ".join(args) + ")", lambda m, x: m(x), module=m,
        file=file)


dwconv(3, [17], 3)
dwconv(4, [16], 4, stride=3, pad=2, dilation=2, mult=2)
dwconv(3, [11, 10], 3, stride=2, pad=1)
dwconv(3, [7, 9], [3, 5], stride=[2, 1], pad=[1, 2])
dwconv(3, [12, 11], 3, dilation=2, pad="same")
dwconv(2, [10, 10], 2, stride=3)                    # stride > kernel
dwconv(5, [9, 8], 5, pad="same", bias=False)
dwconv(3, [13, 11], 3, stride=2, mult=3, bias=False)
dwconv(2, [7, 7, 7], 3, stride=2, pad=1, mult=2)

# --- deconv ------------------------------------------------------------------


def deconv(c, size, out, k, stride=1, pad=0, output_pad=0, dilation=1,
           bias=True, file="conv"):
    rank = len(size)
    args = ["{x}", str(out), f"kernel={lst(k)}"]
    desc = [f"in {shape_desc(c, size)} out {out} k {lst(k)}"]
    for name, v, dflt in (("stride", stride, 1), ("pad", pad, 0),
                          ("output_pad", output_pad, 0),
                          ("dilation", dilation, 1)):
        if v != dflt:
            args.append(f"{name}={lst(v)}")
            desc.append(f"{name} {lst(v)}")
    if not bias:
        args.append("bias=false")
        desc.append("no bias")
    m = random_bias(DECONV[rank](c, out, k, stride=stride, padding=pad,
                                 output_padding=output_pad, dilation=dilation,
                                 bias=bias))
    add(f"deconv{rank}d", " ".join(desc), {"x": ("N", c) + tuple(size)},
        "deconv(" + ", ".join(args) + ")", lambda m, x: m(x), module=m,
        file=file)


deconv(3, [9], 4, 3, stride=2)
deconv(3, [8], 2, 4, stride=2, pad=1)
deconv(2, [7], 3, 2, stride=3, output_pad=2)         # stride > kernel
deconv(2, [7], 3, 3, stride=2, dilation=2, output_pad=1, bias=False)
deconv(4, [5, 6], 3, 3, stride=2, pad=1, output_pad=1)   # the classic 2x
deconv(3, [4, 5], 2, 4, stride=2, pad=1)                 # DCGAN's 2x
deconv(3, [5, 4], 4, [3, 2], stride=[2, 3], pad=[1, 0], output_pad=[1, 2])
deconv(2, [4, 4], 3, 2, stride=3)                        # stride > kernel
deconv(2, [5, 5], 3, 3, stride=2, dilation=2, output_pad=1)
deconv(2, [6, 5], 3, 5, pad=2, bias=False)               # pad = k // 2
deconv(2, [3, 4, 3], 3, 3, stride=2, pad=1, output_pad=1)

# --- minpool and global pools ------------------------------------------------


def minpool(size, k, stride=None, pad=0, ceil=False, c=3, file="pool"):
    rank = len(size)
    args = ["{x}", f"kernel={lst(k)}"]
    desc = [f"in {shape_desc(c, size)} k {lst(k)}"]
    if stride is not None:
        args.append(f"stride={lst(stride)}")
        desc.append(f"s {lst(stride)}")
    if pad != 0:
        args.append(f"pad={lst(pad)}")
        desc.append(f"p {lst(pad)}")
    if ceil:
        args.append("ceil=true")
        desc.append("ceil")
    m = MAX[rank](k, stride=stride, padding=pad, ceil_mode=ceil)
    # Mostly positive inputs: a window reaching into the padding tells +inf
    # padding (-maxpool(-x)) from zero padding.
    add(f"minpool{rank}d", " ".join(desc), {"x": ("N", c) + tuple(size)},
        "minpool(" + ", ".join(args) + ")", lambda x: -m(-x),
        gen=lambda _, s: nc.randn(*s) + 1.5, file=file)


minpool([17], 2, stride=3)                              # stride > kernel
minpool([17], 3, stride=2, pad=1, ceil=True)
minpool([11, 11], 3, stride=2, pad=1)
minpool([9, 10], [3, 2], stride=[2, 1], pad=[1, 0])
minpool([5, 6], 2, stride=2, pad=1, ceil=True)          # last window dropped
minpool([7, 6, 5], 2, ceil=True)
minpool([5, 7, 6], 3, stride=2, pad=1)


def global_pool(kind, c, size, file="pool"):
    rank = len(size)
    m = (GAVG if kind == "avg" else GMAX)[rank](1)
    add(f"global_{kind}pool", f"{rank}-D {shape_desc(c, size)}",
        {"x": ("N", c) + tuple(size)}, f"global_{kind}pool({{x}})",
        lambda x: m(x), file=file)


for kind in ("avg", "max"):
    global_pool(kind, 3, [11])
    global_pool(kind, 4, [7, 7])
    global_pool(kind, 5, [1, 1])
    global_pool(kind, 2, [3, 4, 5])

# --- lrn ---------------------------------------------------------------------


def lrn(c, size, n=None, alpha=None, beta=None, k=None, scale=1.0,
        file="norm"):
    args = ["{x}"]
    kw = {}
    desc = [f"in {shape_desc(c, size)}"]
    for name, v in (("size", n), ("alpha", alpha), ("beta", beta), ("k", k)):
        if v is not None:
            args.append(f"{name}={v}")
            kw[name] = v
            desc.append(f"{name} {v}")
    if scale != 1.0:
        desc.append(f"x ~ {scale} N(0,1)")
    # The spec's default k is 2.0 (AlexNet), PyTorch's is 1.0.
    m = nn.LocalResponseNorm(kw.get("size", 5), alpha=kw.get("alpha", 1e-4),
                             beta=kw.get("beta", 0.75), k=kw.get("k", 2.0))
    add("lrn", " ".join(desc), {"x": ("N", c) + tuple(size)},
        "lrn(" + ", ".join(args) + ")", lambda x: m(x),
        gen=lambda _, s: nc.randn(*s) * scale, file=file)


lrn(7, [5, 6])                                          # AlexNet's defaults
lrn(9, [7, 7], alpha=1e-3, scale=10.0)
lrn(6, [4, 5], n=4, alpha=1.0, beta=0.5, k=1.0)         # even size
lrn(3, [5, 5], n=9, alpha=2.0, scale=3.0)               # size > C
lrn(4, [3, 3], n=1, alpha=0.3, beta=1.5, k=0.5)
lrn(8, [11], n=5, alpha=1.0)                            # rank 3
lrn(5, [3, 4, 5], n=3, alpha=0.7, beta=0.9)             # rank 5

# --- upsample ----------------------------------------------------------------


def upsample(c, size, scale=None, mode=None, file="norm"):
    rank = len(size)
    args = ["{x}"]
    desc = [f"in {shape_desc(c, size)}"]
    if scale is not None:
        args.append(f"scale={lst(scale)}")
        desc.append(f"scale {lst(scale)}")
    if mode is not None:
        args.append(f'mode="{mode}"')
    desc.append(mode or "nearest (default)")
    s = 2 if scale is None else scale
    sf = tuple(float(v) for v in s) if isinstance(s, list) else float(s)
    m = nn.Upsample(scale_factor=sf, mode=mode or "nearest",
                    **({} if (mode or "nearest") == "nearest"
                       else {"align_corners": False}))
    add(f"upsample {mode or 'nearest'}", " ".join(desc),
        {"x": ("N", c) + tuple(size)}, "upsample(" + ", ".join(args) + ")",
        lambda x: m(x), file=file)


upsample(3, [7])
upsample(3, [5, 7])
upsample(2, [5, 4], [2, 3], "nearest")
upsample(2, [3, 4, 3], [1, 2, 2], "nearest")
upsample(2, [3, 3, 2], 2)
upsample(3, [7], 2, "linear")
upsample(3, [5, 7], 2, "bilinear")
upsample(2, [4, 5], 3, "bilinear")
upsample(2, [5, 4], [2, 3], "bilinear")
upsample(2, [1, 1], 4, "bilinear")                       # one pixel
upsample(2, [3, 4, 3], 2, "trilinear")
upsample(2, [2, 3, 4], [1, 2, 3], "trilinear")

# --- residual ----------------------------------------------------------------
F = "residual"
suite.prelude(F, """\
block basic(x, ch: int, stride: int = 1) {
  y = conv(x, ch, kernel=3, stride=stride, pad=1, bias=false) as "conv1"
        |> batchnorm() as "bn1" |> relu
  z = conv(y, ch, kernel=3, pad=1, bias=false) as "conv2"
        |> batchnorm() as "bn2"
  return relu(residual(z, x))
}
block basic_nobn(x, ch: int, stride: int = 1) {
  y = conv(x, ch, kernel=3, stride=stride, pad=1) as "conv1" |> relu
  z = conv(y, ch, kernel=3, pad=1) as "conv2"
  return relu(residual(z, x, bn=false))
}
block basic_as(x, ch: int, stride: int = 1) {
  y = conv(x, ch, kernel=3, stride=stride, pad=1, bias=false) as "conv1"
        |> batchnorm() as "bn1" |> relu
  z = conv(y, ch, kernel=3, pad=1, bias=false) as "conv2"
        |> batchnorm() as "bn2"
  return relu(residual(z, x) as "shortcut")
}
""")


class BasicBlock(nn.Module):
    """torchvision's BasicBlock; `short` names the downsample attribute."""

    def __init__(self, cin, ch, stride=1, bn=True, short="downsample"):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, ch, 3, stride, 1, bias=not bn)
        self.bn1 = nn.BatchNorm2d(ch) if bn else nn.Identity()
        self.conv2 = nn.Conv2d(ch, ch, 3, 1, 1, bias=not bn)
        self.bn2 = nn.BatchNorm2d(ch) if bn else nn.Identity()
        self.short = short
        if stride != 1 or cin != ch:
            layers = [nn.Conv2d(cin, ch, 1, stride, bias=False)]
            if bn:
                layers.append(nn.BatchNorm2d(ch))
            setattr(self, short, nn.Sequential(*layers))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        z = self.bn2(self.conv2(y))
        ds = getattr(self, self.short, None)
        return torch.relu(z + (ds(x) if ds is not None else x))


class Layer2(nn.Module):
    """Holds blocks as layer2.0, layer2.1 (torchvision's names)."""

    def __init__(self, *blocks):
        super().__init__()
        self.layer2 = nn.Sequential(*blocks)

    def forward(self, x):
        return self.layer2(x)


def block_case(desc, blk, cin, size, ch, stride, **kw):
    m = nc.randomize_batchnorm(Layer2(BasicBlock(cin, ch, stride, **kw)))
    args = f"{ch}" + (f", stride={stride}" if stride != 1 else "")
    add("residual", desc, {"x": ("N", cin) + tuple(size)},
        f'{blk}({{x}}, {args}) as "{{out}}.layer2.0"', lambda m, x: m(x),
        module=m, file=F)


block_case("layer2.0: identity shortcut", "basic", 4, [6, 7], 4, 1)
block_case("layer2.0: downsample 4->8, stride 2, 8x8", "basic", 4, [8, 8], 8,
           2)
block_case("layer2.0: downsample, stride 2, odd 7x9", "basic", 3, [7, 9], 6, 2)
block_case("layer2.0: downsample of channels only (stride 1)", "basic", 3,
           [5, 6], 5, 1)
block_case("layer2.0: downsample without bn", "basic_nobn", 4, [7, 7], 6, 2,
           bn=False)
block_case('layer2.0: downsample named by as "shortcut"', "basic_as", 4,
           [8, 7], 8, 2, short="shortcut")

m = nc.randomize_batchnorm(Layer2(BasicBlock(3, 6, 2), BasicBlock(6, 6, 1)))
add("residual", "repeat-free layer2 of two blocks (layer2.0 downsamples)",
    {"x": ("N", 3, 9, 8)},
    'basic(basic({x}, 6, stride=2) as "{out}.layer2.0", 6) '
    'as "{out}.layer2.1"', lambda m, x: m(x), module=m, file=F)

add("residual", "top level, same shapes: y + x",
    {"y": ("N", 3, 5, 6), "x": ("N", 3, 5, 6)}, "residual({y}, {x})",
    lambda y, x: y + x, file=F)


class Shortcut(nn.Module):
    def __init__(self, rank, cin, cout, stride, bn=True):
        super().__init__()
        layers = [CONV[rank](cin, cout, 1, stride, bias=False)]
        if bn:
            layers.append({1: nn.BatchNorm1d, 2: nn.BatchNorm2d,
                           3: nn.BatchNorm3d}[rank](cout))
        self.ds = nn.Sequential(*layers)


def top_case(rank, cin, xsize, cout, ysize, stride, bn=True):
    m = nc.randomize_batchnorm(Shortcut(rank, cin, cout, stride, bn))
    add("residual",
        f"top level {rank}-D: x {shape_desc(cin, xsize)} to y "
        f"{shape_desc(cout, ysize)} (stride {stride}{'' if bn else ', no bn'})",
        {"y": ("N", cout) + tuple(ysize), "x": ("N", cin) + tuple(xsize)},
        'residual({y}, {x}%s) as "{out}.ds"' % ("" if bn else ", bn=false"),
        lambda m, y, x: y + m.ds(x), module=m, file=F)


top_case(1, 3, [11], 5, [6], 2)
top_case(2, 2, [9, 10], 4, [3, 4], 3, bn=False)
top_case(3, 2, [5, 6, 7], 4, [3, 3, 4], 2)

# --- wide: innermost dim >= 16, so that -O2 vectorizes it, with tails --------
W = "wide"
dwconv(8, [9, 37], 3, pad=1, file=W)
dwconv(4, [10, 40], 3, stride=2, pad=1, mult=2, file=W)
deconv(4, [5, 19], 6, 3, stride=2, pad=1, output_pad=1, file=W)
deconv(3, [37], 4, 4, stride=2, pad=1, file=W)
minpool([8, 35], 3, stride=1, pad=1, file=W)
global_pool("avg", 6, [9, 33], file=W)
global_pool("max", 6, [9, 33], file=W)
lrn(7, [4, 37], n=5, alpha=1.0, file=W)
upsample(3, [4, 13], 3, "nearest", file=W)
upsample(3, [4, 9], [2, 3], "bilinear", file=W)
upsample(2, [37], 2, "linear", file=W)

suite.run(o0=["conv", "wide"],
          extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
