# examples/flownet_s.net (FlowNetSimple) and examples/flownet_c.net
# (FlowNetCorr), scaled-down FlowNets on 64x128 frame pairs, against PyTorch
# modules written here after FlowNetPytorch (ClementPinard, batchNorm=False:
# conv = Sequential(Conv2d, LeakyReLU(0.1)), deconv = Sequential(4x4/2
# ConvTranspose2d without bias, LeakyReLU(0.1)), predict_flow and
# upsampled_flow without bias) at a quarter of the paper's widths. Their
# state_dicts (conv1.0.weight, ..., deconv5.0.weight, predict_flow6.weight,
# upsampled_flow6_to_5.weight, ...) are exported unchanged, with kaiming
# weights as FlowNetPytorch initialises them and small random biases.
#
# The correlation has no PyTorch module; `correlate` below writes it out
# (docs/ops-vision.md, as corr_np in ops_vision.py): channel i*D + j is the
# displacement (i*2 - 4, j*2 - 4), the mean over channels of
# f1(y, x) * f2(y + dy, x + dx) with f2 zero outside, then leaky_relu(0.1)
# as FlowNetPytorch's correlate (an identity on these inputs: correlations
# of leaky_relu features come out >= 0, as in FlowNet). The losses are FlowNetPytorch's EPE
# (mean=True) and multiscaleEPE (weights 0.005 .. 0.32, gt brought to each
# scale by F.interpolate(mode="area"), mean=False) as its multiscaleloss.py
# computes them, not the .net's rewriting of them.
#
# Each model is compiled at -O2 and -O0 and run at batch 1 and 2 (every
# output and both losses, `net-run --loss`), and goes through netc's
# reference evaluator at batch 1 (~3 s CPU a run), all compared with
# PyTorch in float64: max relative error <= 1e-4. Also checks that the
# inputs matter (the two items of a batch give different flows; for
# FlowNetC, zeroing the correlation changes the flow by > 5%), and that
# net-run rejects a wrong-shape frame naming f32[N, 3, 64, 128]. The four
# compiles (60-90 s CPU, the bulk of the test) run two at a time in the
# background while PyTorch and the reference evaluator work.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import os
import sys
import threading
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
import zoo_check

tmp, examples = sys.argv[1], sys.argv[2]
from zoo_torch import (DIV_FLOW, EPE, FH, FW, FlowNetC, FlowNetS, H,  # noqa: E402,F401
                       MAX_DISP, STRIDE, W, correlate, init_weights,
                       multiscaleEPE)


def frames(batch):
    """img1 random; img2 = img1 shifted by a different motion per item (a
    multiple of 8 pixels: whole cells of the 1/8 correlation map) plus
    noise; gt random at the scale of the flows."""
    img1 = torch.from_numpy(nc.randn(batch, 3, H, W))
    img2 = torch.empty_like(img1)
    shifts = [(8, 16), (-16, 8)]
    for i in range(batch):
        img2[i] = torch.roll(img1[i], shifts[i % 2], dims=(1, 2))
    img2 += torch.from_numpy(nc.randn(batch, 3, H, W, scale=0.1))
    return {"img1": img1.numpy(), "img2": img2.numpy(),
            "gt": nc.randn(batch, 2, FH, FW, scale=0.5)}


def compile_in_background(name, model, chk):
    """Exports the weights and starts compiling the model at -O2 then -O0
    (one netc at a time: the two models' threads keep both cores busy while
    the main thread evaluates PyTorch and the reference evaluator)."""
    d = os.path.join(tmp, name)
    net = os.path.join(examples, name + ".net")
    weights = nc.export_weights(model, os.path.join(d, name + ".safetensors"))
    sd = model.state_dict()
    print(f"{name} weights: {len(sd)} tensors "
          f"({sum(v.numel() for v in sd.values())} parameters): "
          + ", ".join(sd))
    libs = {}

    def work():
        libs.update(nc.compile_many(net, d, {"O2": ["-O2"], "O0": ["-O0"]},
                                    weights=weights, jobs=1, checker=chk))

    t = threading.Thread(target=work)
    t.start()
    return {"name": name, "model": model, "chk": chk, "dir": d, "net": net,
            "weights": weights, "libs": libs, "thread": t, "cases": []}


def check_torch_and_reference(m):
    """PyTorch's outputs at batch 1 and 2, the checks that they depend on
    the inputs, and the reference evaluator against them at batch 1."""
    name, model, chk = m["name"], m["model"], m["chk"]
    for batch in (1, 2):
        inputs = frames(batch)
        want = nc.torch_eval(model, inputs["img1"], inputs["img2"],
                             inputs["gt"])
        m["cases"].append((batch, inputs, want))
        print(f"{name} batch {batch}: flow in [{want['flow'].min():.3f}, "
              f"{want['flow'].max():.3f}], epe {float(want['epe']):.4f}, "
              f"multiscale {float(want['multiscale']):.4f}")
        if batch == 2:
            f = want["flow"]
            spread = np.abs(f[0] - f[1]).max() / np.abs(f).max()
            chk.check_true(f"{name}: the two items give different flows "
                           f"(spread {spread:.3f})", spread > 0.05)
            if isinstance(model, FlowNetC):
                model.zero_corr = True
                f0 = nc.torch_eval(model, inputs["img1"], inputs["img2"],
                                   inputs["gt"])["flow"]
                model.zero_corr = False
                rel = np.abs(f0 - f).max() / np.abs(f).max()
                chk.check_true(f"{name}: the correlation matters (zeroing it "
                               f"changes the flow by {rel:.3f})", rel > 0.05)
        if batch != 1:
            continue  # the reference evaluator: batch 1 only (~3 s CPU)
        t0 = time.time()
        try:
            got = nc.run_reference(m["net"], inputs,
                                   os.path.join(m["dir"], f"ref-{batch}"),
                                   weights=m["weights"])
        except nc.ToolError as e:
            chk.fail(f"{name} batch {batch} [ref]", str(e))
        else:
            print(f"{name} batch {batch}: reference evaluator "
                  f"{time.time() - t0:.1f} s")
            chk.compare_outputs(f"{name} batch {batch} [ref]", got, want)


def check_libraries(m):
    """Every output and loss of the -O2 and -O0 builds at batch 1 and 2,
    and a wrong-shape frame."""
    name, chk, libs = m["name"], m["chk"], m["libs"]
    for batch, inputs, want in m["cases"]:
        what = f"{name} batch {batch}"
        for label in ("O2", "O0"):
            if label not in libs:
                chk.fail(f"{what} [{label}]",
                         "no library: the compile thread died")
        zoo_check.compare_with_loss(chk, libs, inputs, want, m["dir"], what)
    if libs.get("O2"):
        zoo_check.check_wrong_shape(chk, libs["O2"], frames(2), "img2",
                                    (2, 3, H, H), f"f32[N, 3, {H}, {W}]",
                                    m["dir"], extra=["--loss"])


t_start = time.time()
nc.seed(0)
models = [compile_in_background(name, init_weights(cls()), nc.Checker(name))
          for name, cls in (("flownet_s", FlowNetS), ("flownet_c", FlowNetC))]
for m in models:
    check_torch_and_reference(m)
for m in models:
    m["thread"].join()
for m in models:
    check_libraries(m)
failed = False
for m in models:
    try:
        m["chk"].finish()
    except SystemExit:
        failed = True
print(f"\nflownet: {time.time() - t_start:.1f} s in all")
sys.exit(1 if failed else 0)
