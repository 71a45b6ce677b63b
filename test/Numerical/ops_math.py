# Math ops of netlang.md section 6 against PyTorch: relu6, abs, sqrt, exp,
# log, square, leaky_relu (default and given slopes), log_softmax (every axis
# incl. negative ones and the batch axis, large logits), mean and sum
# (keepdim=False; one or several axes, negative axes, the batch axis, every
# axis, an int for `axes`), l2norm (F.normalize: axes, eps clamping, zero
# rows) and reshape (torch.reshape: -1 in any position, a symbolic batch kept
# as dim 0, static inputs, ranks 1 to 5). Inputs are 1-D to 5-D with odd
# sizes. Each case is one output of a generated .net; the files are compiled
# at -O2 and -O0 (the wide one, whose innermost dims -O2 vectorizes, also for
# AVX2) and run through the reference evaluator, at batch 3 and 1.
# Tolerance: max relative error 1e-4 (netcompare.TOL).
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc

suite = nc.OpSuite("ops_math", sys.argv[1], batches=(3, 1))
add = suite.add


def scaled(s, shift=0.0):
    return lambda _, shape: nc.randn(*shape) * s + shift


def positive(lo=1e-3):
    """|z| + lo: inputs of sqrt and log."""
    return lambda _, shape: abs(nc.randn(*shape)) + lo


def log_uniform(decades):
    """exp(z * decades): positive values over many orders of magnitude."""
    return lambda _, shape: torch.exp(
        torch.from_numpy(nc.randn(*shape)) * decades).numpy()


def with_zero_rows(_, shape):
    """Small values, with every other item of dim 1 all zero (l2norm's eps)."""
    a = nc.randn(*shape) * 1e-3
    a[:, ::2] = 0
    return a


X4 = {"x": ("N", 3, 5, 7)}
X3 = {"x": ("N", 4, 9)}
X2 = {"x": ("N", 11)}
X1 = {"x": ("N",)}
X5 = {"x": ("N", 2, 3, 4, 5)}

# --- elementwise ----------------------------------------------------------
F_ = "elementwise"
relu6 = nn.ReLU6()
add("relu6", "4-D, |x| up to ~12", X4, "relu6({x})", relu6, gen=scaled(4.0),
    file=F_)
add("relu6", "2-D", X2, "relu6({x})", relu6, gen=scaled(5.0, 2.0), file=F_)
add("relu6", "1-D", X1, "relu6({x})", relu6, gen=scaled(8.0), file=F_)
add("relu6", "5-D, piped", X5, "{x} |> relu6", relu6, gen=scaled(4.0),
    file=F_)
add("abs", "4-D", X4, "abs({x})", torch.abs, file=F_)
add("abs", "1-D", X1, "abs({x})", torch.abs, file=F_)
add("abs", "3-D", X3, "abs({x})", torch.abs, file=F_)
add("sqrt", "4-D", X4, "sqrt({x})", torch.sqrt, gen=positive(), file=F_)
add("sqrt", "2-D, 1e-6 to 1e6", X2, "sqrt({x})", torch.sqrt,
    gen=log_uniform(5.0), file=F_)
add("sqrt", "3-D, tiny values", X3, "sqrt({x})", torch.sqrt,
    gen=positive(1e-8), file=F_)
add("exp", "4-D", X4, "exp({x})", torch.exp, file=F_)
add("exp", "2-D, |x| up to ~40", X2, "exp({x})", torch.exp,
    gen=scaled(12.0), file=F_)
add("exp", "1-D", X1, "exp({x})", torch.exp, file=F_)
add("log", "4-D", X4, "log({x})", torch.log, gen=positive(), file=F_)
add("log", "2-D, 1e-8 to 1e8", X2, "log({x})", torch.log,
    gen=log_uniform(6.0), file=F_)
add("log", "3-D, near 1", X3, "log({x})", torch.log,
    gen=scaled(0.01, 1.0), file=F_)
add("square", "4-D", X4, "square({x})", torch.square, file=F_)
add("square", "2-D, |x| ~ 100", X2, "square({x})", torch.square,
    gen=scaled(100.0), file=F_)
add("square", "1-D", X1, "square({x})", torch.square, file=F_)
add("leaky_relu", "4-D, default slope", X4, "leaky_relu({x})",
    F.leaky_relu, file=F_)
add("leaky_relu", "4-D, slope=0.2", X4, "leaky_relu({x}, slope=0.2)",
    lambda x: F.leaky_relu(x, 0.2), file=F_)
add("leaky_relu", "2-D, slope=-0.5, positional", X2,
    "leaky_relu({x}, -0.5)", lambda x: F.leaky_relu(x, -0.5), file=F_)
add("leaky_relu", "3-D, slope=1 (int)", X3, "leaky_relu({x}, slope=1)",
    lambda x: F.leaky_relu(x, 1.0), file=F_)
add("leaky_relu", "1-D, piped", X1, "{x} |> leaky_relu(slope=0.1)",
    lambda x: F.leaky_relu(x, 0.1), file=F_)
add("elementwise", "sqrt(square(x) + 1) |> log", X4,
    "sqrt(square({x}) + 1) |> log",
    lambda x: torch.log(torch.sqrt(x * x + 1)), file=F_)
add("elementwise", "exp(log(abs(x) + 0.5))", X3, "exp(log(abs({x}) + 0.5))",
    lambda x: torch.exp(torch.log(x.abs() + 0.5)), file=F_)

# --- along an axis: log_softmax, l2norm -------------------------------------
F_ = "axis"
add("log_softmax", "2-D, default axis", X2, "log_softmax({x})",
    lambda x: torch.log_softmax(x, 1), file=F_)
add("log_softmax", "2-D, logits ~ +-300", X2, "log_softmax({x})",
    lambda x: torch.log_softmax(x, 1), gen=scaled(100.0), file=F_)
add("log_softmax", "4-D, axis=1", X4, "log_softmax({x}, axis=1)",
    lambda x: torch.log_softmax(x, 1), file=F_)
add("log_softmax", "4-D, axis=2", X4, "log_softmax({x}, axis=2)",
    lambda x: torch.log_softmax(x, 2), file=F_)
add("log_softmax", "4-D, axis=-1", X4, "log_softmax({x}, axis=-1)",
    lambda x: torch.log_softmax(x, -1), file=F_)
add("log_softmax", "4-D, axis=-3", X4, "log_softmax({x}, axis=-3)",
    lambda x: torch.log_softmax(x, -3), file=F_)
add("log_softmax", "4-D, axis=0 (batch)", X4, "log_softmax({x}, axis=0)",
    lambda x: torch.log_softmax(x, 0), file=F_)
add("log_softmax", "3-D, axis=2, large", X3, "log_softmax({x}, axis=2)",
    lambda x: torch.log_softmax(x, 2), gen=scaled(30.0), file=F_)
add("log_softmax", "1-D, axis=0 (batch)", X1, "log_softmax({x}, axis=0)",
    lambda x: torch.log_softmax(x, 0), file=F_)
add("log_softmax", "3-D, one channel", {"x": ("N", 1, 5)},
    "log_softmax({x})", lambda x: torch.log_softmax(x, 1), file=F_)
add("l2norm", "2-D, default (embedding)", {"x": ("N", 13)}, "l2norm({x})",
    F.normalize, file=F_)
add("l2norm", "4-D, axis=1", X4, "l2norm({x}, axis=1)",
    lambda x: F.normalize(x, dim=1), file=F_)
add("l2norm", "4-D, axis=-1", X4, "l2norm({x}, axis=-1)",
    lambda x: F.normalize(x, dim=-1), file=F_)
add("l2norm", "4-D, axis=2", X4, "l2norm({x}, axis=2)",
    lambda x: F.normalize(x, dim=2), file=F_)
add("l2norm", "3-D, axis=0 (batch)", X3, "l2norm({x}, axis=0)",
    lambda x: F.normalize(x, dim=0), file=F_)
add("l2norm", "1-D, axis=0", X1, "l2norm({x}, axis=0)",
    lambda x: F.normalize(x, dim=0), file=F_)
add("l2norm", "3-D, eps=0.01 clamps small rows", X3,
    "l2norm({x}, axis=2, eps=0.01)",
    lambda x: F.normalize(x, dim=2, eps=0.01),
    gen=lambda _, s: nc.randn(*s) * (torch.rand(*s[:2], 1).numpy() * 0.01),
    file=F_)
add("l2norm", "2-D, zero rows", {"x": ("N", 6, 5)}, "l2norm({x}, axis=2)",
    lambda x: F.normalize(x, dim=2), gen=with_zero_rows, file=F_)
m = nn.Linear(20, 8)
add("l2norm", "l2norm(fc(x)) (FaceNet head)", {"x": ("N", 20)},
    "l2norm(fc({x}, 8))", lambda m, x: F.normalize(m(x)), module=m, file=F_)

# --- reductions -----------------------------------------------------------
F_ = "reduce"
for op, fn in (("mean", torch.mean), ("sum", torch.sum)):
    def case(desc, inputs, args, dims, gen=None, op=op, fn=fn):
        ref = (lambda x: fn(x)) if dims is None else \
            (lambda x: fn(x, dim=dims))
        expr = f"{op}({{x}}{args})"
        add(op, desc, inputs, expr, ref, gen=gen, file=F_)

    case("4-D, axes=[2, 3] (global pool)", X4, ", axes=[2, 3]", [2, 3])
    case("4-D, axes=[1]", X4, ", axes=[1]", [1])
    case("4-D, axes=2 (an int)", X4, ", axes=2", [2])
    case("4-D, axes=[-1]", X4, ", axes=[-1]", [-1])
    case("4-D, axes=[3, 1] (unsorted)", X4, ", axes=[3, 1]", [3, 1])
    case("4-D, axes=[1, -2, 3]", X4, ", axes=[1, -2, 3]", [1, 2, 3])
    case("4-D, axes=[0] (batch)", X4, ", axes=[0]", [0])
    case("4-D, axes=[0, 2]", X4, ", axes=[0, 2]", [0, 2])
    case("4-D, every axis (no axes)", X4, "", None)
    case("3-D, axes=[2]", X3, ", axes=[2]", [2])
    case("3-D, axes=[-2], shifted", X3, ", axes=[-2]", [-2],
         gen=scaled(1.0, 5.0))
    case("2-D, axes=[1]", X2, ", axes=[1]", [1])
    case("1-D, axes=[0] (a scalar)", X1, ", axes=[0]", [0])
    case("5-D, axes=[2, 4]", X5, ", axes=[2, 4]", [2, 4])
    case("2-D, 1000 features", {"x": ("N", 1000)}, ", axes=[1]", [1],
         gen=scaled(1.0, 0.5))
add("mean", "rms: sqrt(mean(square(x)))", X4,
    "sqrt(mean(square({x}), axes=[2, 3]))",
    lambda x: torch.sqrt(torch.mean(x * x, dim=[2, 3])), file=F_)
add("sum", "log(sum(exp(x))) (logsumexp)", X3,
    "log(sum(exp({x}), axes=[1]))", lambda x: torch.logsumexp(x, 1),
    file=F_)

# --- reshape -----------------------------------------------------------------
F_ = "reshape"


def reshape(desc, inputs, dims, expr=None, ref=None):
    shape = ", ".join(map(str, dims))
    add("reshape", desc, inputs, expr or f"reshape({{x}}, [{shape}])",
        ref or (lambda x: torch.reshape(x, dims)), file=F_)


reshape("?x16x5x5 to [-1, 16, 25]", {"x": ("N", 16, 5, 5)}, [-1, 16, 25])
reshape("?x16x5x5 to [-1, 400]", {"x": ("N", 16, 5, 5)}, [-1, 400])
reshape("?x3x5x7 to [-1, 7, 5, 3]", X4, [-1, 7, 5, 3])
reshape("?x3x5x7 to [-1, 105, 1]", X4, [-1, 105, 1])
reshape("?x12 to [-1, 3, 4]", {"x": ("N", 12)}, [-1, 3, 4])
reshape("?x2x3x4x5 to [-1, 6, 20]", X5, [-1, 6, 20])
reshape("? to [-1] (1-D)", X1, [-1])
reshape("? to [-1, 1, 1]", X1, [-1, 1, 1])
reshape("static 6x4 to [3, 8]", {"x": (6, 4)}, [3, 8])
reshape("static 6x4 to [2, -1, 2]", {"x": (6, 4)}, [2, -1, 2])
reshape("static 6x4 to [-1]", {"x": (6, 4)}, [-1])
reshape("static 2x3x5 to [5, -1]", {"x": (2, 3, 5)}, [5, -1])
reshape("static 30 to [2, 3, 5, 1, 1]", {"x": (30,)}, [2, 3, 5, 1, 1])
reshape("then relu, wide", {"x": ("N", 4, 3, 17)}, [-1, 17, 12],
        expr="reshape({x}, [-1, 17, 12]) |> relu",
        ref=lambda x: torch.relu(torch.reshape(x, [-1, 17, 12])))
reshape("reshape(x, shape=[-1, 35, 3]) by name", X4, [-1, 35, 3],
        expr="reshape({x}, shape=[-1, 35, 3])")
reshape("of a computed value: sum then reshape", X4, [-1, 5, 7],
        expr="reshape(sum({x}, axes=[1]), [-1, 35]) |> reshape([-1, 5, 7])",
        ref=lambda x: torch.sum(x, 1))

# --- wide: innermost dims >= 16, so that -O2 vectorizes them (16 lanes with
# AVX-512, 8 with AVX2), with and without a tail -----------------------------
F_ = "wide"
XW = {"x": ("N", 3, 4, 37)}
add("relu6", "wide 3x4x37", XW, "relu6({x})", relu6, gen=scaled(5.0),
    file=F_)
add("leaky_relu", "wide 3x4x37", XW, "leaky_relu({x}, slope=0.3)",
    lambda x: F.leaky_relu(x, 0.3), file=F_)
add("exp", "wide 3x4x37", XW, "exp({x})", torch.exp, gen=scaled(3.0),
    file=F_)
add("log", "wide 3x4x37", XW, "log({x})", torch.log, gen=log_uniform(3.0),
    file=F_)
add("sqrt", "wide 2x16", {"x": ("N", 2, 16)}, "sqrt({x})", torch.sqrt,
    gen=positive(), file=F_)
add("abs", "wide 3x4x37", XW, "abs({x})", torch.abs, file=F_)
add("square", "wide 3x4x37", XW, "square({x})", torch.square, file=F_)
add("log_softmax", "wide, last axis (37)", XW, "log_softmax({x}, axis=-1)",
    lambda x: torch.log_softmax(x, -1), gen=scaled(10.0), file=F_)
add("log_softmax", "wide, axis 1", XW, "log_softmax({x})",
    lambda x: torch.log_softmax(x, 1), file=F_)
add("log_softmax", "2-D, 1000 classes", {"x": ("N", 1000)},
    "log_softmax({x})", lambda x: torch.log_softmax(x, 1), gen=scaled(5.0),
    file=F_)
add("l2norm", "wide, axis 1", XW, "l2norm({x})", F.normalize, file=F_)
add("l2norm", "wide, last axis", XW, "l2norm({x}, axis=3)",
    lambda x: F.normalize(x, dim=3), file=F_)
add("l2norm", "2-D, 128-d embedding", {"x": ("N", 128)}, "l2norm({x})",
    F.normalize, file=F_)
add("mean", "wide, axes=[1]", XW, "mean({x}, axes=[1])",
    lambda x: torch.mean(x, 1), file=F_)
add("mean", "wide, axes=[3] (innermost)", XW, "mean({x}, axes=[3])",
    lambda x: torch.mean(x, 3), file=F_)
add("mean", "wide, axes=[0] (batch)", XW, "mean({x}, axes=[0])",
    lambda x: torch.mean(x, 0), file=F_)
add("sum", "wide, axes=[2]", XW, "sum({x}, axes=[2])",
    lambda x: torch.sum(x, 2), file=F_)
add("sum", "wide, axes=[1, 2]", XW, "sum({x}, axes=[1, 2])",
    lambda x: torch.sum(x, [1, 2]), file=F_)
add("reshape", "wide, [-1, 12, 37] to [-1, 37, 12]", XW,
    "reshape({x}, [-1, 37, 12])", lambda x: torch.reshape(x, [-1, 37, 12]),
    file=F_)
add("reshape", "wide, [-1, 444]", XW, "reshape({x}, [-1, 444])",
    lambda x: torch.reshape(x, [-1, 444]), file=F_)

suite.run(extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
