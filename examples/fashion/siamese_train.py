#!/usr/bin/python3
"""The Siamese/triplet embedding of examples/siamese_triplet.net trained by
netc on Fashion-MNIST triplets, with its verification accuracy.

    examples/fashion/siamese_train.py [--epochs 3] [--triplets 20000] [--lr 1e-3]

Each triplet is an anchor image, another image of its class (positive) and
an image of another class (negative), drawn at random from the training
set (pixels / 255, padded from 28x28 to the network's 32x32). netc compiles
the network with --train (its deterministic initialisation); the netrt
trainer takes Adam steps on FaceNet's loss (margin 0.2, unit-length
embeddings, one set of weights for the three). Verification: 5,000 pairs of
test images, half of one class, half of two; a pair is "same" when the
distance of the embeddings is below a threshold chosen on 5,000 training
pairs. Prints the verification accuracy before and after training.
"""
import argparse
import json
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


def pad32(x):
    return np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))


def embed(m, x):
    out = []
    for i in range(0, len(x), 500):
        b = x[i:i + 500]
        out.append(m.forward(anchor=b, positive=b, negative=b)["emb_anchor"])
    return np.concatenate(out)


def pairs(y, count, rng):
    """Index pairs, half of one class and half of two, and whether same."""
    by = [np.flatnonzero(y == c) for c in range(10)]
    a, b, same = [], [], []
    for k in range(count):
        c = rng.integers(10)
        i = rng.choice(by[c])
        if k % 2 == 0:
            j = rng.choice(by[c])
        else:
            j = rng.choice(by[(c + rng.integers(1, 10)) % 10])
        a.append(i), b.append(j), same.append(k % 2 == 0)
    return np.array(a), np.array(b), np.array(same)


def verification(m, x, y, tx, ty, rng):
    """(test accuracy, threshold chosen on training pairs)."""
    a, b, same = pairs(y, 5000, rng)
    e = embed(m, x[np.concatenate([a, b])])
    d = np.linalg.norm(e[:len(a)] - e[len(a):], axis=1)
    best = max((float(np.mean((d < t) == same)), float(t))
               for t in np.quantile(d, np.linspace(0.01, 0.99, 99)))
    ta, tb, tsame = pairs(ty, 5000, rng)
    te = embed(m, tx[np.concatenate([ta, tb])])
    td = np.linalg.norm(te[:len(ta)] - te[len(ta):], axis=1)
    return 100.0 * float(np.mean((td < best[1]) == tsame)), best[1]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--triplets", type=int, default=20000, help="per epoch")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--netc", default=os.path.join(REPO, "build", "bin", "netc"))
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    x, y = fm.load("train")
    tx, ty = fm.load("test")
    x, tx = pad32(x), pad32(tx)
    work = tempfile.mkdtemp(prefix="siamese-")
    so = os.path.join(work, "libsiamese_triplet.so")
    subprocess.run([args.netc, os.path.join(REPO, "examples", "siamese_triplet.net"),
                    "--train", "-o", so], check=True)
    m = netrt.Model(so)
    rng = np.random.default_rng(0)
    before, _ = verification(m, x, y, tx, ty, np.random.default_rng(1))
    print(f"before training: verification accuracy {before:.2f}% on 5,000 test pairs",
          flush=True)
    t = m.trainer("adam")
    by = [np.flatnonzero(y == c) for c in range(10)]
    rows = []
    for epoch in range(args.epochs):
        total = 0.0
        steps = args.triplets // args.batch
        for s in range(steps):
            c = rng.integers(10, size=args.batch)
            other = (c + rng.integers(1, 10, size=args.batch)) % 10
            ia = np.array([rng.choice(by[k]) for k in c])
            ip = np.array([rng.choice(by[k]) for k in c])
            ineg = np.array([rng.choice(by[k]) for k in other])
            total += t.step(args.lr, anchor=x[ia], positive=x[ip],
                            negative=x[ineg])["t"]
        acc, thr = verification(m, x, y, tx, ty, np.random.default_rng(1))
        rows.append({"epoch": epoch + 1, "loss": total / steps,
                     "verification": acc, "threshold": thr})
        print(f"epoch {epoch + 1}/{args.epochs}: triplet loss {total / steps:.4f}, "
              f"verification accuracy {acc:.2f}% (threshold {thr:.3f})", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"before": before, "epochs": rows, "lr": args.lr,
                       "batch": args.batch, "triplets": args.triplets}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
