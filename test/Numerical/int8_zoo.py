# Zoo models under --quantize=int8 at -O2 (int8 kernels, u8 between
# layers, concats in place, max pools on codes) against the reference
# evaluator running the same quantized IR (netc --run-reference with the
# same flags), calibrated on 2 images of noise, one 224x224 image each,
# on the host and x86-64-avx2:
# googlenet (inception concats), densenet121 (a concat that every layer
# extends), mobilenet_v2 (depthwise, inverted residuals) and resnet18
# (residual adds, the stem's max pool).
#
# Tolerance: max |netc - reference| <= 5e-2 of max |reference| on the
# logits, and netc's top class is the reference's or within 3e-2 of it
# (the reference's logit for it). Deep random-weight models are not
# exact: an activation within rounding of a quantization tie lands on
# either side (the reference sums in double, the kernels in int32 or f32),
# and a flipped code moves everything after it. netc's plain -O0 build, f32
# on the same qdq'd values, is as far off (resnet18: 5% of the logits
# within 1e-4, max 5e-3); a wrong kernel is off by O(1).
#
# REQUIRES: numpy
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import os
import subprocess
import sys

import numpy as np

import netcompare as nc

tmp, examples = sys.argv[1], sys.argv[2]
chk = nc.Checker("int8-zoo")
rng = np.random.RandomState(11)
cal = os.path.join(tmp, "cal.npy")
np.save(cal, rng.randn(2, 3, 224, 224).astype(np.float32))
x = rng.randn(1, 3, 224, 224).astype(np.float32)
quant = ["--seed=2", "--quantize=int8", f"--calibration={cal}"]

for model in ("googlenet", "densenet121", "mobilenet_v2", "resnet18"):
    net = os.path.join(examples, model + ".net")
    ref_dir = os.path.join(tmp, model, "ref")
    args = nc.write_inputs({"x": x}, ref_dir + "-in")
    p = subprocess.run([nc.tool("netc"), net, "--run-reference", "--output-dir",
                        ref_dir] + quant + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise nc.ToolError(f"netc --run-reference {model}: {p.stderr}")
    want = np.load(os.path.join(ref_dir, "logits.npy")).astype(np.float64)
    for target in ("host", "x86-64-avx2"):
        so = nc.compile_net(net, os.path.join(tmp, model, target, f"lib{model}.so"),
                            None, quant + ["-O2", f"--target={target}"])
        got = nc.run_so(so, {"x": x}, os.path.join(tmp, model, target, "out"))["logits"]
        scale = max(float(np.abs(want).max()), 1e-6)
        err = np.abs(got.astype(np.float64) - want) / scale
        what = f"{model} {target}"
        chk.check_true(f"{what}: logits within 5e-2", float(err.max()) <= 5e-2,
                       f"max {err.max():.3e}")
        top = int(got.argmax())
        gap = (float(want.max()) - float(want.reshape(-1)[top])) / scale
        chk.check_true(f"{what}: top class {top} (reference {int(want.argmax())})",
                       gap <= 3e-2, f"its reference logit is {gap:.3e} below the top")
        print(f"     {what}: {np.mean(err <= 1e-4):.1%} within 1e-4, max {err.max():.2e}")

chk.finish()
