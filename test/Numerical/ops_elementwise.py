# Elementwise ops of netlang.md section 6 against PyTorch: relu, sigmoid,
# tanh (incl. saturating and tiny inputs), dropout (identity at inference),
# tensor +, -, *, / of equal shapes and the scalar affine forms (`2*x - 1`,
# `1 - x`, `-x`, `x / 4`, ...). Each case is one output of a generated .net;
# the files are compiled at -O2 (the wide one, whose innermost dim -O2
# vectorizes, also at -O0 and for AVX2) and run through the reference
# evaluator, at batch 2 and 1. Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch

import netcompare as nc

suite = nc.OpSuite("ops_elementwise", sys.argv[1])
add = suite.add


def scaled(s, shift=0.0):
    return lambda _, shape: nc.randn(*shape) * s + shift


def denominator(name, shape):
    """A divisor bounded away from 0: sign * (0.5 + |z|)."""
    z = nc.randn(*shape)
    return (z >= 0) * 2 - 1 + 0.5 * z


X4 = {"x": ("N", 3, 5, 7)}
XY4 = {"x": ("N", 3, 5, 7), "y": ("N", 3, 5, 7)}

# --- elementwise ---------------------------------------------------------
F = "elementwise"
add("relu", "4-D", X4, "relu({x})", torch.relu, file=F)
add("relu", "2-D", {"x": ("N", 10)}, "relu({x})", torch.relu, file=F)
add("relu", "3-D, piped", {"x": ("N", 4, 9)}, "{x} |> relu", torch.relu, file=F)
add("relu", "5-D", {"x": ("N", 2, 3, 4, 5)}, "relu({x})", torch.relu, file=F)
add("sigmoid", "4-D", X4, "sigmoid({x})", torch.sigmoid, file=F)
add("sigmoid", "2-D, |x| up to ~100", {"x": ("N", 40)}, "sigmoid({x})",
    torch.sigmoid, gen=scaled(30.0), file=F)
add("sigmoid", "3-D", {"x": ("N", 4, 9)}, "sigmoid({x})", torch.sigmoid, file=F)
add("tanh", "4-D", X4, "tanh({x})", torch.tanh, file=F)
add("tanh", "2-D, |x| up to ~60", {"x": ("N", 40)}, "tanh({x})", torch.tanh,
    gen=scaled(20.0), file=F)
add("tanh", "2-D, |x| < 0.01", {"x": ("N", 40)}, "tanh({x})", torch.tanh,
    gen=scaled(0.003), file=F)
add("dropout", "default p", X4, "dropout({x})", lambda x: x, file=F)
add("dropout", "p=0.3, 2-D", {"x": ("N", 8)}, "dropout({x}, p=0.3)",
    lambda x: x, file=F)
add("add", "4-D", XY4, "{x} + {y}", torch.add, file=F)
add("add", "2-D", {"x": ("N", 6), "y": ("N", 6)}, "{x} + {y}", torch.add,
    file=F)
add("sub", "4-D", XY4, "{x} - {y}", torch.sub, file=F)
add("sub", "3-D", {"x": ("N", 3, 8), "y": ("N", 3, 8)}, "{x} - {y}",
    torch.sub, file=F)
add("mul", "4-D", XY4, "{x} * {y}", torch.mul, file=F)
add("mul", "5-D", {"x": ("N", 2, 3, 2, 4), "y": ("N", 2, 3, 2, 4)},
    "{x} * {y}", torch.mul, file=F)
add("div", "4-D", XY4, "{x} / {y}", torch.div,
    gen=lambda n, s: denominator(n, s) if n == "y" else nc.randn(*s), file=F)
add("div", "2-D", {"x": ("N", 9), "y": ("N", 9)}, "{x} / {y}", torch.div,
    gen=lambda n, s: denominator(n, s) if n == "y" else nc.randn(*s), file=F)
add("add", "x + x", X4, "{x} + {x}", lambda x: x + x, file=F)
add("add", "a chain of 4", {"a": ("N", 5), "b": ("N", 5), "c": ("N", 5),
                             "d": ("N", 5)},
    "{a} + {b} - {c} * {d}", lambda a, b, c, d: a + b - c * d, file=F)
add("add", "(x + y) * (x - y)", XY4, "({x} + {y}) * ({x} - {y})",
    lambda x, y: (x + y) * (x - y), file=F)
add("affine", "2*x - 1", X4, "2*{x} - 1", lambda x: 2 * x - 1, file=F)
add("affine", "x*0.5 + 3", X4, "{x}*0.5 + 3", lambda x: x * 0.5 + 3, file=F)
add("affine", "x / 4", X4, "{x} / 4", lambda x: x / 4, file=F)
add("affine", "-x", X4, "-{x}", lambda x: -x, file=F)
add("affine", "1 - x", X4, "1 - {x}", lambda x: 1 - x, file=F)
add("affine", "3 - 2*x", X4, "3 - 2*{x}", lambda x: 3 - 2 * x, file=F)
add("affine", "(x + 1) * 2", X4, "({x} + 1) * 2", lambda x: (x + 1) * 2,
    file=F)
add("affine", "-(x - 2) / 5", X4, "-({x} - 2) / 5", lambda x: -(x - 2) / 5,
    file=F)
add("affine", "x / 0.1 - 2 * 3", {"x": ("N", 7)}, "{x} / 0.1 - 2 * 3",
    lambda x: x / 0.1 - 6, file=F)
add("affine", "x - y*2 + 1", XY4, "{x} - {y}*2 + 1",
    lambda x, y: x - y * 2 + 1, file=F)
add("affine", "2*sigmoid(x) - 1", X4, "2*sigmoid({x}) - 1",
    lambda x: 2 * torch.sigmoid(x) - 1, file=F)
add("relu", "relu(2*x - 1)", X4, "relu(2*{x} - 1)",
    lambda x: torch.relu(2 * x - 1), file=F)

# --- wide: innermost dim >= 16, so that -O2 vectorizes it (16 lanes with
# AVX-512, 8 with AVX2), with and without a tail -----------------------------
F = "wide"
XW = {"x": ("N", 3, 4, 37)}
XYW = {"x": ("N", 3, 4, 37), "y": ("N", 3, 4, 37)}
add("relu", "wide 3x4x37", XW, "relu({x})", torch.relu, file=F)
add("sigmoid", "wide 3x4x37, |x| ~ 30", XW, "sigmoid({x})", torch.sigmoid,
    gen=scaled(30.0), file=F)
add("tanh", "wide 2x16", {"x": ("N", 2, 16)}, "tanh({x})", torch.tanh, file=F)
add("tanh", "wide 3x4x37, |x| ~ 20", XW, "tanh({x})", torch.tanh,
    gen=scaled(20.0), file=F)
add("add", "wide", XYW, "{x} + {y}", torch.add, file=F)
add("sub", "wide", XYW, "{x} - {y}", torch.sub, file=F)
add("mul", "wide", XYW, "{x} * {y}", torch.mul, file=F)
add("div", "wide", XYW, "{x} / {y}", torch.div,
    gen=lambda n, s: denominator(n, s) if n == "y" else nc.randn(*s), file=F)
add("affine", "wide 2*x - 1", XW, "2*{x} - 1", lambda x: 2 * x - 1, file=F)

suite.run(o0=["wide"],
          extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
