#!/usr/bin/python3
"""Channel pruning then fine-tuning, in netc: the small ResNet on
Fashion-MNIST (examples/fashion/resnet_fmnist.net, trained weights).

    examples/fashion/prune_finetune.py [--model resnet] [--sparsity 0.5]
        [--epochs 3] [--lr 1e-3] [--json out.json]

netc --prune=channels:S removes the fraction S of output channels of every
convolution (coupled channels together; tools.md "Compression"), slicing
the weights in the IR. The pruned library, compiled with --train, is then
fine-tuned in place by the netrt trainer (Adam on a cosine schedule, batch
64, batchnorm in eval mode with its running statistics as loaded). Prints
the top-1 on the 10,000 test images of the dense model, the pruned one
before and after fine-tuning, and the forward time of each at batch 64
(median of 20 calls, 2 threads).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(REPO, "runtime", "python"))
import fashion_mnist as fm  # noqa: E402
import netrt  # noqa: E402


def accuracy(model, x, y):
    out = model.outputs[0][0]
    pred = np.concatenate([model.forward(x=x[i:i + 1000])[out].argmax(1)
                           for i in range(0, len(x), 1000)])
    return 100.0 * float((pred == y).mean())


def forward_ms(model, x):
    ts = []
    for _ in range(22):
        t0 = time.perf_counter()
        model.forward(x=x)
        ts.append(time.perf_counter() - t0)
    return 1e3 * sorted(ts[2:])[10]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="resnet", choices=["resnet", "lenet5", "mobilenet"])
    ap.add_argument("--sparsity", type=float, default=0.5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--netc", default=os.path.join(REPO, "build", "bin", "netc"))
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    net = os.path.join(REPO, "examples", "fashion", f"{args.model}_fmnist.net")
    x, y = fm.load("train")
    tx, ty = fm.load("test")
    work = tempfile.mkdtemp(prefix="prune-finetune-")
    prune = f"--prune=channels:{args.sparsity}"

    def build(name, flags):
        so = os.path.join(work, name, f"lib{args.model}_fmnist.so")
        subprocess.run([args.netc, net, "-o", so] + flags, check=True)
        m = netrt.Model(so)
        m.set_num_threads(args.threads)
        return m

    bench = tx[:64]
    dense = build("dense", [])
    rows = {"dense": {"top1": accuracy(dense, tx, ty), "ms": forward_ms(dense, bench)}}
    pruned = build("pruned", [prune, "--train"])
    rows["pruned"] = {"top1": accuracy(pruned, tx, ty)}
    t = pruned.trainer("adam")
    rng = np.random.default_rng(0)
    steps = (len(x) + 63) // 64
    for e in range(args.epochs):
        order = rng.permutation(len(x))
        total, t0 = 0.0, time.perf_counter()
        for s in range(steps):
            idx = order[s * 64:(s + 1) * 64]
            lr = args.lr * 0.5 * (1 + math.cos(math.pi * (e * steps + s) /
                                               (args.epochs * steps)))
            total += t.step(lr, x=x[idx], label=y[idx])["ce"] * len(idx)
        print(f"  fine-tuning epoch {e + 1}/{args.epochs}: loss "
              f"{total / len(x):.4f}, {len(x) / (time.perf_counter() - t0):.0f} "
              f"images/s, test top-1 {accuracy(pruned, tx, ty):.2f}%", flush=True)
    rows["fine-tuned"] = {"top1": accuracy(pruned, tx, ty),
                          "ms": forward_ms(pruned, bench)}
    d, f = rows["dense"], rows["fine-tuned"]
    print(f"dense: top-1 {d['top1']:.2f}%, forward {d['ms']:.3f} ms at batch 64")
    print(f"channels S={args.sparsity}: top-1 {rows['pruned']['top1']:.2f}% "
          f"before fine-tuning, {f['top1']:.2f}% after {args.epochs} epochs "
          f"({f['top1'] - d['top1']:+.2f} points), forward {f['ms']:.3f} ms "
          f"({d['ms'] / f['ms']:.2f}x faster)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"model": args.model, "sparsity": args.sparsity,
                       "epochs": args.epochs, "lr": args.lr, "stages": rows},
                      fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
