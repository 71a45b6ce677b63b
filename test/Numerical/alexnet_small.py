# examples/alexnet_small.net against a torchvision-style AlexNet (features /
# classifier nn.Sequential, whose state_dict loads unchanged thanks to the
# `as "features.0"` names), at batch 2, compiled at -O0 and -O2 and through
# netc's reference evaluator. Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/alexnet_small.net

import os
import sys

import numpy as np
import torch
import torch.nn as nn

import netcompare as nc

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("alexnet_small")
nc.seed(0)


class AlexNetSmall(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(16, 32, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(32, 48, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(48, 32, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(32, 32, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(),
            nn.Linear(32 * 2 * 2, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(),
            nn.Linear(128, classes),
        )

    def forward(self, x):
        logits = self.classifier(torch.flatten(self.features(x), 1))
        return {"logits": logits, "probs": torch.softmax(logits, dim=1)}


model = AlexNetSmall().eval()
# He-normal weights and small random biases keep the activations at unit
# scale through the 7 layers (PyTorch's default init shrinks them), so that
# the logits are spread and the softmax is not nearly uniform.
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
weights = nc.export_weights(model, os.path.join(tmp, "alexnet_small.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))

libs = nc.compile_many(net, tmp, {"O0": ["-O0"], "O2": ["-O2"]},
                       weights=weights, checker=chk)

x = nc.randn(2, 3, 96, 96)
want = nc.torch_eval(model, x)
print("logits range: [%.3f, %.3f]" % (want["logits"].min(), want["logits"].max()))
results = chk.compare_all("alexnet_small batch 2", libs, net, {"x": x}, want,
                          tmp, weights=weights)
for label, out in results.items():
    if "probs" in out:
        s = out["probs"].astype(np.float64).sum(axis=1)
        chk.check_true(f"alexnet_small [{label}] rows of probs sum to 1",
                       np.all(np.abs(s - 1) <= 1e-5), f"row sums {s.tolist()}")

chk.finish()
