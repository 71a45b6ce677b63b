#!/usr/bin/python3
"""Trains the Fashion-MNIST models of examples/fashion/ with PyTorch and
writes their weights beside them (NAME.safetensors, PyTorch's state_dict
names, which the .net files use) and the test accuracy PyTorch measures
(trained.json).

    /usr/bin/python3 examples/fashion/train.py [--models lenet5,resnet,mobilenet]

Deterministic: fixed seeds, a seeded shuffle and 2 threads give the same
weights on a rerun (on the same machine and PyTorch build). The committed
weights come from this script; CI does not retrain. Recipe (each model):
Adam, lr 2e-3 on a cosine schedule over the epochs (per epoch), batch 128,
no augmentation, on the 60,000 training images (pixels / 255, as
tools/fashion_mnist.py loads them).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.models.resnet import BasicBlock
from torchvision.ops.misc import Conv2dNormActivation

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import fashion_mnist as fm  # noqa: E402
from safetensors_np import save_safetensors  # noqa: E402


class LeNet5(nn.Module):
    """examples/fashion/lenet5_fmnist.net."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.logits = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.c3(x)), 2)
        x = torch.relu(self.f5(x.flatten(1)))
        x = torch.relu(self.f6(x))
        return self.logits(x)


def _stage(inp, out, stride):
    down = None
    if stride != 1 or inp != out:
        down = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False),
                             nn.BatchNorm2d(out))
    return nn.Sequential(BasicBlock(inp, out, stride, down))


class ResNetF(nn.Module):
    """examples/fashion/resnet_fmnist.net."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = _stage(16, 16, 1)
        self.layer2 = _stage(16, 32, 2)
        self.layer3 = _stage(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(x.mean((2, 3)))


class MobileNetF(nn.Module):
    """examples/fashion/mobilenet_fmnist.net."""

    def __init__(self):
        super().__init__()
        cbr = dict(norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6)
        self.features = nn.Sequential(
            Conv2dNormActivation(1, 16, 3, **cbr),
            InvertedResidual(16, 8, 1, 1),
            InvertedResidual(8, 16, 2, 6),
            InvertedResidual(16, 16, 1, 6),
            InvertedResidual(16, 32, 2, 6),
            InvertedResidual(32, 32, 1, 6),
            Conv2dNormActivation(32, 128, 1, **cbr))
        self.classifier = nn.Linear(128, 10)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


MODELS = {"lenet5": (LeNet5, 8), "resnet": (ResNetF, 4),
          "mobilenet": (MobileNetF, 4)}


def build(name):
    """The PyTorch model of examples/fashion/NAME_fmnist.net (untrained)."""
    return MODELS[name][0]()


def accuracy(model, x, y, batch=1000):
    model.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            out = model(torch.from_numpy(x[i:i + batch]))
            hits += int((out.argmax(1).numpy() == y[i:i + batch]).sum())
    return hits / len(y)


def train(name, xtr, ytr, xte, yte):
    torch.manual_seed(0)
    model = build(name)
    epochs = MODELS[name][1]
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda e: 0.5 * (1 + math.cos(math.pi * e / epochs)))
    gen = torch.Generator().manual_seed(1)
    xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr).long()
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        order = torch.randperm(len(yt), generator=gen)
        total, n = 0.0, 0
        for i in range(0, len(order), 128):
            idx = order[i:i + 128]
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
            n += len(idx)
        sched.step()
        acc = accuracy(model, xte, yte)
        print(f"{name}: epoch {epoch + 1}/{epochs} loss {total / n:.4f} "
              f"test top-1 {100 * acc:.2f}% ({time.time() - t0:.0f} s)",
              flush=True)
    return model.eval(), acc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(MODELS))
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    xtr, ytr = fm.load("train")
    xte, yte = fm.load("test")
    record_path = os.path.join(HERE, "trained.json")
    record = {}
    if os.path.exists(record_path):
        with open(record_path) as f:
            record = json.load(f)
    for name in args.models.split(","):
        model, acc = train(name, xtr, ytr, xte, yte)
        tensors = {k: v.detach().numpy() for k, v in model.state_dict().items()}
        save_safetensors(os.path.join(HERE, f"{name}_fmnist.safetensors"),
                         tensors)
        record[name] = {"pytorch_test_top1": round(acc, 4),
                        "epochs": MODELS[name][1],
                        "torch": torch.__version__,
                        "parameters": sum(p.numel()
                                          for p in model.parameters())}
        with open(record_path, "w") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
