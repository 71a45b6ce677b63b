# The train step (netrt.Trainer over netrt_train_step) against torch.optim
# on the same model from the same weights, the same batches: SGD with
# momentum, Nesterov and weight decay, and Adam, 4 steps each, on a small
# CNN with batchnorm (eval mode: its statistics are not parameters), max
# pooling and a cross-entropy loss. After every step each parameter must
# match PyTorch's to 1e-4 (max relative error) and each loss too; the
# batchnorm statistics must not move. With --train=batch-stats (-O2 SGD,
# -O0 Nesterov, momentum 0.3) torch runs in training mode and the running
# statistics must follow PyTorch's after every step. Also: keep_zeros holds pruned
# weights at zero, tie_equal moves shared values by their summed gradients, save_weights writes PyTorch's state_dict names (loaded
# back by torch), a forward pass after the steps uses the new weights, and
# forward calls on another thread during training never fail.
# Tolerance: max relative error 1e-4.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import os
import sys
import threading

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import netcompare as nc
import netrt
from safetensors_np import load_safetensors

tmp = sys.argv[1]
chk = nc.Checker("train-step")
nc.seed(0)

NET = """network tiny
input x: f32[N, 2, 10, 10]
input label: i32[N]
c1 = conv(x, 6, kernel=3, pad=1)
b1 = batchnorm(c1) |> relu
p1 = maxpool(b1, kernel=2)
c2 = conv(p1, 4, kernel=3) |> relu
output logits = fc(c2, 5)
loss ce = cross_entropy(logits, label)
"""


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 6, 3, padding=1)
        self.b1 = nn.BatchNorm2d(6)
        self.c2 = nn.Conv2d(6, 4, 3)
        self.logits = nn.Linear(36, 5)

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
        y = F.relu(self.c2(y))
        return self.logits(torch.flatten(y, 1))


net = os.path.join(tmp, "tiny.net")
with open(net, "w") as f:
    f.write(NET)
model = nc.randomize_batchnorm(Tiny()).eval()
w = nc.export_weights(model, os.path.join(tmp, "tiny.safetensors"))
so = nc.compile_net(net, os.path.join(tmp, "O2", "libtiny.so"), weights=w,
                    flags=["-O2", "--train"])
batches = [(nc.randn(4, 2, 10, 10), np.random.randint(0, 5, 4).astype(np.int32))
           for _ in range(4)]


def torch_run(opt_fn, lr, train_mode=False):
    m = Tiny()
    m.load_state_dict({k: torch.from_numpy(v) for k, v in
                       load_safetensors(w).items()})
    m = m.double().train(bool(train_mode))
    if train_mode:  # True, or the batchnorm momentum
        m.b1.momentum = 0.1 if train_mode is True else train_mode
    opt = opt_fn(m.parameters(), lr)
    states, losses = [], []
    for x, y in batches:
        opt.zero_grad()
        loss = F.cross_entropy(m(torch.from_numpy(x).double()),
                               torch.from_numpy(y).long())
        loss.backward()
        opt.step()
        losses.append(float(loss))
        states.append({k: v.detach().numpy().copy()
                       for k, v in m.state_dict().items()})
    return states, losses


def check(label, opt_fn, lr, lib=so, train_mode=False, **kw):
    m = netrt.Model(lib)
    t = m.trainer(**kw)
    want, want_loss = torch_run(opt_fn, lr, train_mode)
    for i, (x, y) in enumerate(batches):
        got = t.step(lr, x=x, label=y)
        chk.check(f"{label} step {i + 1} loss", np.float64(got["ce"]),
                  np.float64(want_loss[i]))
        for name, v in want[i].items():
            if name.endswith("num_batches_tracked"):
                continue
            chk.check(f"{label} step {i + 1} {name}", t.param(name), v)
    # The forward pass runs with the updated weights.
    tm = Tiny()
    tm.load_state_dict({k: torch.from_numpy(v) for k, v in want[-1].items()})
    x = nc.randn(3, 2, 10, 10)
    chk.check(f"{label} forward after the steps", m.forward(x=x)["logits"],
              nc.torch_eval(tm.double().eval(), x))
    return m, t


check("sgd", lambda p, lr: torch.optim.SGD(p, lr), 0.1)
check("sgd momentum 0.9 + weight decay 1e-3",
      lambda p, lr: torch.optim.SGD(p, lr, momentum=0.9, weight_decay=1e-3),
      0.05, momentum=0.9, weight_decay=1e-3)
check("sgd nesterov 0.8",
      lambda p, lr: torch.optim.SGD(p, lr, momentum=0.8, nesterov=True), 0.05,
      momentum=0.8, nesterov=True)
m, t = check("adam", lambda p, lr: torch.optim.Adam(p, lr, weight_decay=1e-4),
             0.01, optimizer="adam", weight_decay=1e-4)

# --train=batch-stats: batchnorm in training mode (torch's .train()): the
# losses and gradients from batch statistics, the running statistics
# updated with momentum 0.1 at every step (checked by the parameter loop:
# the state_dict has them), the forward pass in eval mode with the new ones.
batch_stats = nc.compile_net(net, os.path.join(tmp, "batch-stats", "libtiny.so"),
                             weights=w, flags=["-O2", "--train=batch-stats"])
check("batch-stats sgd momentum 0.9",
      lambda p, lr: torch.optim.SGD(p, lr, momentum=0.9), 0.05,
      lib=batch_stats, train_mode=True, momentum=0.9)
bs_o0 = nc.compile_net(net, os.path.join(tmp, "batch-stats-O0", "libtiny.so"),
                       weights=w, flags=["-O0", "--train=batch-stats:0.3"])
# (Not Adam: c1's bias has a zero gradient in training mode, batchnorm
# subtracts the batch mean, and Adam would move it by lr times the sign
# of rounding noise.)
check("batch-stats -O0 (batchnorm momentum 0.3), sgd nesterov",
      lambda p, lr: torch.optim.SGD(p, lr, momentum=0.8, nesterov=True,
                                    weight_decay=1e-3), 0.05, lib=bs_o0,
      train_mode=0.3, momentum=0.8, nesterov=True, weight_decay=1e-3)

# save_weights: PyTorch's names and the trainer's values, loadable by torch.
path = os.path.join(tmp, "trained.safetensors")
t.save(path)
saved = load_safetensors(path)
tm = Tiny()
missing = tm.load_state_dict({k: torch.from_numpy(v) for k, v in saved.items()},
                             strict=False)
chk.check_true("saved weights load into the torch module",
               not missing.missing_keys and not missing.unexpected_keys,
               f"missing {missing.missing_keys}, unexpected "
               f"{missing.unexpected_keys}")
chk.check("saved c1.weight is the trained one", saved["c1.weight"],
          t.param("c1.weight"))
chk.check("batchnorm statistics do not move", saved["b1.running_var"],
          load_safetensors(w)["b1.running_var"])

# keep_zeros: pruned weights stay zero.
pruned = nc.compile_net(net, os.path.join(tmp, "pruned", "libtiny.so"),
                        weights=w, flags=["-O2", "--train",
                                          "--prune=magnitude:0.5"])
pm = netrt.Model(pruned)
pt = pm.trainer(momentum=0.9, keep_zeros=True)
zeros = pt.param("c2.weight") == 0
for x, y in batches:
    pt.step(0.05, x=x, label=y)
after = pt.param("c2.weight")
chk.check_true("keep_zeros: the pruned half of c2.weight stays zero",
               zeros.sum() > 0 and np.all(after[zeros] == 0) and
               np.any(after[~zeros] != load_safetensors(w)["c2.weight"][~zeros]),
               f"{int(zeros.sum())} zeros, {int((after[zeros] != 0).sum())} moved")

# tie_equal after weight sharing: each codebook entry moves by lr times the
# sum of its weights' gradients (plain SGD), weights sharing an entry stay
# equal, zeros stay zero.
shared = nc.compile_net(net, os.path.join(tmp, "shared", "libtiny.so"),
                        weights=w, flags=["-O2", "--train", "--share-weights",
                                          "--codebook=conv:8,fc:4"])
sm = netrt.Model(shared)
st = sm.trainer(keep_zeros=True, tie_equal=True)
before = st.param("c2.weight")
x, y = batches[0]
grad = sm.backward(x=x, label=y)["c2.weight"]
st.step(0.1, x=x, label=y)
after = st.param("c2.weight")
values = np.unique(before[before != 0])
want = before.copy()
for v in values:
    members = before == v
    want[members] = v - 0.1 * grad[members].sum()
chk.check_true("tie_equal: at most 8 shared values in c2.weight",
               1 < len(values) <= 8, f"{len(values)} values")
chk.check("tie_equal: each entry moved by the sum of its weights' gradients",
          after, want)
chk.check_true("tie_equal: shared weights stay equal, zeros stay zero",
               len(np.unique(after[after != 0])) == len(values) and
               np.all(after[before == 0] == 0))

# Forward calls on another thread while a trainer steps: each succeeds.
errors = []
stop = threading.Event()


def reader():
    x = nc.randn(2, 2, 10, 10)
    while not stop.is_set():
        try:
            out = m.forward(x=x)["logits"]
            if not np.all(np.isfinite(out)):
                errors.append("non-finite logits")
        except netrt.Error as e:
            errors.append(str(e))


th = threading.Thread(target=reader)
th.start()
for _ in range(20):
    for x, y in batches:
        t.step(0.001, x=x, label=y)
stop.set()
th.join()
chk.check_true("forward on another thread during 80 train steps", not errors,
               "; ".join(errors[:3]))

# A model without --train has no trainer.
plain = nc.compile_net(net, os.path.join(tmp, "plain", "libtiny.so"),
                       weights=w, flags=["-O2"])
try:
    netrt.Model(plain).trainer()
    chk.fail("trainer of a library without --train", "no error")
except netrt.Error as e:
    chk.check_true("trainer of a library without --train is an error",
                   "--train" in str(e), str(e))

chk.finish()
