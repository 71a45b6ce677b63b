# examples/face_verify.net (a shared embedding CNN, `as "embed"` on both
# instances, then the verification head: a logistic unit on the weighted
# |f(a) - f(b)|, trained with BCE) against PyTorch (the head is an
# nn.Linear(64, 1) named `head`, the loss F.binary_cross_entropy_with_logits),
# at batch 1 and 2 from one -O2 and one -O0 build (outputs and the loss, `net-run
# --loss`) and through netc's reference evaluator, in float64 on the PyTorch
# side. Pairs mix matching (b = a + noise, same = 1) and unrelated (same = 0)
# images. Tolerance: max relative error 1e-4. Also checks that net-run
# rejects a wrong-shape input.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/face_verify.net

import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("face_verify")
nc.seed(0)


class Embedding(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 8 * 8, 64)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.normalize(self.fc(torch.flatten(x, 1)), dim=1)


class Verify(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = Embedding()          # shared by both images
        self.head = nn.Linear(64, 1)      # weighted |f(a) - f(b)| + bias

    def forward(self, a, b, same):
        diff = torch.abs(self.embed(a) - self.embed(b))
        logit = self.head(diff)
        return {"distance": diff, "logit": logit,
                "prob_same": torch.sigmoid(logit),
                "v": F.binary_cross_entropy_with_logits(logit, same)}


model = Verify().eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            m.bias.uniform_(-0.1, 0.1)
    # A head that says "same" for small distances: negative weights, a
    # positive bias (as a trained one would).
    model.head.weight.copy_(-torch.rand(1, 64) * 2)
    model.head.bias.fill_(2.0)
weights = nc.export_weights(model, os.path.join(tmp, "face_verify.safetensors"))
print("weights:", ", ".join(nc.state_dict_numpy(model)))

libs = nc.compile_many(net, tmp, zoo_check.LEVELS, weights=weights,
                       checker=chk)


def pairs(batch):
    """Item i is a matching pair (b = a + noise, same = 1) for even i and an
    unrelated pair (same = 0) for odd i."""
    a = nc.randn(batch, 3, 32, 32)
    b = nc.randn(batch, 3, 32, 32)
    same = np.zeros((batch, 1), np.float32)
    for i in range(0, batch, 2):
        b[i] = a[i] + nc.randn(3, 32, 32, scale=0.2)
        same[i] = 1
    return {"img_a": a, "img_b": b, "same": same}


for batch in (1, 2):
    inputs = pairs(batch)
    want = nc.torch_eval(model, inputs["img_a"], inputs["img_b"],
                         inputs["same"])
    print(f"batch {batch}: logits", np.round(want["logit"][:, 0], 3).tolist(),
          "same", inputs["same"][:, 0].tolist(), "bce", float(want["v"]))
    what = f"face_verify batch {batch}"
    zoo_check.compare_with_loss(chk, libs, inputs, want, tmp, what)
    zoo_check.compare_reference(chk, net, inputs, want,
                                os.path.join(tmp, f"ref-{batch}"), what,
                                weights=weights)

if libs["O2"]:
    inputs = pairs(2)
    zoo_check.check_wrong_shape(chk, libs["O2"], inputs, "same", (2,),
                                "f32[N, 1]", tmp, extra=["--loss"])
chk.finish()
