# examples/vgg16.net against torchvision.models.vgg16() itself (random
# He-normal weights, small random biases; its state_dict loads unchanged
# thanks to the `as "features.N"` / `as "classifier.N"` names), at batch 1
# and 2 from one -O2 and one -O0 build (N is a run-time dim), in float64 on the PyTorch
# side. The input must be 224x224: torchvision's classifier needs 512 x 7 x 7
# features, and its AdaptiveAvgPool2d((7, 7)) is then an identity (absent
# from the .net). Tolerance: max relative error 1e-4. Also checks that
# net-run rejects a wrong-shape input, naming the expected shape.
#
# This is the slowest model test: 67 s on 2 quiet cores (30 s to compile,
# 8 s per image in float64 PyTorch), ~130 s with other jobs running.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/vgg16.net

import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("vgg16")
nc.seed(0)

model = torchvision.models.vgg16().eval()
# He-normal weights keep the activations at unit scale through the 16
# layers (torchvision's N(0, 0.01) linear init would shrink the logits).
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
weights = nc.export_weights(model, os.path.join(tmp, "vgg16.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))
model64 = copy.deepcopy(model).double()  # the float32 weights, in float64
del model


def forward64(t):
    logits = model64(t)
    return {"logits": logits, "probs": torch.softmax(logits, dim=1)}


libs = nc.compile_many(net, tmp, zoo_check.LEVELS, weights=weights,
                       checker=chk)

for batch in (1, 2):
    x = nc.randn(batch, 3, 224, 224)
    t0 = time.time()
    want = nc.torch_eval(forward64, x)
    print("torch float64 batch %d: %.1f s; logits range: [%.3f, %.3f]" %
          (batch, time.time() - t0, want["logits"].min(),
           want["logits"].max()))
    t0 = time.time()
    chk.compare_all(f"vgg16 batch {batch}", libs, net, {"x": x}, want, tmp,
                    weights=weights, reference=False)
    print("net-run batch %d: %.1f s" % (batch, time.time() - t0))

if libs["O2"]:
    zoo_check.check_wrong_shape(chk, libs["O2"],
                                {"x": nc.randn(1, 3, 112, 112)}, "x",
                                (1, 3, 112, 112), "f32[N, 3, 224, 224]", tmp)
chk.finish()
