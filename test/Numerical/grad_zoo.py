# Gradients of whole zoo models (netc --train, net-run --grad) against
# torch.autograd in float64: LeNet-5 (its own cross-entropy loss, -O0 and
# -O2) and torchvision's resnet18, mobilenet_v2 and googlenet (random
# weights, random BatchNorm statistics, eval mode) at a small input size
# with a cross-entropy loss appended to the .net (-O2). Every parameter's
# gradient and the input's are compared, at batch 2.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
from gradcompare import run_grad, zoo_with_loss

tmp, examples = sys.argv[1], sys.argv[2]
chk = nc.Checker("grad_zoo")
nc.seed(0)


def autograd(model, x, label):
    """{name: gradient} of the cross-entropy of model(x) in float64."""
    m = model.double().eval()
    xt = torch.from_numpy(x).double().requires_grad_(True)
    loss = F.cross_entropy(m(xt), torch.from_numpy(label).long())
    loss.backward()
    grads = {n: p.grad.numpy() for n, p in m.named_parameters()}
    grads["x"] = xt.grad.numpy()
    return loss.detach().numpy(), grads


def check(name, net, model, weights, x, label, variants, rename=None):
    libs = nc.compile_many(net, os.path.join(tmp, name), variants,
                           weights=weights, checker=chk)
    loss, want = autograd(model, x, label)
    if rename:
        want = {rename(k): v for k, v in want.items()}
    for lbl, so in libs.items():
        if so is None:
            continue
        try:
            got = run_grad(so, {"x": x, "label": label},
                           os.path.join(tmp, name, f"run-{lbl}"))
        except nc.ToolError as e:
            chk.fail(f"{name} [{lbl}]", str(e))
            continue
        chk.compare_outputs(f"{name} [{lbl}] grad", got["grad"], want)
        chk.compare_outputs(f"{name} [{lbl}] loss",
                            {"ce": got["outputs"].get("ce")}, {"ce": loss})


# LeNet-5 with its own loss (examples/lenet5.net).
lenet = nn.Sequential(
    nn.Conv2d(1, 6, 5), nn.ReLU(), nn.AvgPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
    nn.Linear(84, 10))
names = {"0": "c1", "3": "c3", "7": "f5", "9": "f6", "11": "logits"}
rename = lambda k: names[k.split(".")[0]] + "." + k.split(".")[1] if "." in k else k
w = nc.export_weights(lenet, os.path.join(tmp, "lenet5.safetensors"),
                      rename=names)
x = nc.randn(2, 1, 32, 32)
label = np.array([3, 7], dtype=np.int32)
check("lenet5", os.path.join(examples, "lenet5.net"), lenet, w, x, label,
      {"O0": ["-O0", "--train"], "O2": ["-O2", "--train"]}, rename=rename)


def small(stem, size):
    return zoo_with_loss(examples, stem, size, tmp)


try:
    import torchvision
except ImportError:
    print("torchvision is missing: cannot build the reference models")
    sys.exit(1)

for stem, make, size in (
        ("resnet18", lambda: torchvision.models.resnet18(), 32),
        ("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(), 32),
        ("googlenet", lambda: torchvision.models.googlenet(
            aux_logits=False, init_weights=True, transform_input=False), 64)):
    model = nc.randomize_batchnorm(make()).eval()
    w = nc.export_weights(model, os.path.join(tmp, f"{stem}.safetensors"))
    x = nc.randn(2, 3, size, size)
    label = np.array([5, 901], dtype=np.int32)
    check(stem, small(stem, size), model, w, x, label,
          {"O2": ["-O2", "--train"]})

# Models with losses of their own: every parameter's gradient and every
# f32 input's (style transfer optimises its generated image by it).
from zoo_torch import StyleTransfer, Triplet  # noqa: E402


def own_losses(name, model, inputs, loss_names, size_note):
    w = nc.export_weights(model, os.path.join(tmp, f"{name}.safetensors"))
    libs = nc.compile_many(os.path.join(examples, f"{name}.net"),
                           os.path.join(tmp, name), {"O2": ["-O2", "--train"]},
                           weights=w, checker=chk)
    m = model.double().eval()
    ts = {k: torch.from_numpy(v).double().requires_grad_(True)
          for k, v in inputs.items()}
    out = m(*ts.values())
    total = sum(out[k] for k in loss_names)
    total.backward()
    want = {n: p.grad.numpy() for n, p in m.named_parameters()}
    want.update({k: t.grad.numpy() for k, t in ts.items()})
    for lbl, so in libs.items():
        if so is None:
            continue
        try:
            got = run_grad(so, inputs, os.path.join(tmp, name, f"run-{lbl}"))
        except nc.ToolError as e:
            chk.fail(f"{name} [{lbl}]", str(e))
            continue
        chk.compare_outputs(f"{name} {size_note} [{lbl}] grad", got["grad"], want)
        chk.compare_outputs(f"{name} {size_note} [{lbl}] loss",
                            {k: got["outputs"].get(k) for k in loss_names},
                            {k: out[k].detach().numpy() for k in loss_names})


def kaiming(model):
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
                mod.bias.uniform_(-0.1, 0.1)
    return model.eval()


a = nc.randn(3, 1, 32, 32)
own_losses("siamese_triplet", kaiming(Triplet()),
           {"anchor": a, "positive": a + nc.randn(3, 1, 32, 32, scale=0.3),
            "negative": nc.randn(3, 1, 32, 32)}, ["t"], "batch 3")
content = nc.randn(1, 3, 64, 64)
own_losses("style_transfer", kaiming(StyleTransfer()),
           {"content": content, "style": nc.randn(1, 3, 64, 64),
            "generated": content + nc.randn(1, 3, 64, 64, scale=0.5)},
           ["J_content", "J_style", "J"], "batch 1")
from zoo_torch import FH, FW, H, W, FlowNetC, FlowNetS, init_weights  # noqa: E402

flow_inputs = {"img1": nc.randn(1, 3, H, W), "img2": nc.randn(1, 3, H, W),
               "gt": nc.randn(1, 2, FH, FW, scale=0.5)}
own_losses("flownet_s", init_weights(FlowNetS()), flow_inputs,
           ["epe", "multiscale"], "batch 1")
own_losses("flownet_c", init_weights(FlowNetC()), flow_inputs,
           ["epe", "multiscale"], "batch 1")

chk.finish()
