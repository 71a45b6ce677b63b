# The zoo on a GPU target without a GPU: every torchvision zoo model
# (resnet18, resnet50, mobilenet_v2, googlenet, vgg16) and lenet5 compiled
# with --target=opencl (GPU schedule templates, kernels as OpenCL C, weights
# uploaded once, activations in device memory between kernels) and run on
# PoCL, which executes the OpenCL kernels on the CPU; compared with PyTorch
# in float64 at batch 1 and 2, max relative error 1e-4. resnet18 is also
# built at -O0 (no fusion: standalone batchnorm, relu and add kernels).
#
# The CNNs run at a small input (64x64; vgg16 at 32x32 with its classifier
# sized for the 1x1 map) so that the suite stays fast: the templates do not
# depend on the map size. `--size 224` runs the full-size set by hand:
#   PATH=build/bin:$PATH PYTHONPATH=test/helpers /usr/bin/python3 \
#     test/Numerical/gpu_opencl_zoo.py /tmp/ocl examples --size 224
#
# REQUIRES: torch, opencl
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import argparse
import os
import re

import numpy as np
import torch
import torchvision

import netcompare as nc
import zoo_check

ap = argparse.ArgumentParser()
ap.add_argument("tmp")
ap.add_argument("examples")
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--models", default="lenet5,resnet18,resnet50,mobilenet_v2,"
                                    "googlenet,vgg16")
args = ap.parse_args()
chk = nc.Checker("zoo on --target=opencl (PoCL)")
OCL = {"opencl": ["--target=opencl"]}


def sized_net(name, size):
    """examples/NAME.net with its input at size x size."""
    with open(os.path.join(args.examples, name + ".net")) as f:
        text = f.read()
    text, n = re.subn(r"(input x: f32\[N, 3, )224, 224\]",
                      rf"\g<1>{size}, {size}]", text)
    assert n == 1, name
    path = os.path.join(args.tmp, f"{name}.net")
    with open(path, "w") as f:
        f.write(text)
    return path


def vgg16(size):
    """torchvision's vgg16 for a size x size input, as examples/vgg16.net
    computes it: no adaptive pool, classifier.0 over the 512 x s x s map."""
    m = torchvision.models.vgg16()
    s = size // 32
    m.avgpool = torch.nn.Identity()
    m.classifier[0] = torch.nn.Linear(512 * s * s, 4096)
    return m


def lenet5():
    """examples/lenet5.net against the reference evaluator and the host
    build (it has no torchvision twin: test/Numerical/lenet5.py checks that
    one against PyTorch), batch 3, with its loss."""
    net = os.path.join(args.examples, "lenet5.net")
    d = os.path.join(args.tmp, "lenet5")
    libs = nc.compile_many(net, d, {"opencl": ["--target=opencl"], "host": []},
                           checker=chk)
    nc.seed(0)
    inputs = {"x": nc.randn(3, 1, 32, 32),
              "label": np.array([3, 0, 7], dtype=np.int32)}
    want = nc.run_reference(net, inputs, os.path.join(d, "ref"))
    zoo_check.compare_with_loss(chk, libs, inputs, want, d, "lenet5 batch 3")


models = {
    "resnet18": lambda: torchvision.models.resnet18(),
    "resnet50": lambda: torchvision.models.resnet50(),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(),
    "googlenet": lambda: torchvision.models.googlenet(
        aux_logits=False, init_weights=True, transform_input=False),
    "vgg16": lambda: vgg16(size),
}
for name in args.models.split(","):
    print(f"\n== {name}")
    if name == "lenet5":
        lenet5()
        continue
    size = max(32, args.size // 2) if name == "vgg16" and args.size < 224 else args.size
    d = os.path.join(args.tmp, name)
    os.makedirs(d, exist_ok=True)
    levels = dict(OCL)
    if name == "resnet18":
        levels["opencl-O0"] = ["--target=opencl", "-O0"]
    model = models[name]()
    if name == "resnet50":
        # Random weights: logits of ~170 saturate softmax (resnet.py).
        with torch.no_grad():
            model.fc.weight.mul_(0.05)
            model.fc.bias.mul_(0.05)
    zoo_check.classifier_checks(chk, name, model, sized_net(name, size), d,
                                batches=(1, 2), size=size, levels=levels,
                                probs=name in ("resnet18", "resnet50", "vgg16"))
chk.finish()
