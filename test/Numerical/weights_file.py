# Weights as data: one library built with --no-embed-weights, run with two
# different weights files, matches PyTorch for both (max relative error
# 1e-4), in one process (two netrt.Model handles at once) and through
# net-run --weights. The network exercises every weight preparation the
# executor does when the weights are bound: batchnorm folded into convs,
# register-tile relayout, a Winograd filter transform, fc blocks, a
# standalone batchnorm and raw parameters. Also: the library holds no
# weights (under 10 MB, smaller than the embedded build by about the weights'
# size); without a weights file it fails cleanly; a wrong file is a located
# error naming the tensor; a library that holds its weights refuses a file.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

import netcompare as nc
import netrt

tmp = sys.argv[1]
chk = nc.Checker("weights file")

NET = """network wnet
input x: f32[N, 3, 16, 16]
a = conv(x, 64, kernel=3, pad=1, bias=false) as "stem" |> batchnorm() as "bn0" |> relu
b = conv(a, 64, kernel=3, pad=1, bias=false) as "c1" |> batchnorm() as "bn1" |> relu
c = conv(b, 32, kernel=1) as "c2" |> relu
d = batchnorm(c) as "bn2"
e = maxpool(d, kernel=2)
output logits = fc(flatten(e), 10) as "fc"
"""
net = os.path.join(tmp, "wnet.net")
with open(net, "w") as f:
    f.write(NET)


class WNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(64)
        self.c1 = nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.c2 = nn.Conv2d(64, 32, 1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 8 * 8, 10)

    def forward(self, x):
        a = torch.relu(self.bn0(self.stem(x)))
        b = torch.relu(self.bn1(self.c1(a)))
        c = torch.relu(self.c2(b))
        e = nn.functional.max_pool2d(self.bn2(c), 2)
        return self.fc(e.flatten(1))


models, files = [], []
for k in range(2):
    nc.seed(k + 1)
    m = WNet()
    for bn in (m.bn0, m.bn1, m.bn2):
        nc.randomize_batchnorm(bn)
    m = m.eval()
    models.append(m)
    files.append(nc.export_weights(m, os.path.join(tmp, f"w{k}.safetensors")))

lib = nc.compile_net(net, os.path.join(tmp, "data", "libwnet.so"),
                     flags=["-O2", "--no-embed-weights"])
embedded = nc.compile_net(net, os.path.join(tmp, "embedded", "libwnet.so"),
                          weights=files[0], flags=["-O2"])
size, full = os.path.getsize(lib), os.path.getsize(embedded)
weight_bytes = sum(v.size * 4 for v in nc.state_dict_numpy(models[0]).values())
print(f"library sizes: --no-embed-weights {size} bytes, embedded {full} "
      f"bytes, weights {weight_bytes} bytes")
chk.check_true("the --no-embed-weights library is under 10 MB",
               size < 10 << 20, f"{size} bytes")
chk.check_true("the embedded library holds the weights once",
               full - size >= weight_bytes * 0.9 and
               full - size <= weight_bytes + (1 << 20),
               f"difference {full - size} bytes for {weight_bytes}")

x = nc.randn(3, 3, 16, 16)
# Two handles on the same library at once, each with its own weights.
handles = [netrt.Model(lib, weights=f) for f in files]
for k, (m, h) in enumerate(zip(models, handles)):
    want = {"logits": nc.torch_eval(m, x)}
    chk.compare_outputs(f"weights w{k} [netrt, one process]", h.forward(x=x), want)
    out = os.path.join(tmp, f"run{k}")
    nc.write_inputs({"x": x}, out)
    r = subprocess.run([nc.tool("net-run"), lib, "--input",
                        "x=" + os.path.join(out, "x.npy"), "--weights", files[k],
                        "--output-dir", out], capture_output=True, text=True)
    chk.check_true(f"net-run --weights w{k} exits 0", r.returncode == 0, r.stderr)
    if r.returncode == 0:
        chk.compare_outputs(f"weights w{k} [net-run --weights]",
                            {"logits": np.load(os.path.join(out, "logits.npy"))},
                            want)
# The embedded build (batchnorm folded into its weights at compile time)
# runs with its own weights and refuses a weights file.
chk.compare_outputs("embedded library, its own weights (w0)",
                    netrt.Model(embedded).forward(x=x),
                    {"logits": nc.torch_eval(models[0], x)})
try:
    netrt.Model(embedded, weights=files[1])
    chk.fail("embedded library refuses a weights file", "it opened")
except netrt.Error as e:
    chk.check_true("embedded library refuses a weights file",
                   "--no-embed-weights" in str(e), str(e))

# No weights: a clean error, exit 1.
r = subprocess.run([nc.tool("net-run"), lib, "--random-inputs", "--batch", "1"],
                   capture_output=True, text=True)
chk.check_true("net-run without --weights exits 1", r.returncode == 1,
               f"exit {r.returncode}")
chk.check_true("and says the library needs a weights file",
               "--no-embed-weights" in r.stderr, r.stderr)
# A file lacking a tensor, and one with a wrong shape.
sd = nc.state_dict_numpy(models[0])
del sd["c1.weight"]
nc.export_weights(sd, os.path.join(tmp, "missing.safetensors"))
sd = nc.state_dict_numpy(models[0])
sd["fc.weight"] = np.zeros((10, 7), np.float32)
nc.export_weights(sd, os.path.join(tmp, "shape.safetensors"))
for name, expect in (("missing", "tensor 'c1.weight' is missing"),
                     ("shape", "tensor 'fc.weight' has shape [10, 7] but the "
                               "model needs [10, 2048]")):
    try:
        netrt.Model(lib, weights=os.path.join(tmp, name + ".safetensors"))
        chk.fail(f"{name} tensor rejected", "the library opened")
    except netrt.Error as e:
        chk.check_true(f"{name} tensor rejected with a message naming it",
                       expect in str(e), str(e))
chk.finish()
