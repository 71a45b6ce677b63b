# LeNet-5 (examples/lenet5.net) against the equivalent PyTorch model, at
# batch 1 and 3, compiled at -O0 and -O2 (each once: N is a run-time dim),
# at -O2 --batch=3 (batch 3 only), through the Python runtime (netrt) and
# through netc's reference evaluator. Tolerance: max relative error 1e-4
# (max|a-b| / max|b|); the rows of `probs` must also sum to 1 (to 1e-5).
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/lenet5.net

import os
import sys

import numpy as np
import torch.nn as nn

import netcompare as nc

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("lenet5")
nc.seed(0)

# The canonical Sequential form; its indices are renamed to the .net names.
model = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5),    # 0  -> c1
    nn.ReLU(),
    nn.AvgPool2d(2),
    nn.Conv2d(6, 16, kernel_size=5),   # 3  -> c3
    nn.ReLU(),
    nn.AvgPool2d(2),
    nn.Flatten(),
    nn.Linear(400, 120),               # 7  -> f5
    nn.ReLU(),
    nn.Linear(120, 84),                # 9  -> f6
    nn.ReLU(),
    nn.Linear(84, 10),                 # 11 -> logits
    nn.Softmax(dim=1),
).eval()
rename = {"0": "c1", "3": "c3", "7": "f5", "9": "f6", "11": "logits"}
weights = nc.export_weights(model, os.path.join(tmp, "lenet5.safetensors"),
                            rename=rename)
print("weights:", ", ".join(sorted(nc.state_dict_numpy(model, rename))))

# N is a run-time dim: one build per -O level serves both batches. The
# --batch=3 build (a fixed N) only runs at batch 3.
libs = nc.compile_many(net, tmp, {"O0": ["-O0"], "O2": ["-O2"],
                                  "O2-batch3": ["-O2", "--batch=3"]},
                       weights=weights, checker=chk)

for batch in (1, 3):
    x = nc.randn(batch, 1, 32, 32)
    want = {"probs": nc.torch_eval(model, x)}
    run = {k: v for k, v in libs.items() if k != "O2-batch3" or batch == 3}
    results = chk.compare_all(f"lenet5 batch {batch}", run, net, {"x": x},
                              want, tmp, weights=weights)
    # The same -O2 library through the Python runtime (netrt, ctypes).
    if libs["O2"]:
        import netrt
        try:
            got = netrt.Model(libs["O2"]).forward(x=x)
        except netrt.Error as e:
            chk.fail(f"lenet5 batch {batch} [netrt O2]", str(e))
        else:
            chk.compare_outputs(f"lenet5 batch {batch} [netrt O2]", got, want)
    for label, out in results.items():
        if "probs" in out:
            s = out["probs"].astype(np.float64).sum(axis=1)
            chk.check_true(f"lenet5 batch {batch} [{label}] rows of probs "
                           f"sum to 1", np.all(np.abs(s - 1) <= 1e-5),
                           f"row sums {s.tolist()}")

chk.finish()
