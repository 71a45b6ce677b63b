# examples/style_transfer.net (a VGG-style feature extractor, modules
# vgg.features.0-13 with parameters vgg.features.0.weight ...
# vgg.features.12.bias, shared by the content, style and generated images
# through one `as "vgg"` name; the neural-style loss
# J = alpha * content_cost(relu2_2) + beta * (w1, w2, w3 weighted style_cost
# at relu1_2, relu2_2, relu3_2), alpha = 1, beta = 5e4, w = 0.2, 0.3, 0.5)
# against PyTorch: one module holding the Sequential as `vgg.features`,
# applied three times, its state_dict (one copy of the weights, He-normal,
# small random biases) exported as it is. Compiled at -O0 and -O2, run at
# batch 1 and 2 (the outputs and the losses J_content, J_style and J,
# `net-run --loss`), and through netc's reference evaluator, in float64 on
# the PyTorch side. The images are a smooth content image, a striped style
# image and generated = content + noise, so that both loss terms are
# non-trivial and, after alpha and beta, of one order of magnitude (checked
# and printed). Tolerance: max relative error 1e-4. Also checks that net-run
# rejects a wrong-shape input, naming the expected shape. 22 s (10 s of it
# the two compiles in parallel); 40 s under load 4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/style_transfer.net

import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("style_transfer")
nc.seed(0)

# The weights of examples/style_transfer.net's loss J (alpha, beta, w1-w3).
from zoo_torch import (ALPHA, BETA, STYLE_WEIGHTS, TAPS, StyleTransfer,  # noqa: F401
                       VGGFeatures, content_cost, gram, style_cost)


model = StyleTransfer().eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
weights = nc.export_weights(model,
                            os.path.join(tmp, "style_transfer.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))

libs = nc.compile_many(net, tmp, {"O2": ["-O2"], "O0": ["-O0"]},
                       weights=weights, checker=chk)


def images(batch):
    """content: a smooth image (8x8 noise, bilinearly upsampled); style:
    coloured stripes of a random angle and period plus a little noise;
    generated: the content plus noise (the usual starting point)."""
    coarse = torch.from_numpy(nc.randn(batch, 3, 8, 8))
    content = F.interpolate(coarse, size=(64, 64), mode="bilinear",
                            align_corners=False).numpy()
    yy, xx = np.mgrid[0:64, 0:64].astype(np.float32)
    style = nc.randn(batch, 3, 64, 64, scale=0.1)
    for i in range(batch):
        theta, period = np.random.uniform(0, math.pi), np.random.uniform(6, 12)
        phase = 2 * math.pi * (xx * math.cos(theta) + yy * math.sin(theta)) \
            / period
        for ch in range(3):
            style[i, ch] += 1.5 * np.sin(phase + 2 * math.pi * ch / 3)
    generated = content + nc.randn(batch, 3, 64, 64, scale=0.5)
    return {"content": content.astype(np.float32),
            "style": style.astype(np.float32),
            "generated": generated.astype(np.float32)}


for batch in (1, 2):
    inputs = images(batch)
    want = nc.torch_eval(model, inputs["content"], inputs["style"],
                         inputs["generated"])
    pc, ps = want.pop("per_item_content"), want.pop("per_item_style")
    layers = want.pop("per_layer_style")
    a, b = ALPHA * float(want["J_content"]), BETA * float(want["J_style"])
    print(f"batch {batch}: alpha*J_content = {a:.4g}, beta*J_style = {b:.4g} "
          f"(style per layer {np.array2string(layers, precision=4)}), "
          f"J = {float(want['J']):.4g}; per item: content "
          f"{np.round(pc, 2).tolist()}, style {np.round(ps, 6).tolist()}")
    chk.check_true(f"batch {batch}: the weighted content and style terms "
                   f"are of one order of magnitude ({a:.3g} vs {b:.3g})",
                   0.1 <= a / b <= 10)
    what = f"style_transfer batch {batch}"
    zoo_check.compare_with_loss(chk, libs, inputs, want, tmp, what)
    zoo_check.compare_reference(chk, net, inputs, want,
                                os.path.join(tmp, f"ref-{batch}"), what,
                                weights=weights)

if libs["O2"]:
    zoo_check.check_wrong_shape(chk, libs["O2"], images(2), "style",
                                (2, 3, 32, 32), "f32[N, 3, 64, 64]", tmp,
                                extra=["--loss"])
chk.finish()
