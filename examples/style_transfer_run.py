#!/usr/bin/python3
"""Neural style transfer with netc: examples/style_transfer.net optimises
its generated image by the gradient of its losses w.r.t. that input.

    examples/style_transfer_run.py [--steps 20] [--lr 0.02] [--out docs/style-transfer]

netc compiles the network with --train (its deterministic initialisation:
a small random VGG, as the network has no weights file); the content image
is scikit-image's `chelsea`, the style image its `coffee` (Debian's
python3-skimage), both at 64x64 in [0, 1]; the generated image starts as
the content plus noise. Each step takes the gradient of the sum of the
model's losses (J_content + J_style + J) w.r.t. `generated` from the
library's backward entry point and moves the image by Adam. PyTorch does
the same from the same start (the torch twin of the network with netc's
initial weights, float64, torch.optim.Adam). Prints J at every step for
both, checks that netc's loss falls at every logged step (--log-every) and that its image
matches PyTorch's to 1e-3 (max relative error) after the last step, and
writes content, style, start and result PNGs (upscaled 4x) to --out.
Exit 1 when a check fails.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(REPO, "runtime", "python"))
sys.path.insert(0, os.path.join(REPO, "test", "helpers"))
import netrt  # noqa: E402
from safetensors_np import load_safetensors  # noqa: E402

LOSSES = ("J_content", "J_style", "J")


def image(name):
    """A scikit-image sample as [1, 3, 64, 64] f32 in [0, 1] (centre crop)."""
    import skimage.data
    from skimage.transform import resize
    a = getattr(skimage.data, name)().astype(np.float64) / 255.0
    h, w = a.shape[:2]
    s = min(h, w)
    a = a[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    a = resize(a, (64, 64), anti_aliasing=True)
    return np.ascontiguousarray(a.transpose(2, 0, 1)[None], dtype=np.float32)


def png(path, x):
    from skimage.io import imsave
    a = np.clip(x[0].transpose(1, 2, 0), 0, 1)
    a = np.kron(a, np.ones((4, 4, 1)))  # 4x, nearest
    imsave(path, (a * 255 + 0.5).astype(np.uint8), check_contrast=False)


class Adam:
    """torch.optim.Adam's update for one array (defaults but lr)."""

    def __init__(self, lr, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = self.v = 0.0

    def step(self, x, g):
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        mhat = self.m / (1 - self.b1 ** self.t)
        vhat = self.v / (1 - self.b2 ** self.t)
        return x - self.lr * mhat / (np.sqrt(vhat) + self.eps)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "style-transfer"))
    ap.add_argument("--netc", default=os.path.join(REPO, "build", "bin", "netc"))
    ap.add_argument("--log-every", type=int, default=1,
                    help="print (and check that the loss fell) every K steps")
    ap.add_argument("--no-torch", action="store_true",
                    help="netc alone (no comparison)")
    args = ap.parse_args(argv)

    work = tempfile.mkdtemp(prefix="style-transfer-")
    so = os.path.join(work, "libstyle_transfer.so")
    init = os.path.join(work, "init.safetensors")
    subprocess.run([args.netc, os.path.join(REPO, "examples", "style_transfer.net"),
                    "--train", "-o", so, "--save-weights", init], check=True)
    m = netrt.Model(so)
    content, style = image("chelsea"), image("coffee")
    rng = np.random.default_rng(0)
    start = np.clip(content + 0.1 * rng.standard_normal(content.shape), 0, 1)
    start = start.astype(np.float32)

    gen, adam, losses = start.copy(), Adam(args.lr), []
    for step in range(args.steps + 1):
        feed = dict(content=content, style=style, generated=gen)
        j = m.loss(**feed)
        losses.append(sum(float(j[k]) for k in LOSSES))
        if step == args.steps:
            break
        g = m.backward(**feed)["generated"].astype(np.float64)
        gen = adam.step(gen.astype(np.float64), g).astype(np.float32)

    ok = True
    if not args.no_torch:
        import torch
        from zoo_torch import StyleTransfer
        tm = StyleTransfer()
        tm.load_state_dict({k: torch.from_numpy(v)
                            for k, v in load_safetensors(init).items()})
        tm = tm.double().eval()
        ct, st = (torch.from_numpy(a).double() for a in (content, style))
        gt = torch.from_numpy(start).double().requires_grad_(True)
        opt = torch.optim.Adam([gt], lr=args.lr)
        tlosses = []
        for step in range(args.steps + 1):
            opt.zero_grad()
            out = tm(ct, st, gt)
            total = sum(out[k] for k in LOSSES)
            tlosses.append(float(total))
            if step == args.steps:
                break
            total.backward()
            opt.step()
        want = gt.detach().numpy()
        err = float(np.abs(gen - want).max() / np.abs(want).max())
        for step, (a, b) in enumerate(zip(losses, tlosses)):
            if step % args.log_every == 0 or step == args.steps:
                print(f"step {step:3d}: loss netc {a:.6g}  PyTorch {b:.6g}")
        print(f"image after {args.steps} steps: max relative error vs PyTorch "
              f"{err:.3e} (must be <= 1e-3)")
        ok = err <= 1e-3
    else:
        for step, a in enumerate(losses):
            if step % args.log_every == 0 or step == args.steps:
                print(f"step {step:3d}: loss netc {a:.6g}")
    logged = [a for step, a in enumerate(losses)
              if step % args.log_every == 0 or step == args.steps]
    falls = all(b < a for a, b in zip(logged, logged[1:]))
    print(f"netc's loss falls at every logged step: {'yes' if falls else 'NO'} "
          f"({losses[0]:.6g} -> {losses[-1]:.6g})")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        for name, x in (("content", content), ("style", style),
                        ("start", start), (f"netc-{args.steps}-steps", gen)):
            png(os.path.join(args.out, f"{name}.png"), x)
        print(f"PNGs in {args.out}")
    return 0 if ok and falls else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
