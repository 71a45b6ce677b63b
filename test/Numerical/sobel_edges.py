# examples/sobel_edges.net (a Sobel edge detector whose weights are constants
# given by conv init=, no weights file) against the textbook formula in
# numpy and against F.conv2d in float64, at batch 1 and 2, compiled once at
# -O2 and once at -O0 (N is a run-time dim) and through netc's reference evaluator.
# Tolerance: max relative error 1e-4. Also checks that net-run rejects an
# input of the wrong shape, naming the expected one (exit 1).
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/sobel_edges.net

import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

import netcompare as nc
import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
chk = nc.Checker("sobel_edges")
nc.seed(0)

KX = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
KY = KX.T.copy()


def sobel_numpy(x):
    """The formula, written out: zero padding of 1, cross-correlation."""
    x = x.astype(np.float64)
    n, _, h, w = x.shape
    p = np.zeros((n, 1, h + 2, w + 2))
    p[:, :, 1:-1, 1:-1] = x
    gx = np.zeros((n, 1, h, w))
    gy = np.zeros((n, 1, h, w))
    for u in range(3):
        for v in range(3):
            win = p[:, :, u:u + h, v:v + w]
            gx += KX[u, v] * win
            gy += KY[u, v] * win
    return {"grad_x": gx, "grad_y": gy, "magnitude": np.sqrt(gx**2 + gy**2)}


def sobel_torch(x):
    k = torch.from_numpy(np.stack([KX, KY])[:, None])          # [2, 1, 3, 3]
    g = F.conv2d(torch.from_numpy(x).double(), k, padding=1)
    gx, gy = g[:, :1], g[:, 1:]
    return {"grad_x": gx.numpy(), "grad_y": gy.numpy(),
            "magnitude": torch.sqrt(gx**2 + gy**2).numpy()}


libs = nc.compile_many(net, tmp, zoo_check.LEVELS, checker=chk)

for batch in (1, 2):
    # A random image plus a bright square, so there are strong straight edges
    # as well as noise.
    x = nc.randn(batch, 1, 64, 64, scale=0.2)
    x[:, :, 16:48, 20:40] += 1.0
    want = sobel_numpy(x)
    ref = sobel_torch(x)
    for k in want:
        chk.check(f"sobel batch {batch}: numpy vs torch {k}", ref[k], want[k])
    chk.compare_all(f"sobel_edges batch {batch}", libs, net, {"x": x}, want,
                    tmp)

# A wrong-shape input: net-run must refuse it and name the expected shape.
if libs["O2"]:
    bad = os.path.join(tmp, "bad.npy")
    np.save(bad, np.zeros((1, 1, 32, 32), np.float32))
    p = subprocess.run([nc.tool("net-run"), libs["O2"], "--input", f"x={bad}",
                        "--output-dir", os.path.join(tmp, "bad-out")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    print("wrong shape:", p.stderr.strip())
    chk.check_true("net-run rejects x f32[1, 1, 32, 32] (exit 1, names "
                   "f32[N, 1, 64, 64])",
                   p.returncode == 1 and "f32[N, 1, 64, 64]" in p.stderr,
                   f"exit {p.returncode}: {p.stderr.strip()}")

chk.finish()
