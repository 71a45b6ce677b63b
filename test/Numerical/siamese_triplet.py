# examples/siamese_triplet.net (one embedding CNN shared by anchor, positive
# and negative through one `as "embed"` name, l2-normalised embeddings, the
# FaceNet triplet loss with margin 0.2) against PyTorch: one module applied
# three times, its state_dict (embed.conv1.*, embed.conv2.*, embed.fc.*: one
# copy of the weights) exported as it is. At batch 1 and 2 from one -O2 and one -O0 build
# (outputs and the loss, `net-run --loss`) and through netc's reference
# evaluator, in float64 on the PyTorch side. The triplets are built so that
# some items have a positive loss and some are clamped to 0. Tolerance: max
# relative error 1e-4. Also checks that net-run rejects a wrong-shape input.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/siamese_triplet.net

import copy
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("siamese_triplet")
nc.seed(0)


from zoo_torch import Embedding, Triplet  # noqa: E402,F401


model = Triplet().eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
weights = nc.export_weights(model, os.path.join(tmp, "siamese.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))

libs = nc.compile_many(net, tmp, zoo_check.LEVELS, weights=weights,
                       checker=chk)


def triplets(batch):
    """Even items: the positive is the anchor plus noise and the negative
    the anchor plus less noise (nearer: a positive loss). Odd items: the
    positive is the anchor plus very little noise and the negative the
    farthest (in PyTorch's embedding) of 16 unrelated images, which puts it
    beyond the margin: a loss clamped to 0."""
    a = nc.randn(batch, 1, 32, 32)
    p = a + nc.randn(batch, 1, 32, 32, scale=0.05)
    n = nc.randn(batch, 1, 32, 32)
    for i in range(batch):
        if i % 2 == 0:
            p[i] = a[i] + nc.randn(1, 32, 32, scale=0.6)
            n[i] = a[i] + nc.randn(1, 32, 32, scale=0.3)
        else:
            cand = nc.randn(16, 1, 32, 32)
            e = nc.torch_eval(model.embed, np.concatenate([a[i:i + 1], cand]))
            n[i] = cand[np.argmax(((e[1:] - e[0]) ** 2).sum(1))]
    return {"anchor": a, "positive": p.astype(np.float32),
            "negative": n.astype(np.float32)}


for batch in (1, 2):
    inputs = triplets(batch)
    want = nc.torch_eval(model, inputs["anchor"], inputs["positive"],
                         inputs["negative"])
    per_item = want.pop("per_item")
    print(f"batch {batch}: per-item triplet losses",
          np.round(per_item, 4).tolist(), "mean", float(want["t"]))
    if batch == 2:
        chk.check_true("batch 2 has a positive and a clamped triplet loss",
                       per_item[0] > 0.05 and per_item[1] == 0,
                       f"per-item losses {per_item.tolist()}")
    what = f"siamese_triplet batch {batch}"
    zoo_check.compare_with_loss(chk, libs, inputs, want, tmp, what)
    zoo_check.compare_reference(chk, net, inputs, want,
                                os.path.join(tmp, f"ref-{batch}"), what,
                                weights=weights)

if libs["O2"]:
    inputs = triplets(2)
    zoo_check.check_wrong_shape(chk, libs["O2"], inputs, "positive",
                                (2, 1, 28, 28), "f32[N, 1, 32, 32]", tmp,
                                extra=["--loss"])
chk.finish()
