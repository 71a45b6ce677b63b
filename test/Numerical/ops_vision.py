# The vision family (netlang.md sections 6 and 7) against PyTorch:
#
#  * gram(x) against x.flatten(2) @ x.flatten(2)^T: 1 to 3 spatial dims, odd
#    sizes, one channel, a wide channel count that -O2 vectorizes, a computed
#    input;
#  * correlation(a, b, max_disp, stride) against the numpy FlowNetC
#    correlation written below (PyTorch has no module): default arguments,
#    strides 2 and 3, max_disp 0, displacements larger than the image, one
#    channel, a wide row, a with itself;
#  * the loss terms bce (F.binary_cross_entropy_with_logits), triplet,
#    contrastive (i32 and f32 `same`), content_cost, style_cost and epe,
#    each with section 7's per-item formula written in torch, both
#    reductions, plus weighted sums of two terms and losses of a Siamese
#    network with shared fc weights. These are `loss` statements, run by
#    `net-run --loss`.
#
# Every file is compiled at -O2 and -O0 (the wide one also for AVX2), run at
# batch 3 and 1 (one build: N is a run-time dim) and also through netc's
# reference evaluator. Tolerance: max relative error 1e-4 (for a scalar loss,
# |got - want| / |want|).
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import netcompare as nc
import zoo_check

BATCHES = (3, 1)
suite = nc.OpSuite("ops_vision", sys.argv[1], batches=BATCHES)
chk = suite.chk
add = suite.add


def scaled(s, shift=0.0):
    return lambda _, shape: nc.randn(*shape) * s + shift


# --- gram ------------------------------------------------------------------


def gram_ref(x):
    f = x.flatten(2)
    return f @ f.transpose(1, 2)


GRAM = "gram"
for shape, desc in [((3, 5, 7), "2-D, 3x5x7"),
                    ((4, 9), "1-D, 4x9"),
                    ((2, 3, 4, 5), "3-D, 2x3x4x5"),
                    ((1, 6, 5), "2-D, one channel"),
                    ((8, 1, 1), "2-D, 1x1 spatial")]:
    add("gram", desc, {"x": ("N",) + shape}, "gram({x})", gram_ref, file=GRAM)
add("gram", "of relu(x), piped", {"x": ("N", 5, 3, 3)}, "{x} |> relu |> gram",
    lambda x: gram_ref(torch.relu(x)), file=GRAM)
add("gram", "2-D, 20 channels (wide: vectorized)", {"x": ("N", 20, 3, 5)},
    "gram({x})", gram_ref, file="wide")

# --- correlation -----------------------------------------------------------


def corr_np(a, b, d, s):
    """FlowNetC correlation: channel i*D + j is displacement (i*s - d,
    j*s - d), the mean over channels of a * shifted b, b zero outside."""
    n, c, h, w = a.shape
    per = 2 * (d // s) + 1
    bp = np.zeros((n, c, h + 2 * d, w + 2 * d))
    bp[:, :, d:d + h, d:d + w] = b
    out = np.zeros((n, per * per, h, w))
    for i in range(per):
        for j in range(per):
            dy, dx = i * s - d, j * s - d
            shifted = bp[:, :, d + dy:d + dy + h, d + dx:d + dx + w]
            out[:, i * per + j] = (a * shifted).mean(axis=1)
    return out


def corr(shape, d=None, s=None, same=False, file="corr"):
    args = []
    if d is not None:
        args.append(f"max_disp={d}")
    if s is not None:
        args.append(f"stride={s}")
    dd, ss = (4 if d is None else d), (1 if s is None else s)
    tail = "".join(", " + a for a in args)
    desc = f"{'x'.join(map(str, shape))}, " + (", ".join(args) or "defaults")
    if same:
        add("correlation", desc + ", a with itself", {"a": ("N",) + shape},
            "correlation({a}, {a}" + tail + ")",
            lambda a: torch.from_numpy(corr_np(a.numpy(), a.numpy(), dd, ss)),
            file=file)
        return
    add("correlation", desc, {"a": ("N",) + shape, "b": ("N",) + shape},
        "correlation({a}, {b}" + tail + ")",
        lambda a, b: torch.from_numpy(corr_np(a.numpy(), b.numpy(), dd, ss)),
        file=file)


corr((3, 9, 11))                 # max_disp 4, stride 1: 81 channels
corr((4, 7, 6), d=2)
corr((2, 8, 9), d=4, s=2)
corr((3, 7, 7), d=3, s=3)
corr((5, 5, 4), d=0)
corr((2, 5, 4), d=6, s=2)        # displacements beyond the image
corr((1, 6, 7), d=1)             # one channel
corr((3, 6, 5), d=2, same=True)
corr((4, 5, 21), d=2, file="wide")  # wide rows: vectorized

# --- loss terms (loss statements, net-run --loss) ----------------------------


def reduce(per_item, red):
    return per_item.mean() if red == "mean" else per_item.sum()


def flat(t):
    return t.reshape(t.shape[0], -1)


def triplet_ref(a, p, n, margin, red):
    dp = (flat(a - p) ** 2).sum(1)
    dn = (flat(a - n) ** 2).sum(1)
    return reduce(torch.clamp(dp - dn + margin, min=0), red)


def contrastive_ref(a, b, same, margin, red):
    d = torch.norm(flat(a - b), dim=1)
    same = same.double()
    gap = torch.clamp(margin - d, min=0)
    return reduce(same * d ** 2 + (1 - same) * gap ** 2, red)


def content_ref(c, g, red):
    return reduce(0.5 * (flat(c - g) ** 2).sum(1), red)


def style_ref(s, g, red):
    n_c = s.shape[1]
    size = int(np.prod(s.shape[2:]))  # nH * nW
    diff = gram_ref(s) - gram_ref(g)
    return reduce((diff ** 2).sum((1, 2)) / (2 * size * n_c) ** 2, red)


def epe_ref(flow, gt, red):
    return reduce(torch.norm(flow - gt, p=2, dim=1).mean((1, 2)), red)


def bce_ref(x, t, red):
    return F.binary_cross_entropy_with_logits(x, t, reduction=red)


def rand01(_, shape):
    return np.random.randint(0, 2, size=shape).astype(np.float32)


def uniform01(_, shape):
    return np.random.rand(*shape).astype(np.float32)


def alternating(offset, dtype):
    # Both kinds of pair at batch 3: 1, 0, 1 (offset 0) or 0, 1, 0.
    return lambda _, shape: ((np.arange(shape[0]) + offset + 1) % 2
                             ).astype(dtype)


# Inputs of the loss file: name -> (shape, dtype, generator).
INPUTS = {
    "lg1": (("N", 1), "f32", scaled(2.0)),        # verification head logits
    "tg1": (("N", 1), "f32", rand01),
    "lg": (("N",), "f32", scaled(3.0)),
    "tg": (("N",), "f32", rand01),
    "lg5": (("N", 5), "f32", scaled(30.0)),       # large logits
    "tg5": (("N", 5), "f32", uniform01),
    "ea": (("N", 16), "f32", scaled(1.0)),
    "ep": (("N", 16), "f32", None),               # ea + noise, made below
    "en": (("N", 16), "f32", None),               # ea + noise, made below
    "fa": (("N", 3, 3, 5), "f32", scaled(0.3)),
    "fp": (("N", 3, 3, 5), "f32", scaled(0.3)),
    "fn": (("N", 3, 3, 5), "f32", scaled(0.3)),
    # d ~ 0.85: pairs on both sides of the default margin 1.
    "ca": (("N", 16), "f32", scaled(0.15)),
    "cb": (("N", 16), "f32", scaled(0.15)),
    "same_i": (("N",), "i32", alternating(0, np.int32)),
    "same_f": (("N",), "f32", alternating(1, np.float32)),
    "soft": (("N",), "f32", uniform01),
    "aC": (("N", 8, 5, 7), "f32", scaled(1.0)),
    "aG": (("N", 8, 5, 7), "f32", scaled(1.0)),
    "aS": (("N", 8, 5, 7), "f32", scaled(1.0, 0.5)),
    "s3": (("N", 3, 11), "f32", scaled(1.0)),
    "g3": (("N", 3, 11), "f32", scaled(1.0)),
    "flow": (("N", 2, 7, 9), "f32", scaled(3.0)),
    "gt": (("N", 2, 7, 9), "f32", scaled(3.0)),
    "x": (("N", 6), "f32", scaled(1.0)),          # Siamese inputs
    "y": (("N", 6), "f32", scaled(1.0)),
    "z": (("N", 6), "f32", scaled(1.0)),
}

LOSSES = []  # (name, group, desc, expr, ref(t) with t: name -> tensor)


def loss(group, desc, expr, ref):
    slug = group.replace(" ", "_")
    name = f"{slug}_{sum(1 for l in LOSSES if l[1] == group)}"
    LOSSES.append((name, group, desc, expr, ref))


for red in ("mean", "sum"):
    r = f', reduction="{red}"'
    loss("bce", f"[N, 1] logits, 0/1 targets, {red}", f"bce(lg1, tg1{r})",
         lambda t, red=red: bce_ref(t["lg1"], t["tg1"], red))
    loss("bce", f"[N] logits, {red}", f"bce(lg, tg{r})",
         lambda t, red=red: bce_ref(t["lg"], t["tg"], red))
    loss("bce", f"[N, 5] logits ~ +-90, soft targets, {red}",
         f"bce(lg5, tg5{r})",
         lambda t, red=red: bce_ref(t["lg5"], t["tg5"], red))
    loss("triplet", f"[N, 16], default margin 0.2, {red}",
         f"triplet(ea, ep, en{r})",
         lambda t, red=red: triplet_ref(t["ea"], t["ep"], t["en"], 0.2, red))
    loss("triplet", f"[N, 3, 3, 5], margin 1.5, {red}",
         f"triplet(fa, fp, fn, margin=1.5{r})",
         lambda t, red=red: triplet_ref(t["fa"], t["fp"], t["fn"], 1.5, red))
    loss("contrastive", f"i32 same, default margin 1, {red}",
         f"contrastive(ca, cb, same_i{r})",
         lambda t, red=red: contrastive_ref(t["ca"], t["cb"], t["same_i"], 1.0,
                                            red))
    loss("contrastive", f"f32 same, margin 0.8, {red}",
         f"contrastive(ca, cb, same_f, margin=0.8{r})",
         lambda t, red=red: contrastive_ref(t["ca"], t["cb"], t["same_f"], 0.8,
                                            red))
    loss("content_cost", f"[N, 8, 5, 7], {red}", f"content_cost(aC, aG{r})",
         lambda t, red=red: content_ref(t["aC"], t["aG"], red))
    loss("style_cost", f"[N, 8, 5, 7], {red}", f"style_cost(aS, aG{r})",
         lambda t, red=red: style_ref(t["aS"], t["aG"], red))
    loss("style_cost", f"[N, 3, 11] (1 spatial dim), {red}",
         f"style_cost(s3, g3{r})",
         lambda t, red=red: style_ref(t["s3"], t["g3"], red))
    loss("epe", f"[N, 2, 7, 9], {red}", f"epe(flow, gt{r})",
         lambda t, red=red: epe_ref(t["flow"], t["gt"], red))

loss("contrastive", "soft f32 same in [0, 1], margin 1.2",
     "contrastive(ca, cb, soft, margin=1.2)",
     lambda t: contrastive_ref(t["ca"], t["cb"], t["soft"], 1.2, "mean"))
loss("style_cost", "of relu(aS), relu(aG) (computed inputs)",
     "style_cost(relu(aS), relu(aG))",
     lambda t: style_ref(torch.relu(t["aS"]), torch.relu(t["aG"]), "mean"))
# Weighted sums a*L1 + b*L2.
loss("weighted sum", "0.5*triplet + 2*contrastive(sum)",
     '0.5*triplet(ea, ep, en) + 2*contrastive(ca, cb, same_i, '
     'reduction="sum")',
     lambda t: 0.5 * triplet_ref(t["ea"], t["ep"], t["en"], 0.2, "mean") +
     2 * contrastive_ref(t["ca"], t["cb"], t["same_i"], 1.0, "sum"))
loss("weighted sum", "10*content_cost + 1e4*style_cost (style transfer)",
     "10*content_cost(aC, aG) + 1e4*style_cost(aS, aG)",
     lambda t: 10 * content_ref(t["aC"], t["aG"], "mean") +
     1e4 * style_ref(t["aS"], t["aG"], "mean"))
loss("weighted sum", "bce - 0.25*epe(sum)",
     'bce(lg1, tg1) - 0.25*epe(flow, gt, reduction="sum")',
     lambda t: bce_ref(t["lg1"], t["tg1"], "mean") -
     0.25 * epe_ref(t["flow"], t["gt"], "sum"))
# A Siamese / triplet network: three fc calls sharing `emb.*`.
torch.manual_seed(1)
EMB = torch.nn.Linear(6, 4)
loss("siamese", "triplet of fc embeddings sharing weights",
     'triplet(fc(x, 4) as "emb", fc(y, 4) as "emb", fc(z, 4) as "emb", '
     'margin=1.0)',
     lambda t: triplet_ref(EMB(t["x"]), EMB(t["y"]), EMB(t["z"]), 1.0, "mean"))
loss("siamese", "contrastive of fc embeddings sharing weights",
     'contrastive(fc(x, 4) as "emb", fc(y, 4) as "emb", same_i, margin=2.0)',
     lambda t: contrastive_ref(EMB(t["x"]), EMB(t["y"]), t["same_i"], 2.0,
                               "mean"))


def loss_net_text():
    lines = ["# generated by ops_vision.py: the vision loss terms"]
    for name, (shape, dtype, _) in INPUTS.items():
        lines.append(f"input {name}: {dtype}[{', '.join(map(str, shape))}]")
    # The forward entry needs an output.
    lines.append("output g = gram(aS)")
    for name, group, desc, expr, _ in LOSSES:
        lines.append(f"# {group}: {desc}")
        lines.append(f"loss {name} = {expr}")
    return "\n".join(lines) + "\n"


def make_inputs(batch):
    arrays = {}
    for name, (shape, _, gen) in INPUTS.items():
        s = tuple(batch if d == "N" else d for d in shape)
        arrays[name] = gen(name, s) if gen else None
    # Triplets around the anchor: the negative of even items is nearer than
    # the positive (a positive loss), of odd items farther (clamped to 0).
    far = np.where(np.arange(batch) % 2 == 0, 0.8, 1.6)[:, None]
    arrays["ep"] = (arrays["ea"] + nc.randn(batch, 16)).astype(np.float32)
    arrays["en"] = (arrays["ea"] + nc.randn(batch, 16) * far
                    ).astype(np.float32)
    return arrays


def run_losses():
    d = os.path.join(sys.argv[1], "losses")
    os.makedirs(d, exist_ok=True)
    net = os.path.join(d, "losses.net")
    with open(net, "w") as f:
        f.write(loss_net_text())
    weights = nc.export_weights(nc.state_dict_numpy(EMB, prefix="emb."),
                                os.path.join(d, "w.safetensors"))
    EMB.double()  # the float32 weights, evaluated in float64 from here on
    print(f"\n-- losses: {len(LOSSES)} loss statements in {net}")
    libs = nc.compile_many(net, d, {"O2": ["-O2"], "O0": ["-O0"]},
                           weights=weights, checker=chk)
    group = {name: g for name, g, _, _, _ in LOSSES}
    group["g"] = "gram"
    for batch in BATCHES:
        arrays = make_inputs(batch)
        t = {k: torch.from_numpy(v).double() if v.dtype == np.float32
             else torch.from_numpy(v) for k, v in arrays.items()}
        want = {"g": gram_ref(t["aS"]).numpy()}
        with torch.no_grad():
            for name, _, _, _, ref in LOSSES:
                want[name] = ref(t).numpy()
        what = f"losses N={batch}"
        for label, so in libs.items():
            if so is None:
                continue
            try:
                got = zoo_check.run_with_loss(so, arrays,
                               os.path.join(d, f"run-{label}-{batch}"))
            except nc.ToolError as e:
                chk.fail(f"{what} [{label}]", str(e))
                continue
            chk.compare_outputs(f"{what} [{label}]", got, want,
                                group_of=group.get, case_of=str)
        try:
            got = nc.run_reference(net, arrays,
                                   os.path.join(d, f"ref-{batch}"),
                                   weights=weights)
        except nc.ToolError as e:
            chk.fail(f"{what} [ref]", str(e))
            continue
        chk.compare_outputs(f"{what} [ref]", got, want,
                            group_of=group.get, case_of=str)


run_losses()
suite.run(extra={"wide": {"avx2": ["-O2", "--target=x86-64-avx2"]}})
