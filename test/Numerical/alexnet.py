# examples/alexnet.net against torchvision.models.alexnet() itself (random
# He-normal weights, small random biases; its state_dict loads unchanged
# thanks to the `as "features.0"` ... `as "classifier.6"` names), at batch 1
# and 2 from one -O2 and one -O0 build (N is a run-time dim), in float64 on the PyTorch
# side. torchvision's AdaptiveAvgPool2d((6, 6)) is an identity at 224x224 and
# is absent from the .net. Tolerance: max relative error 1e-4. Also checks
# that net-run rejects a wrong-shape input, naming the expected shape.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/alexnet.net

import copy
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("alexnet")
nc.seed(0)

model = torchvision.models.alexnet().eval()
# He-normal weights keep the activations at unit scale through the 8 layers
# (so the logits are spread and the softmax is not nearly uniform).
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
weights = nc.export_weights(model, os.path.join(tmp, "alexnet.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))

model64 = copy.deepcopy(model).double()  # the float32 weights, in float64


def forward64(t):
    logits = model64(t)
    return {"logits": logits, "probs": torch.softmax(logits, dim=1)}


libs = nc.compile_many(net, tmp, zoo_check.LEVELS, weights=weights,
                       checker=chk)

for batch in (1, 2):
    x = nc.randn(batch, 3, 224, 224)
    want = nc.torch_eval(forward64, x)
    print("logits range: [%.3f, %.3f]" % (want["logits"].min(),
                                          want["logits"].max()))
    chk.compare_all(f"alexnet batch {batch}", libs, net, {"x": x}, want, tmp,
                    weights=weights, reference=False)

if libs["O2"]:
    zoo_check.check_wrong_shape(chk, libs["O2"], {"x": nc.randn(1, 3, 227, 227)},
                                "x", (1, 3, 227, 227), "f32[N, 3, 224, 224]",
                                tmp)
chk.finish()
