# Layer ops of netlang.md section 6 against PyTorch: softmax on axis 1 and
# the last axis (incl. large logits), concat, flatten, fc on 2-D to 5-D
# inputs, batchnorm in eval mode (1-D, 2-D, 3-D, non-trivial running stats),
# chains that -O2 fuses, parameters shared by `as` names, and blocks /
# repeat with torchvision names. Each case is one output of a generated .net;
# every file is compiled at -O2 and -O0 (the wide one, whose innermost dim
# -O2 vectorizes, also for AVX2) and run through the reference evaluator, at
# batch 2 and 1. Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch
import torch.nn as nn

import netcompare as nc

suite = nc.OpSuite("ops_layers", sys.argv[1])
add = suite.add


def scaled(s, shift=0.0):
    return lambda _, shape: nc.randn(*shape) * s + shift


X4 = {"x": ("N", 3, 5, 7)}
XY4 = {"x": ("N", 3, 5, 7), "y": ("N", 3, 5, 7)}

# --- softmax ----------------------------------------------------------------
F = "shape"
add("softmax", "2-D, default axis", {"x": ("N", 10)}, "softmax({x})",
    lambda x: torch.softmax(x, 1), file=F)
add("softmax", "2-D, axis=-1", {"x": ("N", 10)}, "softmax({x}, axis=-1)",
    lambda x: torch.softmax(x, -1), file=F)
add("softmax", "2-D, logits ~ +-300", {"x": ("N", 10)}, "softmax({x})",
    lambda x: torch.softmax(x, 1), gen=scaled(100.0), file=F)
add("softmax", "4-D, axis=1", X4, "softmax({x}, axis=1)",
    lambda x: torch.softmax(x, 1), file=F)
add("softmax", "4-D, axis=3 (last)", X4, "softmax({x}, axis=3)",
    lambda x: torch.softmax(x, 3), file=F)
add("softmax", "4-D, axis=-1", X4, "softmax({x}, axis=-1)",
    lambda x: torch.softmax(x, -1), file=F)
add("softmax", "4-D, axis=2", X4, "softmax({x}, axis=2)",
    lambda x: torch.softmax(x, 2), file=F)
add("softmax", "3-D, axis=2 (last), large", {"x": ("N", 3, 12)},
    "softmax({x}, axis=2)", lambda x: torch.softmax(x, 2), gen=scaled(50.0),
    file=F)
add("softmax", "3-D, axis=1, one channel", {"x": ("N", 1, 5)},
    "softmax({x}, axis=1)", lambda x: torch.softmax(x, 1), file=F)

# --- concat ----------------------------------------------------------------
F = "concat"
# Concat of model inputs: a regression test for lowerConcat reading each
# input out of its bounds on the concat axis (an unclamped select: net-run
# failed with "Input buffer a is accessed at 4, which is beyond the max (1)
# in dimension 2").


def concat_case(desc, inputs, expr, ref):
    add("concat", desc, inputs, expr, ref, file=F)


concat_case("4-D, 2 inputs, axis 1",
            {"a": ("N", 2, 4, 5), "b": ("N", 3, 4, 5)},
            "concat({a}, {b}, axis=1)", lambda a, b: torch.cat([a, b], 1))
concat_case("4-D, 3 inputs, default axis",
            {"a": ("N", 1, 3, 3), "b": ("N", 4, 3, 3), "c": ("N", 2, 3, 3)},
            "concat({a}, {b}, {c})", lambda a, b, c: torch.cat([a, b, c], 1))
concat_case("2-D, axis 1", {"a": ("N", 3), "b": ("N", 5)},
            "concat({a}, {b}, axis=1)", lambda a, b: torch.cat([a, b], 1))
concat_case("3-D, axis 1", {"a": ("N", 3, 6), "b": ("N", 2, 6)},
            "concat({a}, {b}, axis=1)", lambda a, b: torch.cat([a, b], 1))
concat_case("5-D, axis 1", {"a": ("N", 1, 2, 3, 4), "b": ("N", 2, 2, 3, 4)},
            "concat({a}, {b}, axis=1)", lambda a, b: torch.cat([a, b], 1))
concat_case("x with itself", {"a": ("N", 2, 3, 3)}, "concat({a}, {a})",
            lambda a: torch.cat([a, a], 1))
concat_case("4-D, axis 2", {"a": ("N", 2, 3, 5), "b": ("N", 2, 4, 5)},
            "concat({a}, {b}, axis=2)", lambda a, b: torch.cat([a, b], 2))
concat_case("4-D, axis -1", {"a": ("N", 2, 3, 5), "b": ("N", 2, 3, 2)},
            "concat({a}, {b}, axis=-1)", lambda a, b: torch.cat([a, b], -1))

# concat of computed values (relu, conv): inputs that are pipeline stages.
add("concat", "relu(a), relu(b), axis 1",
    {"a": ("N", 2, 4, 5), "b": ("N", 3, 4, 5)},
    "concat(relu({a}), relu({b}))",
    lambda a, b: torch.cat([torch.relu(a), torch.relu(b)], 1), file=F)


class Inception(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(3, 2, 1)
        self.b2 = nn.Conv2d(3, 3, 3, padding=1)
        self.b3 = nn.Conv2d(3, 2, 5, padding=2)


m = Inception()
add("concat", "inception: conv 1x1, 3x3, 5x5 branches", {"x": ("N", 3, 7, 7)},
    'concat(conv({x}, 2, kernel=1) as "{out}.b1", '
    'conv({x}, 3, kernel=3, pad=1) as "{out}.b2", '
    'conv({x}, 2, kernel=5, pad=2) as "{out}.b3")',
    lambda m, x: torch.cat([m.b1(x), m.b2(x), m.b3(x)], 1), module=m, file=F)

# --- flatten -----------------------------------------------------------------
F = "shape"
add("flatten", "4-D", X4, "flatten({x})", lambda x: torch.flatten(x, 1), file=F)
add("flatten", "3-D", {"x": ("N", 4, 6)}, "flatten({x})",
    lambda x: torch.flatten(x, 1), file=F)
add("flatten", "5-D", {"x": ("N", 2, 3, 4, 2)}, "flatten({x})",
    lambda x: torch.flatten(x, 1), file=F)
add("flatten", "2-D (identity)", {"x": ("N", 6)}, "flatten({x})",
    lambda x: torch.flatten(x, 1), file=F)
add("flatten", "then relu", X4, "flatten({x}) |> relu",
    lambda x: torch.relu(torch.flatten(x, 1)), file=F)

# --- layers with parameters: fc, batchnorm --------------------------------
F = "params"


def fc(shape, out, bias=True, desc="", file="params"):
    feats = 1
    for d in shape:
        feats *= d
    m = nn.Sequential(nn.Flatten(), nn.Linear(feats, out, bias=bias))
    if bias:
        with torch.no_grad():
            m[1].bias.uniform_(-0.5, 0.5)
    # The .net prefix is the statement's name: NAME.weight, NAME.bias.
    lin = m[1]
    add("fc", f"in {'x'.join(map(str, shape))} out {out}{desc}",
        {"x": ("N",) + tuple(shape)},
        "fc({x}, %d%s)" % (out, "" if bias else ", bias=false"),
        lambda lin, x: lin(torch.flatten(x, 1)), module=lin, file=file)


fc([20], 7)
fc([3, 4, 5], 6, desc=" (4-D input)")
fc([4, 6], 5, desc=" (3-D input)")
fc([2, 2, 3, 2], 3, desc=" (5-D input)")
fc([12], 4, bias=False, desc=", no bias")
fc([8, 2, 2], 9, bias=False, desc=" (4-D input), no bias")
fc([16], 1, desc=" (one output)")
fc([300], 33, desc=" (wide)")


def bn(shape, eps=None, desc="", file="params"):
    rank = len(shape) + 1
    cls = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d,
           5: nn.BatchNorm3d}[rank]
    m = cls(shape[0], eps=eps if eps is not None else 1e-5)
    nc.randomize_batchnorm(m)
    m.eval()
    expr = "batchnorm({x})" if eps is None else f"batchnorm({{x}}, eps={eps})"
    add("batchnorm", f"{rank}-D {'x'.join(map(str, shape))}{desc}",
        {"x": ("N",) + tuple(shape)}, expr, lambda m, x: m(x), module=m,
        gen=scaled(2.0, 0.3), file=file)


bn([6])
bn([4, 9])
bn([5, 6, 7])
bn([3, 4, 5, 3])
bn([5, 6, 7], eps=1e-3, desc=", eps 1e-3")
bn([2, 3, 3], eps=0.5, desc=", eps 0.5")

# --- chains that -O2 fuses (two parameter calls: named with `as`) ---------
F = "fused"


class Chain(nn.Module):
    def __init__(self, **mods):
        super().__init__()
        for k, v in mods.items():
            setattr(self, k, v)


m = Chain(conv=nn.Conv2d(3, 4, 3, padding=1), bn=nn.BatchNorm2d(4))
nc.randomize_batchnorm(m)
add("fused", "conv |> batchnorm |> relu", {"x": ("N", 3, 8, 8)},
    'conv({x}, 4, kernel=3, pad=1) as "{out}.conv" |> batchnorm() as "{out}.bn"'
    " |> relu", lambda m, x: torch.relu(m.bn(m.conv(x))), module=m, file=F)
m = Chain(conv=nn.Conv2d(3, 5, 3))
add("fused", "conv |> relu |> maxpool 2", {"x": ("N", 3, 10, 9)},
    'conv({x}, 5, kernel=3) as "{out}.conv" |> relu |> maxpool(kernel=2)',
    lambda m, x: nn.functional.max_pool2d(torch.relu(m.conv(x)), 2),
    module=m, file=F)
m = Chain(conv=nn.Conv2d(3, 3, 3, padding=1, bias=False), bn=nn.BatchNorm2d(3))
nc.randomize_batchnorm(m)
add("fused", "relu(batchnorm(conv(x)) + x) (residual)", {"x": ("N", 3, 6, 6)},
    'relu(batchnorm(conv({x}, 3, kernel=3, pad=1, bias=false) as "{out}.conv")'
    ' as "{out}.bn" + {x})', lambda m, x: torch.relu(m.bn(m.conv(x)) + x),
    module=m, file=F)
m = Chain(a=nn.Linear(12, 16), b=nn.Linear(16, 5))
add("fused", "softmax(fc(relu(fc(x))))", {"x": ("N", 12)},
    'fc({x}, 16) as "{out}.a" |> relu |> fc(5) as "{out}.b" |> softmax',
    lambda m, x: torch.softmax(m.b(torch.relu(m.a(x))), 1), module=m, file=F)
add("fused", "sigmoid(x) * y (gating)", XY4, "sigmoid({x}) * {y}",
    lambda x, y: torch.sigmoid(x) * y, file=F)
m = Chain(conv=nn.Conv2d(2, 4, 3, padding=1))
add("fused", "avgpool(tanh(conv)) then flatten, fc-less",
    {"x": ("N", 2, 6, 6)},
    'conv({x}, 4, kernel=3, pad=1) as "{out}.conv" |> tanh |> avgpool(kernel=2)'
    " |> flatten",
    lambda m, x: torch.flatten(nn.functional.avg_pool2d(torch.tanh(m.conv(x)), 2), 1),
    module=m, file=F)

# Two calls with the same `as` name share their parameters (Siamese nets).
m = Chain(shared=nn.Conv2d(3, 4, 3))
add("fused", "shared conv (same `as` name) on x and y", XY4,
    'conv({x}, 4, kernel=3) as "{out}.shared" - '
    'conv({y}, 4, kernel=3) as "{out}.shared"',
    lambda m, x, y: m.shared(x) - m.shared(y), module=m, file=F)

# Blocks and repeat, with torchvision's BasicBlock names (conv1, bn1, ...).
suite.prelude(F, """\
block basic(x, ch: int) {
  y = conv(x, ch, kernel=3, pad=1, bias=false) as "conv1"
        |> batchnorm() as "bn1" |> relu
  z = conv(y, ch, kernel=3, pad=1, bias=false) as "conv2"
  return relu(batchnorm(z) as "bn2" + x)
}
""")


class BasicBlock(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(ch)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + x)


add("block", "basic(x, 4) as NAME", {"x": ("N", 4, 6, 7)},
    'basic({x}, 4) as "{out}"', lambda m, x: m(x),
    module=nc.randomize_batchnorm(BasicBlock(4)), file=F)
add("block", "repeat(2, basic, x, 3) as NAME", {"x": ("N", 3, 5, 5)},
    'repeat(2, basic, {x}, 3) as "{out}"', lambda m, x: m(x),
    module=nc.randomize_batchnorm(nn.Sequential(BasicBlock(3), BasicBlock(3))),
    file=F)

# --- wide: innermost dim >= 16, so that -O2 vectorizes it (16 lanes with
# AVX-512, 8 with AVX2), with and without a tail -----------------------------
F = "wide"
XW = {"x": ("N", 3, 4, 37)}
XYW = {"x": ("N", 3, 4, 37), "y": ("N", 3, 4, 37)}
add("softmax", "wide, axis 1", XW, "softmax({x})",
    lambda x: torch.softmax(x, 1), file=F)
add("softmax", "wide, last axis (37)", XW, "softmax({x}, axis=-1)",
    lambda x: torch.softmax(x, -1), gen=scaled(10.0), file=F)
add("softmax", "2-D, 1000 classes", {"x": ("N", 1000)}, "softmax({x})",
    lambda x: torch.softmax(x, 1), gen=scaled(5.0), file=F)
add("flatten", "wide", XW, "flatten({x})", lambda x: torch.flatten(x, 1),
    file=F)
add("concat", "relu(a), relu(b), wide", {"a": ("N", 2, 3, 21), "b": ("N", 3, 3, 21)},
    "concat(relu({a}), relu({b}))",
    lambda a, b: torch.cat([torch.relu(a), torch.relu(b)], 1), file=F)
fc([3, 4, 37], 40, desc=", wide", file=F)
fc([1000], 16, desc=", 16 outputs", file=F)
fc([64], 100, bias=False, desc=", 100 outputs, no bias", file=F)
fc([3, 7, 5], 20, desc=", 105 inputs: 4 partial sums, one input short", file=F)
fc([5, 5, 5], 1, desc=", 1 output", file=F)
bn([4, 5, 37], desc=", wide", file=F)
bn([40], desc=", 40 features", file=F)

suite.run(o0=["shape", "concat", "params", "fused", "wide"],
          extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
