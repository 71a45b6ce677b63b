# examples/googlenet.net against torchvision.models.googlenet(
# aux_logits=False, init_weights=True, transform_input=False) in eval mode
# (BatchNorm statistics measured on random images, then perturbed), whose
# state_dict is exported unchanged (torchvision's own names;
# num_batches_tracked is ignored by netc). Compiled once at -O2 (N is a
# run-time dim), run at 224x224 at batch 1 and 2, and compared with PyTorch
# in float64. Tolerance: max relative error 1e-4. Also checks that net-run
# rejects an input of the wrong shape with an error naming the expected one.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/googlenet.net

import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

import netcompare as nc


tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("googlenet")
nc.seed(0)

model = torchvision.models.googlenet(aux_logits=False, init_weights=True,
                                     transform_input=False)
model = nc.calibrate_batchnorm(model, nc.randn(4, 3, 224, 224))
weights = nc.export_weights(model,
                            os.path.join(tmp, "googlenet.safetensors"))
print(f"weights: {len(model.state_dict())} tensors "
      f"({sum(p.numel() for p in model.parameters())} parameters)")

libs = nc.compile_many(net, tmp, {"O2": ["-O2"]}, weights=weights,
                       checker=chk)

for batch in (1, 2):
    x = nc.randn(batch, 3, 224, 224)
    want = {"logits": nc.torch_eval(model, x)}
    if batch == 2:
        # The two images must give clearly different logits (else the test
        # would not see the convolutions).
        d = np.abs(want["logits"][0] - want["logits"][1]).max()
        rel = d / np.abs(want["logits"]).max()
        chk.check_true(f"googlenet logits depend on the input "
                       f"(spread {rel:.3f})", rel > 0.05)
    print("batch %d logits range: [%.3f, %.3f]"
          % (batch, want["logits"].min(), want["logits"].max()))
    # The reference evaluator is too slow for a 224x224 GoogLeNet.
    chk.compare_all(f"googlenet batch {batch}", libs, net, {"x": x}, want,
                    tmp, weights=weights, reference=False)

# A wrong input shape is an error (exit 1) naming the expected shape.
if libs["O2"]:
    bad = os.path.join(tmp, "bad.npy")
    np.save(bad, nc.randn(1, 3, 200, 200))
    p = subprocess.run([nc.tool("net-run"), libs["O2"], "--input", f"x={bad}",
                        "--output-dir", os.path.join(tmp, "bad-out")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    print("wrong shape:", p.stderr.strip())
    chk.check_true("googlenet rejects a wrong-shape input (exit 1)",
                   p.returncode == 1, f"exit {p.returncode}")
    chk.check_true("googlenet wrong-shape error names the expected shape",
                   "[N, 3, 224, 224]" in p.stderr, p.stderr.strip())

chk.finish()
