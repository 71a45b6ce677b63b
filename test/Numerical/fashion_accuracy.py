# The Fashion-MNIST models of examples/fashion/ (trained weights committed
# beside them) compiled at -O2 and measured by tools/netc-accuracy on 2,000
# real test images, against PyTorch with the same weights on the same
# images: netc's predicted classes must equal PyTorch's on at least 99.9% of
# the images (fp32 rounding may flip an image whose top two logits tie), the
# accuracies must agree to 0.15 points, and each must clear a floor (a model
# that lost its weights would not). The same for lenet5 pruned to S=0.5
# (--prune=magnitude:0.5 against PyTorch pruned by the same rule).
#
# REQUIRES: torch, fashion-mnist
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import json
import os
import subprocess
import sys

import numpy as np
import torch

import netcompare as nc
from pruning import prune_model

tmp, examples = sys.argv[1], sys.argv[2]
repo = os.path.dirname(examples)
sys.path.insert(0, os.path.join(examples, "fashion"))
sys.path.insert(0, os.path.join(repo, "tools"))
import fashion_mnist as fm  # noqa: E402
import train as fashion  # noqa: E402
from safetensors_np import load_safetensors  # noqa: E402

chk = nc.Checker("fashion-accuracy")
COUNT = 2000
FLOOR = {"lenet5": 0.85, "resnet": 0.88, "mobilenet": 0.85}
x, y = fm.load("test", COUNT)


def torch_predictions(model):
    with torch.no_grad():
        return model(torch.from_numpy(x)).argmax(1).numpy()


def netc_accuracy(so, label):
    out = os.path.join(tmp, label + ".json")
    p = subprocess.run([sys.executable,
                        os.path.join(repo, "tools", "netc-accuracy"), so,
                        "--count", str(COUNT), "--json", out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    print(p.stdout.strip())
    if p.returncode != 0:
        chk.fail(f"{label}: netc-accuracy", p.stdout)
        return None
    with open(out) as f:
        return json.load(f)


def check(label, short, flags, prune=None):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    so = nc.compile_net(net, os.path.join(tmp, label, f"lib{name}.so"),
                        flags=flags)
    model = fashion.build(short)
    wfile = os.path.join(examples, "fashion", f"{name}.safetensors")
    model.load_state_dict({k: torch.from_numpy(v) for k, v in
                           load_safetensors(wfile).items()})
    model.eval()
    if prune is not None:
        prune_model(model, prune)
    want = torch_predictions(model)
    res = netc_accuracy(so, label)
    if res is None:
        return
    got = np.array(res["predictions"])
    agree = float((got == want).mean())
    acc_torch = float((want == y).mean())
    print(f"{label}: netc top-1 {100 * res['top1']:.2f}%, PyTorch "
          f"{100 * acc_torch:.2f}%, same class on {100 * agree:.2f}%")
    chk.check_true(f"{label}: predictions equal PyTorch's on >= 99.9%",
                   agree >= 0.999, f"{100 * agree:.2f}%")
    chk.check_true(f"{label}: accuracy within 0.15 points of PyTorch",
                   abs(res["top1"] - acc_torch) <= 0.0015,
                   f"{res['top1']} vs {acc_torch}")
    # Pruned without retraining, lenet5 at 0.5 keeps 72.5% (full test set).
    floor = FLOOR[short] if prune is None else 0.65
    chk.check_true(f"{label}: top-1 >= {100 * floor:.0f}%",
                   res["top1"] >= floor, f"{res['top1']}")


for short in ("lenet5", "resnet", "mobilenet"):
    check(short, short, ["-O2"])
check("lenet5-pruned-0.5", "lenet5", ["-O2", "--prune=magnitude:0.5"],
      prune=0.5)

# A library that does not exist is a clear error, exit 1.
p = subprocess.run([sys.executable, os.path.join(repo, "tools", "netc-accuracy"),
                    os.path.join(tmp, "nope.so"), "--count", "10"],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
chk.check_true("netc-accuracy on a missing library: exit 1 with a message",
               p.returncode == 1 and "netc-accuracy: error:" in p.stderr,
               f"exit {p.returncode}: {p.stderr.strip()}")
chk.finish()
