# examples/alexnet_lrn.net (the original AlexNet, with LocalResponseNorm
# after the first two convolutions) against the equivalent PyTorch module,
# built below as nn.Sequential `features` / `classifier` so that its
# state_dict loads unchanged, at batch 1 and 2 from one -O2 and one -O0 build, in float64
# on the PyTorch side. conv1's weights are scaled up so that the LRN
# denominators (k + alpha/n * sum x^2) differ clearly from k: the
# normalisation is exercised, not just a constant scale (classifier.1 is
# scaled down to match, so that the softmax is not saturated). Tolerance: max
# relative error 1e-4. Also checks that net-run rejects a wrong-shape input.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/alexnet_lrn.net

import copy
import os
import sys

import numpy as np
import torch
import torch.nn as nn

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("alexnet_lrn")
nc.seed(0)


def lrn():
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)


class AlexNetLRN(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4, padding=2),   # 0
            nn.ReLU(inplace=True), lrn(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2),            # 4
            nn.ReLU(inplace=True), lrn(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1),           # 8
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, kernel_size=3, padding=1),           # 10
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),           # 12
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, classes),
        )

    def forward(self, x):
        logits = self.classifier(torch.flatten(self.features(x), 1))
        return {"logits": logits, "probs": torch.softmax(logits, dim=1)}


model = AlexNetLRN().eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
    model.features[0].weight.mul_(60.0)
    model.classifier[1].weight.div_(15.0)  # logits back to a few tens
weights = nc.export_weights(model, os.path.join(tmp, "alexnet_lrn.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))

# How much LRN does: the range of its divisor after conv1 on a sample.
with torch.no_grad():
    a = model.features[1](model.features[0](torch.randn(1, 3, 224, 224)))
    div = a / model.features[2](a)
    div = div[a > 1e-3]
    print("lrn1 divisor range: [%.3f, %.3f]" % (div.min(), div.max()))

libs = nc.compile_many(net, tmp, zoo_check.LEVELS, weights=weights,
                       checker=chk)

for batch in (1, 2):
    x = nc.randn(batch, 3, 224, 224)
    want = nc.torch_eval(model, x)
    print("logits range: [%.3f, %.3f]" % (want["logits"].min(),
                                          want["logits"].max()))
    chk.compare_all(f"alexnet_lrn batch {batch}", libs, net, {"x": x}, want,
                    tmp, weights=weights, reference=False)

if libs["O2"]:
    zoo_check.check_wrong_shape(chk, libs["O2"], {"x": nc.randn(2, 3, 224)},
                                "x", (2, 3, 224), "f32[N, 3, 224, 224]", tmp)
chk.finish()
