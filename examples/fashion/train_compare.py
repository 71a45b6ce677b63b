#!/usr/bin/python3
"""A Fashion-MNIST net trained by netc and by PyTorch, side by side.

    examples/fashion/train_compare.py [--model lenet5|resnet|mobilenet]
        [--batchnorm batch-stats|eval] [--epochs 5] [--batch 64]
        [--optimizer adam|sgd] [--lr 2e-3] [--momentum 0.9] [--schedule cosine|constant]
        [--threads 2] [--count N] [--json out.json]

netc compiles examples/fashion/MODEL_fmnist.net (LeNet-5 by default) with
--train from its deterministic initialisation (--weights=init); those
initial weights are written as .safetensors and loaded into the
equivalent torch module (train.py's), so both start from the same values.
The small ResNet and MobileNet have batchnorm: by default both train it
in training mode (netc --train=batch-stats, torch's .train(): batch
statistics, running averages updated) and test in eval mode with the
running averages; --batchnorm eval keeps it in eval mode throughout. Both then take the same steps: the same
shuffled batches (one numpy seed), the same optimizer (Adam by default,
or SGD with momentum) and learning rate (cosine to 0 over the steps by
default), 2 threads each. After every epoch each prints its mean
loss, its test top-1 on the 10,000 test images and its training speed
(images/s of the train steps alone); the last lines compare them.
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
from safetensors_np import load_safetensors  # noqa: E402


def torch_model(name):
    """The torch twin of NAME_fmnist.net (train.py's)."""
    sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
    from train import build
    return build(name)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["lenet5", "resnet", "mobilenet"],
                    default="lenet5")
    ap.add_argument("--batchnorm", choices=["batch-stats", "eval"],
                    default="batch-stats")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--momentum", type=float, default=0.9, help="SGD's")
    ap.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--count", type=int, default=0,
                    help="train on the first COUNT images only")
    ap.add_argument("--netc", default=os.path.join(REPO, "build", "bin", "netc"))
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    x, y = fm.load("train", count=args.count or None)
    tx, ty = fm.load("test")
    work = tempfile.mkdtemp(prefix="train-compare-")
    so = os.path.join(work, f"lib{args.model}_fmnist.so")
    train = "--train=batch-stats" if args.batchnorm == "batch-stats" else "--train"
    subprocess.run([args.netc, os.path.join(REPO, "examples", "fashion",
                                            f"{args.model}_fmnist.net"),
                    train, "--weights=init", "-o", so], check=True)
    m = netrt.Model(so)
    m.set_num_threads(args.threads)
    if args.optimizer == "adam":
        trainer = m.trainer("adam")
    else:
        trainer = m.trainer(momentum=args.momentum)
    init = os.path.join(work, "init.safetensors")
    trainer.save(init)
    tm = torch_model(args.model)
    missing = tm.load_state_dict({k: torch.from_numpy(v) for k, v in
                                  load_safetensors(init).items()}, strict=False)
    assert not missing.unexpected_keys and all(
        k.endswith("num_batches_tracked") for k in missing.missing_keys), missing
    tm.train(args.batchnorm == "batch-stats")
    if args.optimizer == "adam":
        opt = torch.optim.Adam(tm.parameters(), lr=args.lr)
    else:
        opt = torch.optim.SGD(tm.parameters(), lr=args.lr, momentum=args.momentum)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    txt = torch.from_numpy(tx)

    rng = np.random.default_rng(0)
    steps = (len(x) + args.batch - 1) // args.batch
    rows = []
    for epoch in range(args.epochs):
        order = rng.permutation(len(x))
        sums = {"netc": 0.0, "torch": 0.0}
        secs = {"netc": 0.0, "torch": 0.0}
        for s in range(steps):
            idx = order[s * args.batch:(s + 1) * args.batch]
            bx, by = x[idx], y[idx]
            lr = args.lr
            if args.schedule == "cosine":
                lr *= 0.5 * (1 + math.cos(math.pi * (epoch * steps + s) /
                                          (args.epochs * steps)))
            for group in opt.param_groups:
                group["lr"] = lr
            t0 = time.perf_counter()
            loss = trainer.step(lr, x=bx, label=by)["ce"]
            secs["netc"] += time.perf_counter() - t0
            sums["netc"] += loss * len(idx)
            t0 = time.perf_counter()
            opt.zero_grad()
            tl = F.cross_entropy(tm(xt[idx]), yt[idx])
            tl.backward()
            opt.step()
            secs["torch"] += time.perf_counter() - t0
            sums["torch"] += float(tl) * len(idx)
        acc = {}
        pred = np.concatenate([m.forward(x=tx[i:i + 1000])["logits"].argmax(1)
                               for i in range(0, len(tx), 1000)])
        acc["netc"] = 100.0 * float((pred == ty).mean())
        tm.eval()
        with torch.no_grad():
            tp = tm(txt).argmax(1).numpy()
        tm.train(args.batchnorm == "batch-stats")
        acc["torch"] = 100.0 * float((tp == ty).mean())
        row = {"epoch": epoch + 1}
        for k in ("netc", "torch"):
            row[k] = {"loss": sums[k] / len(x), "test_top1": acc[k],
                      "images_per_s": len(x) / secs[k]}
            print(f"epoch {epoch + 1}/{args.epochs} {k:5s}: loss "
                  f"{row[k]['loss']:.4f}, test top-1 {acc[k]:.2f}%, "
                  f"{row[k]['images_per_s']:.0f} images/s", flush=True)
        rows.append(row)
    last = rows[-1]
    print(f"after {args.epochs} epochs: netc {last['netc']['test_top1']:.2f}% vs "
          f"PyTorch {last['torch']['test_top1']:.2f}% "
          f"({last['netc']['test_top1'] - last['torch']['test_top1']:+.2f} "
          f"points); train step netc/PyTorch images/s "
          f"{last['netc']['images_per_s'] / last['torch']['images_per_s']:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "batchnorm": args.batchnorm,
                       "batch": args.batch, "lr": args.lr,
                       "optimizer": args.optimizer, "schedule": args.schedule,
                       "momentum": args.momentum, "threads": args.threads,
                       "epochs": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
