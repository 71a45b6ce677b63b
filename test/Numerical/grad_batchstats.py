# Gradients with batchnorm in training mode (netc --train=batch-stats,
# net-run --grad) against torch.autograd in float64 with the modules in
# .train(): the batch statistics are functions of the input, so every
# gradient upstream of a batchnorm differs from eval mode's. Batchnorm
# alone (1-D on (N, C) and (N, C, L), 2-D, 3-D, odd sizes, inputs with a
# large mean) at batch 3 and 1 (5 and 3 for (N, C): torch needs more than
# one value per channel, and with two the input's gradient is zero up to
# eps, all cancellation), -O0 and -O2; then whole networks with a
# cross-entropy loss, every parameter's gradient and the input's, -O0 and
# -O2: torchvision's resnet18 (random weights) at 64x64, batch 2 (its last
# stage at 2x2: 8 values per channel), and the trained Fashion-MNIST ResNet
# and MobileNet-v2-style nets (examples/fashion) on 8 test images, each
# input the one of a fixed list furthest from the ReLU kinks.
# The running statistics' updates are checked by the train step
# (test/Runtime/train-step.py).
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch, fashion-mnist
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import copy
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
from gradcompare import GradSuite, run_grad, zoo_with_loss

tmp, examples = sys.argv[1], sys.argv[2]


def bn(module):
    return nc.randomize_batchnorm(module)


suite = GradSuite("grad_batchstats", os.path.join(tmp, "layers"),
                  train_mode=True)
suite.add("batchnorm2d", "5x4x6", {"x": ("N", 5, 4, 6)}, "batchnorm({x})",
          lambda m, x: m(x), module=bn(nn.BatchNorm2d(5)))
suite.add("batchnorm2d", "16x7x5, mean 10", {"x": ("N", 16, 7, 5)},
          "batchnorm({x})", lambda m, x: m(x), module=bn(nn.BatchNorm2d(16)),
          gen=lambda name, shape: nc.randn(*shape) * 2 + 10)
suite.add("batchnorm1d", "(N, 4, 9)", {"x": ("N", 4, 9)}, "batchnorm({x})",
          lambda m, x: m(x), module=bn(nn.BatchNorm1d(4)))
suite.add("batchnorm3d", "3x3x4x5, eps 1e-3", {"x": ("N", 3, 3, 4, 5)},
          "batchnorm({x}, eps=1e-3)", lambda m, x: m(x),
          module=bn(nn.BatchNorm3d(3, eps=1e-3)))
suite.run()

flat = GradSuite("grad_batchstats (N, C)", os.path.join(tmp, "flat"),
                 batches=(5, 3), train_mode=True)
flat.add("batchnorm1d", "(N, 6)", {"x": ("N", 6)}, "batchnorm({x})",
         lambda m, x: m(x), module=bn(nn.BatchNorm1d(6)))
flat.run()

chk = nc.Checker("grad_batchstats zoo")
nc.seed(0)


def small(stem, size):
    return zoo_with_loss(examples, stem, size, tmp)


def kink_margin(model, x):
    """The smallest distance of a ReLU (ReLU6) input to 0 (or 6) in
    model(x): float32 rounding moves an input that close to the kink
    across it, and flips that element's gradient."""
    margins = []

    def hook(mod, inputs, out):
        v = inputs[0].detach()
        d = v.abs()
        if isinstance(mod, nn.ReLU6):
            d = torch.minimum(d, (v - 6).abs())
        margins.append(float(d.min()))
    hooks = [mod.register_forward_hook(hook) for mod in model.modules()
             if isinstance(mod, (nn.ReLU, nn.ReLU6))]
    with torch.no_grad():
        model(torch.from_numpy(x).double())
    for h in hooks:
        h.remove()
    return min(margins)


def compare(name, net, model, weights, x, label, variants):
    """Every parameter's gradient and x's, training mode, against autograd."""
    m = model.double().train()
    xt = torch.from_numpy(x).double().requires_grad_(True)
    F.cross_entropy(m(xt), torch.from_numpy(label).long()).backward()
    want = {n: p.grad.numpy() for n, p in m.named_parameters()}
    want["x"] = xt.grad.numpy()
    libs = nc.compile_many(net, os.path.join(tmp, name), variants,
                           weights=weights, checker=chk)
    for lbl, so in libs.items():
        if so is None:
            continue
        try:
            got = run_grad(so, {"x": x, "label": label},
                           os.path.join(tmp, name, f"run-{lbl}"))
        except nc.ToolError as e:
            chk.fail(f"{name} [{lbl}]", str(e))
            continue
        # A bias just before a training-mode batchnorm (through a 1x1
        # conv) has a zero gradient: the batch mean takes it out. Those
        # are checked against an absolute bound, float32 rounding's.
        zero = {k for k, v in want.items() if np.abs(v).max() < 1e-12}
        chk.compare_outputs(
            f"{name} train mode [{lbl}] grad",
            {k: v for k, v in got["grad"].items() if k not in zero},
            {k: v for k, v in want.items() if k not in zero})
        for k in sorted(zero):
            g = got["grad"].get(k)
            chk.check_true(f"{name} train mode [{lbl}] grad {k} is zero",
                           g is not None and np.abs(g).max() < 1e-6,
                           "missing" if g is None else
                           f"max |g| {np.abs(g).max():.3g}")


BOTH = {"O0": ["-O0", "--train=batch-stats"],
        "O2": ["-O2", "--train=batch-stats"]}

# Each network's input is the one of a fixed list whose activations keep
# furthest from the ReLU kinks, so that the comparison measures the
# kernels, not which side of a kink float32 rounding lands on (a ReLU
# input of 2e-7 flips one element's gradient and moves a bias's by 4%).

# torchvision's resnet18, random weights and statistics, at 64x64.
import torchvision  # noqa: E402

model = nc.randomize_batchnorm(torchvision.models.resnet18())
w = nc.export_weights(model, os.path.join(tmp, "resnet18.safetensors"))
def clearest(name, model, candidates):
    """The candidate input whose activations keep furthest from the ReLU
    kinks in training mode."""
    twin = copy.deepcopy(model).double().train()
    for mod in twin.modules():
        if getattr(mod, "inplace", False):
            mod.inplace = False  # the hooks read the inputs
    margins = [kink_margin(twin, c) for c in candidates]
    best = int(np.argmax(margins))
    print(f"{name}: input {best + 1} of {len(candidates)}, kink margin "
          f"{margins[best]:.2e}")
    return best


draws = [nc.randn(2, 3, 64, 64) for _ in range(30)]
compare("resnet18", small("resnet18", 64), model, w,
        draws[clearest("resnet18", model, draws)],
        np.array([5, 901], dtype=np.int32), BOTH)

# The trained Fashion-MNIST nets (examples/fashion) on 8 test images, as
# when fine-tuning them. (A randomly initialised mobilenet_v2 in training
# mode is too ill-conditioned for a 1e-4 table: torch's own float32
# gradients differ from its float64 ones by up to 37%.)
sys.path.insert(0, os.path.join(examples, "fashion"))
import fashion_mnist as fm  # noqa: E402
import train as fashion  # noqa: E402
from safetensors_np import load_safetensors  # noqa: E402

x, y = fm.load("test", 8 * 20)
for name in ("resnet", "mobilenet"):
    stem = os.path.join(examples, "fashion", f"{name}_fmnist")
    model = fashion.build(name)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in
                           load_safetensors(stem + ".safetensors").items()},
                          strict=False)
    i = clearest(f"{name}_fmnist", model, [x[8 * k:8 * k + 8] for k in range(20)])
    compare(f"{name}_fmnist", stem + ".net", model, stem + ".safetensors",
            x[8 * i:8 * i + 8], y[8 * i:8 * i + 8].astype(np.int32), BOTH)
chk.finish()
