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
H, W = 64, 128          # the frames
FH, FW = H // 4, W // 4  # flow2, `flow`, `gt`
DIV_FLOW = 20.0
MAX_DISP, STRIDE = 4, 2


# --- FlowNetPytorch's building blocks (models/util.py), batchNorm=False ---

def conv(cin, cout, k=3, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2,
                                   bias=True),
                         nn.LeakyReLU(0.1))


def deconv(cin, cout):
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False),
                         nn.LeakyReLU(0.1))


def predict_flow(cin):
    return nn.Conv2d(cin, 2, 3, 1, 1, bias=False)


def upsampled_flow():
    return nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False)


def correlate(a, b, d=MAX_DISP, s=STRIDE):
    """FlowNetC correlation (kernel 1, displacements -d..d step s, dy outer,
    dx inner), divided by the channel count, then leaky_relu(0.1)."""
    n, c, h, w = a.shape
    bp = F.pad(b, (d, d, d, d))
    out = []
    for dy in range(-d, d + 1, s):
        for dx in range(-d, d + 1, s):
            shifted = bp[:, :, d + dy:d + dy + h, d + dx:d + dx + w]
            out.append((a * shifted).sum(1) / c)
    return F.leaky_relu(torch.stack(out, 1), 0.1)


# --- FlowNetPytorch's losses (multiscaleloss.py), dense targets ---

def EPE(input_flow, target_flow, mean=True):
    epe_map = torch.norm(target_flow - input_flow, 2, 1)
    return epe_map.mean() if mean else epe_map.sum() / epe_map.size(0)


def multiscaleEPE(outputs, target, weights=(0.005, 0.01, 0.02, 0.08, 0.32)):
    loss = 0
    for output, weight in zip(outputs, weights):
        target_scaled = F.interpolate(target, output.shape[2:], mode="area")
        loss = loss + weight * EPE(output, target_scaled, mean=False)
    return loss


class FlowNetBase(nn.Module):
    """conv3_1 .. conv6_1 and the refinement, common to S and C (widths: a
    quarter of the paper's)."""

    def __init__(self, conv3_1_in):
        super().__init__()
        self.conv3_1 = conv(conv3_1_in, 64)
        self.conv4 = conv(64, 128, stride=2)
        self.conv4_1 = conv(128, 128)
        self.conv5 = conv(128, 128, stride=2)
        self.conv5_1 = conv(128, 128)
        self.conv6 = conv(128, 256, stride=2)
        self.conv6_1 = conv(256, 256)
        self.deconv5 = deconv(256, 128)
        self.deconv4 = deconv(258, 64)
        self.deconv3 = deconv(194, 32)
        self.deconv2 = deconv(98, 16)
        self.predict_flow6 = predict_flow(256)
        self.predict_flow5 = predict_flow(258)
        self.predict_flow4 = predict_flow(194)
        self.predict_flow3 = predict_flow(98)
        self.predict_flow2 = predict_flow(50)
        self.upsampled_flow6_to_5 = upsampled_flow()
        self.upsampled_flow5_to_4 = upsampled_flow()
        self.upsampled_flow4_to_3 = upsampled_flow()
        self.upsampled_flow3_to_2 = upsampled_flow()

    def refine(self, out_conv2, in_conv3_1, gt):
        out_conv3 = self.conv3_1(in_conv3_1)
        out_conv4 = self.conv4_1(self.conv4(out_conv3))
        out_conv5 = self.conv5_1(self.conv5(out_conv4))
        out_conv6 = self.conv6_1(self.conv6(out_conv5))
        # Every size halves exactly at 64x128: crop_like is the identity.
        flow6 = self.predict_flow6(out_conv6)
        concat5 = torch.cat((out_conv5, self.deconv5(out_conv6),
                             self.upsampled_flow6_to_5(flow6)), 1)
        flow5 = self.predict_flow5(concat5)
        concat4 = torch.cat((out_conv4, self.deconv4(concat5),
                             self.upsampled_flow5_to_4(flow5)), 1)
        flow4 = self.predict_flow4(concat4)
        concat3 = torch.cat((out_conv3, self.deconv3(concat4),
                             self.upsampled_flow4_to_3(flow4)), 1)
        flow3 = self.predict_flow3(concat3)
        concat2 = torch.cat((out_conv2, self.deconv2(concat3),
                             self.upsampled_flow3_to_2(flow3)), 1)
        flow2 = self.predict_flow2(concat2)
        # run_inference.py: div_flow * bilinear upsampling to the frame size.
        full = DIV_FLOW * F.interpolate(flow2, (H, W), mode="bilinear",
                                        align_corners=False)
        return {"flow": flow2, "flow3": flow3, "flow4": flow4,
                "flow5": flow5, "flow6": flow6, "flow_full": full,
                "epe": EPE(flow2, gt),
                "multiscale": multiscaleEPE(
                    (flow2, flow3, flow4, flow5, flow6), gt)}


class FlowNetS(FlowNetBase):
    def __init__(self):
        super().__init__(64)
        self.conv1 = conv(6, 16, k=7, stride=2)
        self.conv2 = conv(16, 32, k=5, stride=2)
        self.conv3 = conv(32, 64, k=5, stride=2)

    def forward(self, img1, img2, gt):
        out_conv2 = self.conv2(self.conv1(torch.cat((img1, img2), 1)))
        return self.refine(out_conv2, self.conv3(out_conv2), gt)


class FlowNetC(FlowNetBase):
    def __init__(self):
        super().__init__(8 + ((2 * MAX_DISP) // STRIDE + 1) ** 2)  # 8 + 25
        self.conv1 = conv(3, 16, k=7, stride=2)
        self.conv2 = conv(16, 32, k=5, stride=2)
        self.conv3 = conv(32, 64, k=5, stride=2)
        self.conv_redir = conv(64, 8, k=1)
        self.zero_corr = False  # for the check that the correlation matters

    def forward(self, img1, img2, gt):
        out_conv2a = self.conv2(self.conv1(img1))
        out_conv3a = self.conv3(out_conv2a)
        out_conv3b = self.conv3(self.conv2(self.conv1(img2)))
        corr = correlate(out_conv3a, out_conv3b)
        if self.zero_corr:
            corr = torch.zeros_like(corr)
        in_conv3_1 = torch.cat((self.conv_redir(out_conv3a), corr), 1)
        return self.refine(out_conv2a, in_conv3_1, gt)


def init_weights(model):
    """FlowNetPytorch's initialisation (kaiming_normal_(w, 0.1)), with
    biases U(-0.1, 0.1) instead of 0 so that they are checked."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, 0.1)
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1)
    return model.eval()


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
