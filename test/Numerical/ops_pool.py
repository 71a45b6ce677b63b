# maxpool / avgpool (netlang.md section 6) against nn.MaxPool1d/2d/3d and
# nn.AvgPool1d/2d/3d(count_include_pad=True): default stride (= kernel),
# explicit stride (also > kernel), padding, ceil=true (including a last
# window that PyTorch drops because it would start in the right padding, and
# an avgpool window clipped at the padded edge), lists per dim, and wide rows
# that -O2 vectorizes. Compiled at -O2 (avgpool and wide also at -O0, wide
# also for AVX2) and run through the reference evaluator, at batch 2 and 1.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import torch.nn as nn

import netcompare as nc

suite = nc.OpSuite("ops_pool", sys.argv[1])
MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
AVG = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}


def lst(v):
    return str(list(v)) if isinstance(v, (list, tuple)) else str(v)


def pool(kind, size, k, stride=None, pad=0, ceil=False, c=3, file=None,
         bug=None):
    rank = len(size)
    args = ["{x}", f"kernel={lst(k)}"]
    desc = [f"in {c}x{'x'.join(map(str, size))} k {lst(k)}"]
    if stride is not None:
        args.append(f"stride={lst(stride)}")
        desc.append(f"s {lst(stride)}")
    if pad != 0:
        args.append(f"pad={lst(pad)}")
        desc.append(f"p {lst(pad)}")
    if ceil:
        args.append("ceil=true")
        desc.append("ceil")
    if kind == "maxpool":
        m = MAX[rank](k, stride=stride, padding=pad, ceil_mode=ceil)
    else:
        m = AVG[rank](k, stride=stride, padding=pad, ceil_mode=ceil,
                      count_include_pad=True)
    # maxpool inputs are mostly negative, so that a window reaching into the
    # padding tells -inf padding (PyTorch) from zero padding.
    gen = (lambda _, s: nc.randn(*s) - 1.5) if kind == "maxpool" else None
    suite.add(f"{kind}{rank}d", " ".join(desc), {"x": ("N", c) + tuple(size)},
              f"{kind}(" + ", ".join(args) + ")", lambda x: m(x), gen=gen,
              file=file or kind, bug=bug)


for kind in ("maxpool", "avgpool"):
    # 1-D
    pool(kind, [16], 2)
    pool(kind, [17], 3, stride=2)
    pool(kind, [17], 3, stride=2, pad=1)
    pool(kind, [13], 2, stride=3)                       # stride > kernel
    pool(kind, [17], 3, stride=2, ceil=True)
    pool(kind, [5], 2, stride=2, pad=1, ceil=True)      # last window dropped
    pool(kind, [6], 3, stride=2, ceil=True)             # clipped last window
    pool(kind, [10], 4, stride=3, pad=2, ceil=True)
    # 2-D
    pool(kind, [8, 8], 2)
    pool(kind, [9, 7], 2)                               # odd sizes, floor
    pool(kind, [11, 11], 3, stride=2)                   # AlexNet overlap
    pool(kind, [9, 9], 3, stride=1, pad=1)
    pool(kind, [10, 9], 3, stride=2, pad=1)
    pool(kind, [9, 10], [3, 2], stride=[2, 1], pad=[1, 0])
    pool(kind, [10, 10], 2, stride=3)                   # stride > kernel
    pool(kind, [9, 7], 2, ceil=True)
    pool(kind, [11, 12], 3, stride=2, ceil=True)
    pool(kind, [5, 6], 2, stride=2, pad=1, ceil=True)   # last window dropped
    pool(kind, [7, 6], [3, 2], stride=[2, 2], pad=[1, 1], ceil=True)
    pool(kind, [6, 6], 6)                               # kernel = input
    # 3-D
    pool(kind, [6, 6, 4], 2)
    pool(kind, [7, 7, 5], 3, stride=2, pad=1)
    pool(kind, [4, 8, 8], [1, 2, 2])
    pool(kind, [7, 6, 5], 2, ceil=True)
    pool(kind, [5, 7, 6], 3, stride=2, pad=1, ceil=True)

    # wide: the innermost dim is >= 16, so -O2 vectorizes it (with tails)
    W = "wide"
    pool(kind, [64], 2, file=W)
    pool(kind, [67], 3, stride=2, pad=1, ceil=True, file=W)
    pool(kind, [8, 32], 2, file=W)
    pool(kind, [9, 69], 3, stride=2, file=W)
    pool(kind, [10, 41], 3, stride=1, pad=1, file=W)
    pool(kind, [9, 67], 3, stride=2, pad=1, ceil=True, file=W)
    pool(kind, [3, 4, 36], 2, file=W)

suite.run(o0=["avgpool", "wide"],
          extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
