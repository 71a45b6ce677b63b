#!/usr/bin/python3
"""Deep Compression (Han et al. 2016) of LeNet-5 on Fashion-MNIST, in netc.

    examples/fashion/deep_compression.py [--sparsity 0.92] [--codebook conv:32,fc:16]
        [--epochs 3] [--json out.json]

From the trained model (examples/fashion/lenet5_fmnist.safetensors):
  1. magnitude pruning (netc --prune=magnitude:S, every layer but
     --prune-skip's: the first conv by default), then retraining with the pruned weights held at zero
     (netrt trainer, keep_zeros);
  2. weight sharing of the retrained weights (--share-weights: a k-means
     codebook per layer), then retraining of the shared values: each
     codebook entry moves by the sum of its weights' gradients
     (keep_zeros + tie_equal);
  3. --compress: the codebook indices and the zero positions zstd-coded.
Each stage is compiled by netc and measured on the 10,000 test images; the
last lines give the weight bytes against the dense f32 weights and the
accuracy against the dense model's. Retraining: Adam, lr 2e-3 on a cosine
schedule over --epochs per stage, batch 64, shuffled by one seed.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(REPO, "runtime", "python"))
import fashion_mnist as fm  # noqa: E402
import netrt  # noqa: E402

NET = os.path.join(REPO, "examples", "fashion", "lenet5_fmnist.net")


def accuracy(model, x, y):
    pred = np.concatenate([model.forward(x=x[i:i + 1000])["logits"].argmax(1)
                           for i in range(0, len(x), 1000)])
    return 100.0 * float((pred == y).mean())


def retrain(so, x, y, epochs, lr, tie, out, log):
    m = netrt.Model(so)
    t = m.trainer("adam", keep_zeros=True, tie_equal=tie)
    rng = np.random.default_rng(0)
    steps = (len(x) + 63) // 64
    for e in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for s in range(steps):
            idx = order[s * 64:(s + 1) * 64]
            rate = lr * 0.5 * (1 + math.cos(math.pi * (e * steps + s) / (epochs * steps)))
            total += t.step(rate, x=x[idx], label=y[idx])["ce"] * len(idx)
        log(f"    epoch {e + 1}/{epochs}: loss {total / len(x):.4f}")
    t.save(out)
    return m


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sparsity", type=float, default=0.92)
    ap.add_argument("--codebook", default="conv:32,fc:16")
    ap.add_argument("--prune-skip", default="c1",
                    help="layers left dense (the first conv: 150 weights)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--share-lr", type=float, default=0.0,
                    help="the learning rate of the codebook retraining "
                         "(default: --lr)")
    ap.add_argument("--netc", default=os.path.join(REPO, "build", "bin", "netc"))
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    x, y = fm.load("train")
    tx, ty = fm.load("test")
    work = tempfile.mkdtemp(prefix="deep-compression-")
    prune = [f"--prune=magnitude:{args.sparsity}"]
    if args.prune_skip:
        prune.append(f"--prune-skip={args.prune_skip}")
    share = ["--share-weights", f"--codebook={args.codebook}"]
    rows = []

    def build(name, flags):
        so = os.path.join(work, name, "liblenet5_fmnist.so")
        subprocess.run([args.netc, NET, "-o", so] + flags, check=True)
        return so

    def measure(stage, so, model=None):
        m = model or netrt.Model(so)
        acc = accuracy(m, tx, ty)
        stored, f32 = netrt.Model(so).weight_bytes()
        rows.append({"stage": stage, "top1": acc, "stored_bytes": stored,
                     "f32_bytes": f32})
        print(f"{stage}: top-1 {acc:.2f}%, weights {stored:,} B", flush=True)
        return acc

    dense = measure("dense", build("dense", []))
    pruned = build("pruned", prune)
    measure(f"pruned S={args.sparsity} (no retraining)", pruned)
    w1 = os.path.join(work, "pruned-retrained.safetensors")
    print("  retraining with the pruned weights held at zero")
    m = retrain(build("pruned-train", prune + ["--train"]), x, y, args.epochs,
                args.lr, False, w1, print)
    rows.append({"stage": "pruned + retrained", "top1": accuracy(m, tx, ty)})
    print(f"pruned + retrained: top-1 {rows[-1]['top1']:.2f}%")
    shared = build("shared", ["--weights", w1] + prune + share)
    measure(f"+ weight sharing {args.codebook} (no retraining)", shared)
    w2 = os.path.join(work, "shared-retrained.safetensors")
    print("  retraining the shared values (each entry: the sum of its weights' gradients)")
    m = retrain(build("shared-train", ["--weights", w1] + prune + ["--train"] + share),
                x, y, args.epochs, args.share_lr or args.lr, True, w2, print)
    rows.append({"stage": "shared + retrained", "top1": accuracy(m, tx, ty)})
    print(f"shared + retrained: top-1 {rows[-1]['top1']:.2f}%")
    final = build("compressed", ["--weights", w2] + prune +
                  ["--compress", f"--codebook={args.codebook}"])
    acc = measure("+ --compress", final)
    stored, f32 = netrt.Model(final).weight_bytes()
    print(f"Deep Compression: {f32:,} -> {stored:,} B ({f32 / stored:.1f}x smaller), "
          f"top-1 {acc:.2f}% (dense {dense:.2f}%, {acc - dense:+.2f} points)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sparsity": args.sparsity, "codebook": args.codebook,
                       "prune_skip": args.prune_skip,
                       "epochs": args.epochs, "lr": args.lr,
                       "share_lr": args.share_lr or args.lr, "stages": rows,
                       "ratio": f32 / stored, "dense_top1": dense, "top1": acc},
                      f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
