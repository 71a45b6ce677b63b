# The harness of the numerical tests must itself catch errors: rel_err's
# definition, and a Checker that exits 1 (naming the output and the error)
# on a too-large error, a shape mismatch, a NaN, and a missing or unexpected
# output. Needs no compiler and no torch.
#
# REQUIRES: numpy
# RUN: %python %s

import contextlib
import io

import numpy as np

import netcompare as nc

a = np.array([[1.0, -2.0], [3.0, 4.0]], dtype=np.float32)
assert nc.rel_err(a, a) == 0.0
assert abs(nc.rel_err(a + np.float32(0.004), a) - 0.001) < 1e-6
assert nc.rel_err(a[:1], a) == float("inf")
assert nc.rel_err(a * np.nan, a) == float("inf")
assert nc.rel_err(np.full(3, 1e-12), np.zeros(3)) <= nc.TOL  # the TINY floor
assert nc.TOL == 1e-4


def run(fn):
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        c = nc.Checker("selftest")
        fn(c)
        try:
            c.finish()
        except SystemExit as e:
            code = e.code
    return code, out.getvalue()


code, text = run(lambda c: c.check("good", a, a + np.float32(1e-5)))
assert code == 0 and "all 1 checks passed" in text, text

cases = {
    "tolerance": (lambda c: c.check("out1", a * np.float32(1.001), a),
                  "FAIL out1: max rel err 1.000e-03 > 0.0001"),
    "shape": (lambda c: c.check("out2", a.T[:1], a),
              "FAIL out2: shape [1, 2], expected [2, 2]"),
    "nan": (lambda c: c.check("out3", a * np.nan, a), "FAIL out3: max rel err inf"),
    "missing": (lambda c: c.compare_outputs("m", {}, {"probs": a}),
                "FAIL m probs: missing output"),
    "extra": (lambda c: c.compare_outputs("m", {"x": a, "probs": a},
                                          {"probs": a}),
              "FAIL m x: unexpected output"),
}
for name, (fn, message) in cases.items():
    code, text = run(fn)
    assert code == 1, f"{name}: exit {code}\n{text}"
    assert message in text, f"{name}: {message!r} not in\n{text}"
print("netcompare self-test passed")
