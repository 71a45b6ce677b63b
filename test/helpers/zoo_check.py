"""Small helpers shared by the model-zoo numerical tests (examples/*.net
against PyTorch): a net-run run with --loss, and the wrong-shape check."""

import os
import shutil
import subprocess

import numpy as np

import netcompare as nc

# The models a test builds after importing this module start from fixed
# seeds: this torch seeds each process's generator at random, so a model
# constructed before the checks' own nc.seed() (torchvision's googlenet
# init) would get new weights every run (a logits-spread check failed so).
nc.seed()

# Every zoo model is built at both optimisation levels (issue 4): -O2 is the
# optimised pipeline, -O0 runs no net-dialect pass and the plainest schedule,
# so the two agreeing with PyTorch also means they agree with each other.
LEVELS = {"O2": ["-O2"], "O0": ["-O0"]}


def run_with_loss(so, inputs, out_dir):
    """net-run SO --input ... --loss --output-dir OUT_DIR; returns the
    outputs and the losses, {name: array}."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    args = nc.write_inputs(inputs, out_dir + "-in")
    nc._run([nc.tool("net-run"), so] + args +
            ["--loss", "--output-dir", out_dir], "net-run --loss")
    return nc._read_outputs(out_dir)


def compare_with_loss(chk, libs, inputs, want, tmp, what):
    """run_with_loss on every library of `libs` ({label: so}); compares the
    outputs and losses with `want`."""
    for label, so in libs.items():
        if so is None:
            chk.fail(f"{what} [{label}]", "did not compile")
            continue
        try:
            got = run_with_loss(so, inputs,
                                os.path.join(tmp, f"run-{label}-{nc._slug(what)}"))
        except nc.ToolError as e:
            chk.fail(f"{what} [{label}]", str(e))
        else:
            chk.compare_outputs(f"{what} [{label}]", got, want)


def compare_reference(chk, net, inputs, want, out_dir, what, weights=None):
    """netc --run-reference on `inputs` (outputs and losses) against
    `want`."""
    try:
        got = nc.run_reference(net, inputs, out_dir, weights=weights)
    except nc.ToolError as e:
        chk.fail(f"{what} [ref]", str(e))
    else:
        chk.compare_outputs(f"{what} [ref]", got, want)


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


def check_image_classifier(name, model, net, tmp, batches=(1, 2),
                           size=224, min_spread=0.05):
    """The ImageNet-classifier zoo test: realistic BatchNorm statistics
    (nc.calibrate_batchnorm), the state_dict exported unchanged, one -O2
    and one -O0 build, `logits` compared with PyTorch at each batch (the images of a
    batch must give clearly different logits, else the convolutions would go
    unseen), and a wrong-shape input rejected naming the expected shape."""
    chk = nc.Checker(name)
    classifier_checks(chk, name, model, net, tmp, batches, size, min_spread)
    chk.finish()


def classifier_checks(chk, name, model, net, tmp, batches=(1, 2), size=224,
                      min_spread=0.05, levels=LEVELS, probs=False):
    """check_image_classifier's checks, reported to `chk`, with one build
    per entry of `levels` ({label: netc flags}); the wrong-shape check runs
    on the first. `probs`: the net also outputs softmax(logits)."""
    nc.seed(0)
    model = nc.calibrate_batchnorm(model, nc.randn(4, 3, size, size))
    weights = nc.export_weights(model, os.path.join(tmp, name + ".safetensors"))
    print(f"weights: {len(model.state_dict())} tensors "
          f"({sum(p.numel() for p in model.parameters())} parameters)")
    libs = nc.compile_many(net, tmp, levels, weights=weights, checker=chk)
    for batch in batches:
        x = nc.randn(batch, 3, size, size)
        want = {"logits": nc.torch_eval(model, x)}
        if probs:
            e = np.exp(want["logits"] - want["logits"].max(axis=1, keepdims=True))
            want["probs"] = e / e.sum(axis=1, keepdims=True)
        if batch > 1:
            d = np.abs(want["logits"][0] - want["logits"][1]).max()
            rel = d / np.abs(want["logits"]).max()
            chk.check_true(f"{name} logits depend on the input "
                           f"(spread {rel:.3f})", rel > min_spread)
        print("batch %d logits range: [%.3f, %.3f]"
              % (batch, want["logits"].min(), want["logits"].max()))
        # The reference evaluator is too slow at 224x224.
        chk.compare_all(f"{name} batch {batch}", libs, net, {"x": x}, want,
                        tmp, weights=weights, reference=False)
    first = libs[next(iter(levels))]
    if first:
        check_wrong_shape(chk, first, {"x": nc.randn(1, 3, size, size)},
                          "x", (1, 3, size - 24, size - 24),
                          f"f32[N, 3, {size}, {size}]", tmp)
