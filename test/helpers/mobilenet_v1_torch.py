"""MobileNet v1 in PyTorch (torchvision has none): the model
examples/mobilenet_v1.net writes, with its parameter names, for the tests
that compare with it (mobilenet_v1.py, prune_magnitude.py)."""

import torch
import torch.nn as nn


def conv_bn_relu(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups,
                  bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True))


class DepthwiseSeparable(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = conv_bn_relu(cin, cin, 3, stride, groups=cin)
        self.pw = conv_bn_relu(cin, cout, 1)

    def forward(self, x):
        return self.pw(self.dw(x))


class MobileNetV1(nn.Module):
    # (out channels, stride) of the 13 depthwise-separable blocks
    CFG = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
           (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
           (1024, 1)]

    def __init__(self, classes=1000):
        super().__init__()
        layers = [conv_bn_relu(3, 32, 3, 2)]
        cin = 32
        for cout, stride in self.CFG:
            layers.append(DepthwiseSeparable(cin, cout, stride))
            cin = cout
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(1024, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


def make():
    """The model with He-normal convolutions and a small random classifier,
    in eval mode."""
    model = MobileNetV1().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out",
                                        nonlinearity="relu")
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                m.bias.uniform_(-0.1, 0.1)
    return model
