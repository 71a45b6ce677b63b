# netc --share-weights / --compress on the Fashion-MNIST models (trained
# weights, real test images) and torchvision's alexnet:
# - storage is lossless: a --compress library (codebook + zstd-coded
#   indices and zero positions, decoded when opened) gives exactly the
#   outputs of the --share-weights library (the same shared weights stored
#   as f32), at -O0 and at -O2 (where the shared weights are the
#   batchnorm-folded ones);
# - the shared weights (--save-weights, -O0: PyTorch's names) loaded into
#   PyTorch give the --compress library's outputs (max relative error 1e-4),
#   and they are what k-means makes of the originals (pruned by the
#   tools.md rule in numpy first): zeros exactly where the originals are
#   zero, at most K distinct nonzero values per tensor (conv:256/fc:32 or
#   --codebook), each the mean of the original values it replaced, the
#   clusters contiguous intervals of the original values;
# - on 2,000 real test images the top-1 accuracy of the --compress library
#   stays within 0.5 points of the uncompressed one (conv:256, fc:32, no
#   pruning);
# - with --quantize=int8 the int8 weights are not clustered but stored as
#   per-channel scales + zstd-coded int8 codes: --compress changes no output
#   (lenet5 with --prune=magnitude:0.8, resnet at -O2, folded weights), and
#   lenet5's weights shrink at least 10x;
# - sizes: lenet5 at S=0.9 + --compress stores its weights at least 20x
#   smaller than f32 (netc --verbose), and alexnet at S=0.9 + --compress
#   gives a .so at least 20x smaller than the plain one.
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
from pruning import prune_rule

tmp, examples = sys.argv[1], sys.argv[2]
repo = os.path.dirname(examples)
sys.path.insert(0, os.path.join(examples, "fashion"))
sys.path.insert(0, os.path.join(repo, "tools"))
import fashion_mnist as fm  # noqa: E402
import train as fashion  # noqa: E402
from safetensors_np import load_safetensors  # noqa: E402

chk = nc.Checker("compress")
x, y = fm.load("test", 2000)
x_small = x[:64]


def compile_verbose(net, so, flags):
    """netc ... --verbose; returns (f32 bytes, stored bytes) of the weights."""
    os.makedirs(os.path.dirname(so), exist_ok=True)
    cmd = [nc.tool("netc"), net, "-o", so, "--verbose"] + flags
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise nc.ToolError(f"{' '.join(cmd)}: {p.stderr}")
    m = re.search(r"netc: weights (\d+) bytes as f32, (\d+) stored", p.stderr)
    if not m:
        raise nc.ToolError(f"{' '.join(cmd)}: no weights line in\n{p.stderr}")
    return int(m.group(1)), int(m.group(2))


def logits(so, images, label):
    return nc.run_so(so, {"x": images}, os.path.join(tmp, label))["logits"]


def check_codebooks(label, model, shared, original, s, entries):
    """The k-means invariants of every conv/fc weight of `shared` against
    `original` (pruned to sparsity s by the rule)."""
    for layer, m in model.named_modules():
        if not isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            continue
        name = layer + ".weight"
        w = shared[name]
        k = entries["fc" if isinstance(m, torch.nn.Linear) else "conv"]
        o = prune_rule(original[name], s) if s else original[name]
        what = f"{label}: {name}"
        zeros_same = np.array_equal(w == 0, o == 0)
        values = np.unique(w[w != 0])
        ok = zeros_same and len(values) <= k
        worst = 0.0
        prev_hi = -np.inf
        for v in values:
            members = o[w == v]
            worst = max(worst, abs(float(members.mean(dtype=np.float64)) - v) /
                        max(abs(v), 1e-12))
            ok = ok and members.min() > prev_hi
            prev_hi = members.max()
        ok = ok and worst <= 1e-5
        chk.check_true(f"{what}: {len(values)} <= {k} values, zeros kept, "
                       f"cluster means, contiguous", ok,
                       f"zeros kept {zeros_same}, {len(values)} values, worst "
                       f"mean error {worst:.2e}")


def case(label, short, prune, codebook):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    flags = [f"--prune=magnitude:{prune}"] if prune else []
    entries = {"conv": 256, "fc": 32}
    if codebook:
        flags.append("--codebook=" + codebook)
        for part in codebook.split(","):
            kind, n = part.split(":")
            entries[kind] = int(n)
    d = os.path.join(tmp, label)
    saved = os.path.join(d, "shared.safetensors")
    share = nc.compile_net(net, os.path.join(d, "share", f"lib{name}.so"),
                           flags=["-O0", "--share-weights",
                                  "--save-weights=" + saved] + flags)
    comp = nc.compile_net(net, os.path.join(d, "compress", f"lib{name}.so"),
                          flags=["-O0", "--compress"] + flags)
    got = logits(comp, x_small, label + "-compress")
    same = np.array_equal(got, logits(share, x_small, label + "-share"))
    chk.check_true(f"{label} -O0: --compress == --share-weights exactly", same,
                   "outputs differ: the stored weights did not decode exactly")
    comp2 = nc.compile_net(net, os.path.join(d, "compress2", f"lib{name}.so"),
                           flags=["-O2", "--compress"] + flags)
    share2 = nc.compile_net(net, os.path.join(d, "share2", f"lib{name}.so"),
                            flags=["-O2", "--share-weights"] + flags)
    chk.check_true(f"{label} -O2: --compress == --share-weights exactly",
                   np.array_equal(logits(comp2, x_small, label + "-c2"),
                                  logits(share2, x_small, label + "-s2")),
                   "outputs differ: the stored weights did not decode exactly")
    # PyTorch with the shared weights netc saved.
    shared = load_safetensors(saved)
    original = load_safetensors(os.path.join(examples, "fashion",
                                             f"{name}.safetensors"))
    model = fashion.build(short)
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(v) for k, v in shared.items()}, strict=False)
    chk.check_true(f"{label}: --save-weights names PyTorch's parameters",
                   not unexpected and all("num_batches" in k for k in missing),
                   f"missing {missing}, unexpected {unexpected}")
    chk.check(f"{label}: --compress vs PyTorch with the saved shared weights",
              got, nc.torch_eval(model.eval(), x_small))
    check_codebooks(label, model, shared, original, prune, entries)


case("lenet5-S0.9", "lenet5", 0.9, None)
case("resnet-S0.8-conv16-fc8", "resnet", 0.8, "conv:16,fc:8")
case("mobilenet", "mobilenet", None, None)

# Real data: sharing at the default sizes costs at most 0.5 points.
for short in ("lenet5", "resnet", "mobilenet"):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    d = os.path.join(tmp, "acc-" + short)
    plain = nc.compile_net(net, os.path.join(d, "plain", f"lib{name}.so"))
    comp = nc.compile_net(net, os.path.join(d, "comp", f"lib{name}.so"),
                          flags=["-O2", "--compress"])
    acc = {}
    for what, so in (("plain", plain), ("compress", comp)):
        pred = np.concatenate([logits(so, x[i:i + 500], f"{short}-{what}-{i}")
                               .argmax(1) for i in range(0, len(x), 500)])
        acc[what] = float((pred == y).mean())
    print(f"{short}: top-1 {100 * acc['plain']:.2f}% plain, "
          f"{100 * acc['compress']:.2f}% --compress ({len(x)} test images)")
    chk.check_true(f"{short}: --compress top-1 within 0.5 points",
                   abs(acc["plain"] - acc["compress"]) <= 0.005,
                   f"{acc['plain']} vs {acc['compress']}")

# int8 + --compress (flag combinations the README shows).
cal = os.path.join(tmp, "cal.npy")
np.save(cal, fm.load("train", 100)[0])
for short, extra in (("lenet5", ["--prune=magnitude:0.8"]), ("resnet", [])):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    q = extra + ["--quantize=int8", "--calibration=" + cal]
    d = os.path.join(tmp, "q-" + short)
    f32, stored = compile_verbose(net, os.path.join(d, "c", f"lib{name}.so"),
                                  q + ["--compress"])
    plain = nc.compile_net(net, os.path.join(d, "p", f"lib{name}.so"),
                           flags=["-O2"] + q)
    same = np.array_equal(logits(os.path.join(d, "c", f"lib{name}.so"),
                                 x_small, f"q-{short}-c"),
                          logits(plain, x_small, f"q-{short}-p"))
    label = f"{short} {' '.join(extra)} --quantize=int8 --compress"
    print(f"{label}: weights {f32} bytes as f32, {stored} stored "
          f"({f32 / stored:.1f}x)")
    chk.check_true(f"{label}: outputs equal --quantize=int8 alone", same,
                   "the int8 weights did not decode exactly")
    if short == "lenet5":
        chk.check_true(f"{label}: weights >= 10x smaller", f32 >= 10 * stored,
                       f"{f32} vs {stored}")

# Sizes.
net = os.path.join(examples, "fashion", "lenet5_fmnist.net")
f32, stored = compile_verbose(net, os.path.join(tmp, "size", "liblenet5.so"),
                              ["--prune=magnitude:0.9", "--compress"])
print(f"lenet5 S=0.9 --compress: weights {f32} bytes as f32, {stored} stored "
      f"({f32 / stored:.1f}x)")
chk.check_true("lenet5 S=0.9 --compress: weights >= 20x smaller",
               f32 >= 20 * stored, f"{f32} vs {stored}")
alexnet = os.path.join(examples, "alexnet.net")
plain = nc.compile_net(alexnet, os.path.join(tmp, "ax", "libalexnet.so"))
comp = nc.compile_net(alexnet, os.path.join(tmp, "axc", "libalexnet.so"),
                      flags=["-O2", "--prune=magnitude:0.9", "--compress"])
a, b = os.path.getsize(plain), os.path.getsize(comp)
print(f"alexnet: .so {a} bytes plain, {b} bytes S=0.9 --compress "
      f"({a / b:.1f}x)")
chk.check_true("alexnet S=0.9 --compress: .so >= 20x smaller", a >= 20 * b,
               f"{a} vs {b}")
os.remove(plain)  # 245 MB
chk.finish()
