# netc --quantize=int8 on the Fashion-MNIST models (trained weights, real
# images: calibration batches from the training set, accuracy on the test
# set), against PyTorch with the same quantization:
# - the quantized weights (--save-weights, -O0: PyTorch's names) equal the
#   tools.md rule computed in numpy (per output channel, scale = max|w| /
#   127, round half to even, [-127, 127]), bit for bit;
# - each int8 layer's activation scale and zero point (net.qdq, from
#   --print-ir-after=net-quantize) equal the minmax rule computed from the
#   inputs PyTorch's f32 model gives that layer on the calibration batch
#   (relative 1e-5: the reference evaluator and PyTorch round differently);
# - the library equals PyTorch in float64 running the quantized weights with
#   fake_quantize's formula (round(x * (1 / scale)) + zero_point clamped to
#   [0, 255], rounding half to even) on each int8 layer's input: at least
#   75% of 500 test images match to 1e-4 (relative to the largest |output|),
#   every output is within 1e-2, and the class is the same on >= 99.5%. An
#   activation within f32 rounding of a quantization tie may land on either
#   side, and one such flip moves that image's outputs by ~1e-3 in the deep
#   models; float64 because PyTorch's own f32 convolutions flip far more
#   (its f32 resnet differs from its float64 self on most images);
# - with 500 calibration images (minmax) at -O2, top-1 on 2,000 test images
#   is within 0.5 points of the f32 library (the bound), and the
#   percentile and entropy estimators stay within 1 point on lenet5.
#
# REQUIRES: torch, fashion-mnist
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import os
import re
import subprocess
import sys

import numpy as np
import torch

import netcompare as nc

tmp, examples = sys.argv[1], sys.argv[2]
repo = os.path.dirname(examples)
sys.path.insert(0, os.path.join(examples, "fashion"))
sys.path.insert(0, os.path.join(repo, "tools"))
import fashion_mnist as fm  # noqa: E402
import train as fashion  # noqa: E402
from safetensors_np import load_safetensors  # noqa: E402

chk = nc.Checker("quantize")
cal500 = fm.load("train", 500)[0]
cal100 = cal500[:100]
x, y = fm.load("test", 2000)
np.save(os.path.join(tmp, "cal500.npy"), cal500)
np.save(os.path.join(tmp, "cal100.npy"), cal100)


def netc(net, so, flags):
    """netc NET -o SO FLAGS; returns its stderr."""
    os.makedirs(os.path.dirname(so), exist_ok=True)
    cmd = [nc.tool("netc"), net, "-o", so] + flags
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise nc.ToolError(f"{' '.join(cmd)}: {p.stderr}")
    return p.stderr


def layer_qdq(ir):
    """{layer name: (scale, zero point)} of @forward's int8 layers."""
    ir = ir.split("func.func @loss")[0]
    weights, qdq, out = {}, {}, {}
    for line in ir.splitlines():
        m = re.match(r'\s*(%\d+) = net.weight "([^"]+)"', line)
        if m:
            weights[m.group(1)] = m.group(2)
        m = re.match(r"\s*(%\d+) = net.qdq %\w+ scale (\S+) zero_point (\d+)",
                     line)
        if m:
            qdq[m.group(1)] = (np.float32(m.group(2)), int(m.group(3)))
        # An int8 max pool (its reader's qdq moved above it): its codes
        # have the qdq's parameters, which PyTorch applies after the pool.
        m = re.match(r"\s*(%\d+) = net.maxpool (%\d+)\b.*net.int8", line)
        if m and m.group(2) in qdq:
            qdq[m.group(1)] = qdq[m.group(2)]
        m = re.match(r"\s*%\d+ = net.(?:conv|fc) (%\d+), (%\d+)\b.*net.int8",
                     line)
        if m and m.group(1) in qdq and m.group(2) in weights:
            out[weights[m.group(2)][:-len(".weight")]] = qdq[m.group(1)]
    return out


def quantize_rows(w):
    """tools.md's weight rule in numpy, float32 like netc."""
    w = w.astype(np.float32)
    rows = w.reshape(w.shape[0], -1)
    amax = np.abs(rows).max(1).astype(np.float32)
    s = amax / np.float32(127)
    s[s == 0] = 1
    inv = np.float32(1) / s
    q = np.clip(np.rint(rows * inv[:, None]), -127, 127).astype(np.float32)
    return (q * s[:, None]).reshape(w.shape)


def layers(model):
    return [(n, m) for n, m in model.named_modules()
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]


def observed_inputs(model, images):
    """The f32 input range of every conv/linear layer on `images`."""
    seen, hooks = {}, []
    for name, m in layers(model):
        def hook(mod, inp, name=name):
            t = inp[0].detach()
            lo, hi = seen.get(name, (np.inf, -np.inf))
            seen[name] = (min(lo, float(t.min())), max(hi, float(t.max())))
        hooks.append(m.register_forward_pre_hook(hook))
    with torch.no_grad():
        model(torch.from_numpy(images))
    for h in hooks:
        h.remove()
    return seen


def predict(so, images, label):
    preds, logits = [], []
    for i in range(0, len(images), 500):
        out = nc.run_so(so, {"x": images[i:i + 500]},
                        os.path.join(tmp, f"{label}-{i}"))["logits"]
        logits.append(out)
    logits = np.concatenate(logits)
    return logits, logits.argmax(1)


def exactness(short):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    d = os.path.join(tmp, "exact-" + short)
    saved = os.path.join(d, "q.safetensors")
    err = netc(net, os.path.join(d, f"lib{name}.so"),
               ["-O0", "--quantize=int8",
                "--calibration=" + os.path.join(tmp, "cal100.npy"),
                "--save-weights=" + saved, "--print-ir-after=net-quantize"])
    scales = layer_qdq(err)
    original = load_safetensors(os.path.join(examples, "fashion",
                                             f"{name}.safetensors"))
    shared = load_safetensors(saved)
    model = fashion.build(short)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in
                           original.items()})
    model.eval()
    seen = observed_inputs(model, cal100)
    names = [n for n, _ in layers(model)]
    chk.check_true(f"{short}: every conv and fc runs in int8",
                   sorted(scales) == sorted(names),
                   f"int8 layers {sorted(scales)}, expected {sorted(names)}")
    worst_w, worst_s = 0.0, 0.0
    for n in names:
        want = quantize_rows(original[n + ".weight"])
        worst_w = max(worst_w, float(np.abs(shared[n + ".weight"] - want).max()))
        if n in scales:
            lo, hi = min(seen[n][0], 0.0), max(seen[n][1], 0.0)
            s = np.float32((np.float32(hi) - np.float32(lo)) / np.float32(255))
            zp = int(np.clip(np.rint(-lo / s), 0, 255))
            worst_s = max(worst_s, abs(float(scales[n][0]) - float(s)) / float(s))
            chk.check_true(f"{short}: {n} zero point {scales[n][1]} == {zp}",
                           scales[n][1] == zp, f"{scales[n][1]} vs {zp}")
    chk.check_true(f"{short}: quantized weights equal the numpy rule exactly",
                   worst_w == 0.0, f"max |diff| {worst_w:.3e}")
    chk.check_true(f"{short}: activation scales equal the minmax rule (1e-5)",
                   worst_s <= 1e-5, f"max relative diff {worst_s:.3e}")
    # PyTorch with the quantized weights and netc's qdq on each layer input.
    model.load_state_dict({k: torch.from_numpy(v) for k, v in shared.items()},
                          strict=False)
    model.double()
    for n, m in layers(model):
        s, zp = scales[n]
        inv = float(np.float32(1) / s)

        def qdq(mod, inp, s=float(s), zp=zp, inv=inv):
            q = torch.clamp(torch.round(inp[0] * inv) + zp, 0, 255)
            return ((q - zp) * s,)
        m.register_forward_pre_hook(qdq)
    images = x[:500]
    with torch.no_grad():
        want = model(torch.from_numpy(images).double()).numpy()
    got, pred = predict(os.path.join(d, f"lib{name}.so"), images, "ex-" + short)
    err = (np.abs(got.astype(np.float64) - want) / np.abs(want).max()).max(1)
    exact, worst = float((err <= 1e-4).mean()), float(err.max())
    chk.check_true(f"{short} -O0: int8 library vs PyTorch (float64) quantized "
                   f"the same way: {100 * exact:.1f}% of the images within "
                   f"1e-4, all within 1e-2 ({worst:.2e})",
                   exact >= 0.75 and worst <= 1e-2,
                   f"{100 * exact:.1f}% exact, max {worst:.3e}")
    agree = float((pred == want.argmax(1)).mean())
    chk.check_true(f"{short}: same class as PyTorch on >= 99.5%",
                   agree >= 0.995, f"{100 * agree:.2f}%")


def accuracy(short, methods):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    d = os.path.join(tmp, "acc-" + short)
    f32 = nc.compile_net(net, os.path.join(d, "f32", f"lib{name}.so"))
    base = float((predict(f32, x, f"{short}-f32")[1] == y).mean())
    for method, bound in methods:
        so = os.path.join(d, method.replace(":", "-"), f"lib{name}.so")
        netc(net, so, ["-O2", "--quantize=int8", "--calibrate=" + method,
                       "--calibration=" + os.path.join(tmp, "cal500.npy")])
        acc = float((predict(so, x, f"{short}-{method}")[1] == y).mean())
        print(f"{short}: top-1 {100 * base:.2f}% f32, {100 * acc:.2f}% int8 "
              f"({method}, 500 calibration images, {len(x)} test images)")
        chk.check_true(f"{short} int8 {method}: within {100 * bound:.1f} "
                       f"points of f32", base - acc <= bound,
                       f"{100 * base:.2f}% vs {100 * acc:.2f}%")


for short in ("lenet5", "resnet", "mobilenet"):
    exactness(short)
accuracy("lenet5", [("minmax", 0.005), ("percentile:99.99", 0.01),
                    ("entropy", 0.01)])
accuracy("resnet", [("minmax", 0.005)])
accuracy("mobilenet", [("minmax", 0.005)])
chk.finish()
