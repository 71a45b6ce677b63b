# tools/net-train: trains from .npy arrays (the loss falls over 3 epochs,
# one progress line each, the weights file written), and bad training
# input is a clear error with exit status 1 that leaves the previous
# weights file as it was: labels out of range, arrays of different
# lengths, a NaN in the images (the loss is NaN: the step fails before
# anything is updated or saved), a wrong input name, a library without
# --train.
#
# REQUIRES: numpy
# RUN: rm -rf %t && mkdir -p %t
# RUN: netc %S/Inputs/train-small.net --train -o %t/libsmall.so
# RUN: netc %S/Inputs/train-small.net -o %t/plain/libsmall.so
# RUN: %python %s %t %S/../../tools/net-train

import os
import subprocess
import sys

import numpy as np

import netcompare as nc

tmp, tool = sys.argv[1], sys.argv[2]
chk = nc.Checker("net-train")
so = os.path.join(tmp, "libsmall.so")
rng = np.random.default_rng(0)
x = rng.standard_normal((96, 1, 8, 8)).astype(np.float32)
# A learnable rule: the class is the quadrant with the largest sum.
q = x[:, 0].reshape(96, 2, 4, 2, 4).sum(axis=(2, 4)).reshape(96, 4)
y = q.argmax(axis=1).astype(np.int32)


def save(name, a):
    path = os.path.join(tmp, name)
    np.save(path, a)
    return path


def run(*args):
    p = subprocess.run([sys.executable, tool] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


xs, ys = save("x.npy", x), save("y.npy", y)
weights = os.path.join(tmp, "w.safetensors")
rc, out, err = run(so, "--input", f"x={xs}", "--input", f"label={ys}",
                   "--epochs", "3", "--batch", "16", "--lr", "0.1",
                   "--momentum", "0.9", "--save", weights)
lines = [l for l in out.splitlines() if l.startswith("epoch")]
chk.check_true("trains: exit 0, one line per epoch", rc == 0 and len(lines) == 3,
               f"exit {rc}: {out} {err}")
losses = [float(l.split("loss ")[1].split(",")[0]) for l in lines]
chk.check_true("the loss falls every epoch",
               len(losses) == 3 and losses[0] > losses[1] > losses[2],
               f"losses {losses}")
chk.check_true("the weights file is written", os.path.isfile(weights))
before = open(weights, "rb").read() if os.path.isfile(weights) else b""


def fails(what, args, expect):
    rc, out, err = run(so, *args, "--save", weights)
    chk.check_true(f"{what}: exit 1 with a message", rc == 1 and expect in err,
                   f"exit {rc}, stderr: {err.strip()}")
    chk.check_true(f"{what}: the previous weights file is intact",
                   open(weights, "rb").read() == before)


bad = y.copy()
bad[7] = 4
fails("labels out of range", ["--input", f"x={xs}", "--input",
                              f"label={save('bad.npy', bad)}"],
      "labels 'label' outside [0, 4): 4 at index 7")
fails("arrays of different lengths", ["--input", f"x={xs}", "--input",
                                      f"label={save('short.npy', y[:50])}"],
      "different lengths")
nan = x.copy()
nan[90, 0, 3, 3] = np.nan  # in the last batch of the first epoch
fails("a NaN loss", ["--input", f"x={save('nan.npy', nan)}", "--input",
                     f"label={ys}", "--batch", "16", "--seed", "1"],
      "is NaN at step")
fails("a wrong input name", ["--input", f"images={xs}", "--input", f"label={ys}"],
      "the model has no input 'images'")
rc, out, err = run(os.path.join(tmp, "plain", "libsmall.so"), "--input",
                   f"x={xs}", "--input", f"label={ys}")
chk.check_true("a library without --train: exit 1",
               rc == 1 and "was not compiled with --train" in err, err.strip())
chk.finish()
