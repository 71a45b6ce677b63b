# The int8 convolution kernels (--quantize=int8 at -O2: u8 x i8 sums in
# int32, vpdpbusd with AVX-512 VNNI, vpmaddwd otherwise; requantized to u8
# in the epilogue where only a qdq reads the result) against the
# reference evaluator running the same quantized IR (netc --run-reference
# with the same flags: f32 arithmetic on the qdq'd values), on a network of
# convolutions in every shape the kernels handle: 3 and 17 input channels
# (not a multiple of the dot width), 24 and 17 output channels (not a
# multiple of the vector), 1x1, 3x3, 5x5, stride 2, dilation 2, padding
# (the zero point), batchnorm folded, bias, residual add, relu, a padded
# max pool on the u8 codes (net-quantize moves its reader's qdq above it),
# and a layer
# too narrow for the tile that stays on the f32 kernel; and, without VNNI,
# a 3x3 layer f32 would run with Winograd, which keeps Winograd on its
# dequantized u8 codes between two vpmaddwd layers. Inputs partly
# outside the calibrated range exercise the clamps. --emit=halide must
# show which layers run int8 and with which instruction.
#
# Tolerance: the kernels' int32 sums are exact where the reference's f32
# sums round, so an activation within rounding of a quantization tie may
# land on the other side: at least 95% of the outputs match to 1e-4
# (relative to the largest |output|), all within 2e-2, per target.
#
# The targets are the arguments (default: host and x86-64-avx2; the
# AVX-512 ones run from int8_kernels_avx512.test where the CPU has them).
#
# REQUIRES: numpy
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t host x86-64-avx2

import os
import subprocess
import sys

import numpy as np

import netcompare as nc

tmp = sys.argv[1]
targets = sys.argv[2:] or ["host", "x86-64-avx2"]
chk = nc.Checker("int8-kernels")

NET = """
network int8_shapes
input x: f32[N, 3, 13, 11]

a = conv(x, 24, kernel=3, pad=1, bias=false) as "a" |> batchnorm() as "a_bn" |> relu
b = conv(a, 32, kernel=1) as "b"
c = conv(b, 32, kernel=3, pad=2, dilation=2, bias=false) as "c"
d = relu(residual(c, b))
m = maxpool(d, kernel=3, stride=1, pad=1)
e = conv(m, 17, kernel=1, stride=2) as "e" |> relu
f = conv(e, 32, kernel=5, pad=2, stride=2) as "f"
g = conv(f, 8, kernel=3, stride=2, pad=1) as "g" |> relu
output y = g
output z = flatten(g) |> fc(20) as "fc"
"""

net = os.path.join(tmp, "int8_shapes.net")
with open(net, "w") as f:
    f.write(NET)
rng = np.random.RandomState(7)
cal = os.path.join(tmp, "cal.npy")
np.save(cal, rng.randn(8, 3, 13, 11).astype(np.float32))
quant = ["--seed=3", "--quantize=int8", f"--calibration={cal}"]


WINO_NET = """
network int8_wino
input x: f32[N, 16, 24, 24]
a = conv(x, 64, kernel=1) as "a" |> relu
b = conv(a, 64, kernel=3, pad=1) as "b" |> relu
output y = conv(b, 16, kernel=1) as "y"
"""
wino = os.path.join(tmp, "int8_wino.net")
with open(wino, "w") as f:
    f.write(WINO_NET)
wino_cal = os.path.join(tmp, "wino_cal.npy")
np.save(wino_cal, rng.randn(4, 16, 24, 24).astype(np.float32))


def netc(args, src=net):
    p = subprocess.run([nc.tool("netc"), src] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise nc.ToolError(f"netc {' '.join(args)}: {p.stderr}")
    return p.stdout


def close_enough(what, got, want):
    scale = max(float(np.abs(want).max()), 1e-6)
    err = np.abs(got.astype(np.float64) - want) / scale
    exact = float(np.mean(err <= 1e-4))
    ok = exact >= 0.95 and float(err.max()) <= 2e-2
    chk.check_true(what, ok, f"{exact:.1%} within 1e-4, max {err.max():.3e}")
    if ok:
        print(f"     {what}: {exact:.1%} within 1e-4, max {err.max():.3e}")


for batch in (3, 1):
    x = (1.5 * rng.randn(batch, 3, 13, 11)).astype(np.float32)
    inputs = {"x": x}
    ref_dir = os.path.join(tmp, f"ref{batch}")
    args = nc.write_inputs(inputs, ref_dir + "-in")
    netc(quant + ["--run-reference", "--output-dir", ref_dir] + args)
    want = {k: np.load(os.path.join(ref_dir, f"{k}.npy")) for k in ("y", "z")}
    for target in targets:
        flags = quant + ["-O2", f"--target={target}"]
        if batch == 3:
            halide = netc(flags + ["--emit=halide"])
            vnni = "x86-64-avx512-vnni" == target or (
                target == "host" and "vpdpbusd" in halide)
            instr = "vpdpbusd" if vnni else "vpmaddwd"
            lines = [l for l in halide.splitlines() if ": tiled conv" in l]
            int8 = [l for l in lines if f"int8 ({instr})" in l]
            # The six convs run int8, but g (8 output channels) only where
            # the vector has 8 lanes (AVX2): on AVX-512 it is not tiled.
            want_int8 = 6 if "avx2" in target or (
                target == "host" and "vec 8)" in halide) else 5
            chk.check_true(f"{target}: layers on int8 ({instr})",
                           len(int8) == want_int8,
                           f"{len(int8)} of {len(lines)} tiled layers:\n" +
                           "\n".join(lines))
            chk.check_true(f"{target}: a requantizing epilogue",
                           any("requantized to u8" in l for l in int8),
                           "\n".join(lines))
            chk.check_true(f"{target}: the max pool on u8 codes",
                           "maxpool_u8" in halide, halide[-3000:])
        so = nc.compile_net(net, os.path.join(tmp, target, "lib.so"), None,
                            flags)
        got = nc.run_so(so, inputs, os.path.join(tmp, f"{target}-out{batch}"))
        for k in ("y", "z"):
            close_enough(f"{target} batch {batch} {k}", got[k], want[k])

# Winograd on u8 codes between int8 layers (AVX2 targets only: with VNNI
# the 3x3 layer is int8 too).
wino_quant = ["--seed=5", "--quantize=int8", f"--calibration={wino_cal}"]
x = rng.randn(2, 16, 24, 24).astype(np.float32)
ref_dir = os.path.join(tmp, "wino-ref")
args = nc.write_inputs({"x": x}, ref_dir + "-in")
netc(wino_quant + ["--run-reference", "--output-dir", ref_dir] + args, wino)
want = np.load(os.path.join(ref_dir, "y.npy"))
for target in [t for t in targets if "avx2" in t]:
    flags = wino_quant + ["-O2", f"--target={target}"]
    halide = netc(flags + ["--emit=halide"], wino)
    chk.check_true(f"{target}: b on Winograd, a and y on vpmaddwd",
                   "b_11: Winograd F(4x4, 3x3)" in halide and
                   halide.count("int8 (vpmaddwd)") == 2, halide[-3000:])
    so = nc.compile_net(wino, os.path.join(tmp, target, "libwino.so"), None,
                        flags)
    got = nc.run_so(so, {"x": x}, os.path.join(tmp, f"{target}-wino-out"))
    close_enough(f"{target} Winograd between int8 layers", got["y"], want)

chk.finish()
