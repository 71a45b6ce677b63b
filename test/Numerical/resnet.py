# ResNet-18 and ResNet-50 (examples/resnet18.net, examples/resnet50.net)
# against torchvision.models.resnet18() / resnet50() with random weights and
# non-trivial BatchNorm running statistics. The torchvision state_dict is
# exported unchanged (its own key names, num_batches_tracked included): netc
# must load it without a missing or unused tensor (no warning either).
# Both are compiled at -O2 and -O0 and run at batch 1 and 2, all at 224x224.
# Each model is compiled once per -O level (N is a run-time dim); resnet50
# compiles in the background while resnet18 builds and runs. The reference
# evaluator is not used (too slow at this size). Tolerance: max relative error 1e-4 against PyTorch in
# float64. Also checks that net-run rejects a 64x64 input, naming the
# expected shape, with exit status 1.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import os
import subprocess
import sys
import time

import numpy as np

import netcompare as nc

tmp, examples = sys.argv[1], sys.argv[2]
chk = nc.Checker("resnet")
nc.seed(0)

try:
    import torchvision
except ImportError:
    print("torchvision is missing: cannot build the reference ResNets")
    sys.exit(1)


def export(name, fc_scale=1.0):
    """torchvision's model with random weights and BatchNorm statistics.
    `fc_scale` shrinks the classifier: randomly initialised, resnet50's
    logits reach ~170 (std ~55), where softmax saturates and turns a 2e-6
    relative error of the logits into ~1e-4 of `probs`; at 1/20 they are
    O(10), as resnet18's are (and a trained model's)."""
    model = nc.randomize_batchnorm(getattr(torchvision.models, name)()).eval()
    if fc_scale != 1.0:
        import torch
        with torch.no_grad():
            model.fc.weight.mul_(fc_scale)
            model.fc.bias.mul_(fc_scale)
    w = nc.export_weights(model, os.path.join(tmp, f"{name}.safetensors"))
    return model, w


def start_compile(name, label, flags, weights):
    """Starts netc on examples/NAME.net; returns a handle for finish_compile."""
    so = os.path.join(tmp, label, f"lib{name}.so")
    os.makedirs(os.path.dirname(so), exist_ok=True)
    cmd = [nc.tool("netc"), os.path.join(examples, f"{name}.net"), "-o", so,
           "--weights", weights] + flags
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    return (name, label, so, cmd, p, time.time())


def finish_compile(handle):
    """Waits for netc; the build must succeed without any warning (a warning
    would name an unused or auto-named tensor). Returns the .so or None."""
    name, label, so, cmd, p, t0 = handle
    _, err = p.communicate()
    took = time.time() - t0
    what = f"compile {name} [{label}]"
    if p.returncode != 0:
        chk.fail(what, f"netc failed (exit {p.returncode}): {' '.join(cmd)}\n"
                       f"{err.strip()}")
        return None
    print(f"compiled {name} [{label}] in {took:.1f} s "
          f"({os.path.getsize(so) / 1e6:.1f} MB)")
    chk.check_true(f"{what}: torchvision state_dict loads without warnings",
                   "warning" not in err, f"netc said:\n{err.strip()}")
    return so


def compare(name, model, libs, batch):
    x = nc.randn(batch, 3, 224, 224)
    t0 = time.time()
    logits = nc.torch_eval(model, x)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    want = {"logits": logits, "probs": e / e.sum(axis=1, keepdims=True)}
    print(f"PyTorch (float64) {name} batch {batch}: {time.time() - t0:.1f} s")
    t0 = time.time()
    chk.compare_all(f"{name} batch {batch}", libs,
                    os.path.join(examples, f"{name}.net"), {"x": x}, want,
                    tmp, reference=False)
    print(f"net-run {name} batch {batch} ({', '.join(libs)}): "
          f"{time.time() - t0:.1f} s")


def wrong_shape(name, so):
    bad = os.path.join(tmp, f"{name}-bad.npy")
    np.save(bad, np.zeros((1, 3, 64, 64), np.float32))
    p = subprocess.run([nc.tool("net-run"), so, "--input", f"x={bad}",
                        "--output-dir", os.path.join(tmp, f"{name}-bad")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    chk.check_true(f"{name}: net-run rejects x: f32[1, 3, 64, 64] (exit 1, "
                   f"names f32[N, 3, 224, 224])",
                   p.returncode == 1 and "f32[N, 3, 224, 224]" in p.stderr,
                   f"exit {p.returncode}, stderr: {p.stderr.strip()!r}")


r18, w18 = export("resnet18")
r50, w50 = export("resnet50", fc_scale=0.05)

# resnet50 (the slowest builds) in the background; resnet18's two builds in
# the foreground, one after the other: two netc processes at a time.
h50 = {"O2": start_compile("resnet50", "resnet50-O2", ["-O2"], w50)}
libs18 = {}
for label, flags in (("O2", ["-O2"]), ("O0", ["-O0"])):
    so = finish_compile(start_compile("resnet18", f"resnet18-{label}", flags,
                                      w18))
    if so:
        libs18[label] = so
h50["O0"] = start_compile("resnet50", "resnet50-O0", ["-O0"], w50)

for batch in (1, 2):
    compare("resnet18", r18, libs18, batch)
if "O2" in libs18:
    wrong_shape("resnet18", libs18["O2"])

libs50 = {}
for label, h in h50.items():
    so = finish_compile(h)
    if so:
        libs50[label] = so
for batch in (1, 2):
    compare("resnet50", r50, libs50, batch)
if "O2" in libs50:
    wrong_shape("resnet50", libs50["O2"])

chk.finish()
