"""Small helpers shared by the model-zoo numerical tests (examples/*.net
against PyTorch): a net-run run with --loss, and the wrong-shape check."""

import os
import shutil
import subprocess

import numpy as np

import netcompare as nc


def run_with_loss(so, inputs, out_dir):
    """net-run SO --input ... --loss --output-dir OUT_DIR; returns the
    outputs and the losses, {name: array}."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    args = nc.write_inputs(inputs, out_dir + "-in")
    nc._run([nc.tool("net-run"), so] + args +
            ["--loss", "--output-dir", out_dir], "net-run --loss")
    return nc._read_outputs(out_dir)


def check_wrong_shape(chk, so, inputs, bad_name, bad_shape, expected, tmp,
                      extra=()):
    """Runs `so` with input `bad_name` replaced by zeros of `bad_shape` (the
    other `inputs` as given): net-run must exit 1 and its message must name
    the expected type `expected` (say 'f32[N, 3, 224, 224]')."""
    d = os.path.join(tmp, "wrong-shape")
    arrays = dict(inputs)
    arrays[bad_name] = np.zeros(bad_shape, dtype=arrays[bad_name].dtype)
    args = nc.write_inputs(arrays, d + "-in")
    p = subprocess.run([nc.tool("net-run"), so] + args + list(extra) +
                       ["--output-dir", d],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    print("wrong shape:", p.stderr.strip())
    chk.check_true(f"net-run rejects {bad_name} of shape {list(bad_shape)} "
                   f"(exit 1, names {expected})",
                   p.returncode == 1 and expected in p.stderr
                   and not os.path.exists(d),
                   f"exit {p.returncode}: {p.stderr.strip()}")
