# Gradients (netc --train, net-run --grad) of the elementwise ops
# (relu, relu6, leaky_relu, sigmoid, tanh, abs, sqrt, exp, log, square,
# + - * /, scalar affine), softmax, log_softmax, mean and sum, and of the
# loss terms (cross_entropy, mse, l1, bce, triplet, contrastive,
# content_cost, style_cost, epe; mean and sum; weighted sums of them), against
# torch.autograd in float64 at batch 3 and 1, -O0 and -O2.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import sys

import numpy as np
import torch
import torch.nn.functional as F

import netcompare as nc
from gradcompare import GradSuite

suite = GradSuite("grad_math", sys.argv[1])
X = {"x": ("N", 3, 4, 5)}


def positive(_, shape):
    return np.abs(nc.randn(*shape)) + 0.5


def unary(name, expr, ref, gen=None):
    suite.add(name, "[N, 3, 4, 5]", X, expr, ref, gen=gen, file="unary")


unary("relu", "relu({x})", torch.relu)
unary("relu6", "relu6(4 * {x})", lambda x: F.relu6(x * 4))
unary("leaky_relu", "leaky_relu({x}, slope=0.1)", lambda x: F.leaky_relu(x, 0.1))
unary("sigmoid", "sigmoid({x})", torch.sigmoid)
unary("tanh", "tanh({x})", torch.tanh)
unary("abs", "abs({x})", torch.abs)
unary("sqrt", "sqrt({x})", torch.sqrt, gen=positive)
unary("exp", "exp({x})", torch.exp)
unary("log", "log({x})", torch.log, gen=positive)
unary("square", "square({x})", torch.square)
unary("affine", "2 * {x} - 1", lambda x: 2 * x - 1)
unary("affine", "-{x} / 4", lambda x: -x / 4)

XY = {"a": ("N", 3, 4, 5), "b": ("N", 3, 4, 5)}
suite.add("add", "", XY, "{a} + {b}", lambda a, b: a + b, file="binary")
suite.add("sub", "", XY, "{a} - {b}", lambda a, b: a - b, file="binary")
suite.add("mul", "", XY, "{a} * {b}", lambda a, b: a * b, file="binary")
suite.add("div", "b > 0.5", XY, "{a} / {b}", lambda a, b: a / b,
          gen=positive, file="binary")
suite.add("add", "a value used twice", {"a": ("N", 6)}, "{a} * {a} + {a}",
          lambda a: a * a + a, file="binary")
suite.add("softmax", "axis 1", {"x": ("N", 7)}, "softmax({x})",
          lambda x: torch.softmax(x, 1), file="binary")
suite.add("softmax", "axis 2 of [N, 3, 5]", {"x": ("N", 3, 5)},
          "softmax({x}, axis=2)", lambda x: torch.softmax(x, 2), file="binary")
suite.add("log_softmax", "axis 1", {"x": ("N", 7, 2)}, "log_softmax({x})",
          lambda x: torch.log_softmax(x, 1), file="binary")
suite.add("mean", "axes [2, 3]", X, "mean({x}, axes=[2, 3])",
          lambda x: x.mean((2, 3)), file="binary")
suite.add("sum", "axes [1]", X, "sum({x}, axes=[1])", lambda x: x.sum(1),
          file="binary")


def labels(classes):
    return lambda shape: np.random.randint(0, classes, size=shape)


def flat(t):
    return t.reshape(t.shape[0], -1)


def reduce(per_item, red):
    return per_item.mean() if red == "mean" else per_item.sum()


def gram(x):
    f = x.reshape(x.shape[0], x.shape[1], -1)
    return f @ f.transpose(1, 2)


def loss_case(group, desc, inputs, loss, ref, gen=None):
    """A case whose loss is `loss` itself (its output: the first input)."""
    first = next(iter(inputs))
    suite.add(group, desc, inputs, "{" + first + "}", lambda *t: t[0],
              gen=gen, loss=loss, loss_ref=lambda y, *t: ref(*t), file="losses")


for red in ("mean", "sum"):
    r = f', reduction="{red}"' if red == "sum" else ""
    loss_case("cross_entropy", red, {"x": ("N", 6), "l": ("i32", ("N",), labels(6))},
              f"cross_entropy({{x}}, {{l}}{r})",
              lambda x, l, red=red: F.cross_entropy(x, l, reduction=red))
    loss_case("mse", red, {"a": ("N", 3, 4), "b": ("N", 3, 4)},
              f"mse({{a}}, {{b}}{r})",
              lambda a, b, red=red: F.mse_loss(a, b, reduction=red))
    loss_case("l1", red, {"a": ("N", 5), "b": ("N", 5)}, f"l1({{a}}, {{b}}{r})",
              lambda a, b, red=red: F.l1_loss(a, b, reduction=red))
    loss_case("bce", red, {"x": ("N", 4), "t": ("N", 4)}, f"bce({{x}}, {{t}}{r})",
              lambda x, t, red=red: F.binary_cross_entropy_with_logits(
                  x, t, reduction=red))
    loss_case("triplet", f"margin 4, {red}",
              {"a": ("N", 6), "p": ("N", 6), "n": ("N", 6)},
              f"triplet({{a}}, {{p}}, {{n}}, margin=4.0{r})",
              lambda a, p, n, red=red: reduce(torch.clamp(
                  (flat(a - p) ** 2).sum(1) - (flat(a - n) ** 2).sum(1) + 4.0,
                  min=0), red))
    loss_case("content_cost", red, {"c": ("N", 3, 4, 5), "g": ("N", 3, 4, 5)},
              f"content_cost({{c}}, {{g}}{r})",
              lambda c, g, red=red: reduce(0.5 * (flat(c - g) ** 2).sum(1), red))
    loss_case("style_cost", red, {"s": ("N", 4, 3, 5), "g": ("N", 4, 3, 5)},
              f"style_cost({{s}}, {{g}}{r})",
              lambda s, g, red=red: reduce(
                  ((gram(s) - gram(g)) ** 2).sum((1, 2)) / (2 * 15 * 4) ** 2, red))
    loss_case("epe", red, {"f": ("N", 2, 4, 5), "g": ("N", 2, 4, 5)},
              f"epe({{f}}, {{g}}{r})",
              lambda f, g, red=red: reduce(
                  torch.norm(f - g, p=2, dim=1).mean((1, 2)), red))
def contrastive_ref(a, b, same, margin, red):
    d = torch.norm(flat(a - b), dim=1)
    same = same.double()
    gap = torch.clamp(margin - d, min=0)
    return reduce(same * d ** 2 + (1 - same) * gap ** 2, red)


def pairs(shape):
    return np.random.randint(0, 2, size=shape)


for red in ("mean", "sum"):
    r = f', reduction="{red}"' if red == "sum" else ""
    loss_case("contrastive", f"i32 same, margin 3, {red}",
              {"a": ("N", 5), "b": ("N", 5), "s": ("i32", ("N",), pairs)},
              f"contrastive({{a}}, {{b}}, {{s}}, margin=3.0{r})",
              lambda a, b, s, red=red: contrastive_ref(a, b, s, 3.0, red))
loss_case("contrastive", "f32 same (its gradient too), [N, 2, 3]",
          {"a": ("N", 2, 3), "b": ("N", 2, 3), "s": ("N",)},
          "contrastive({a}, {b}, {s}, margin=4.0)",
          lambda a, b, s: contrastive_ref(a, b, s, 4.0, "mean"))
loss_case("weighted sum", "0.5*mse + 2*l1(sum) - 0.25*epe",
          {"a": ("N", 2, 3, 3), "b": ("N", 2, 3, 3)},
          '0.5*mse({a}, {b}) + 2*l1({a}, {b}, reduction="sum") - 0.25*epe({a}, {b})',
          lambda a, b: 0.5 * F.mse_loss(a, b) + 2 * F.l1_loss(a, b, reduction="sum")
          - 0.25 * torch.norm(a - b, p=2, dim=1).mean((1, 2)).mean())

suite.run()
