"""gradcompare: gradient tables against PyTorch autograd in float64.

A GradSuite case is one statement of a generated .net file, with its own
inputs and parameters (the state_dict of its torch module under the
statement's name), and its own loss term: by default
`loss NAME_loss = mse(NAME, NAME_t, reduction="sum")` against a target
input of the result's shape, or a loss expression of its own (a case that
tests a loss term). The files are compiled with `netc --train` (-O0 and
-O2), `net-run --grad` writes the gradient of the sum of the losses w.r.t.
every parameter and every f32 input, and each is compared with
torch.autograd on the same float32 values promoted to float64. Cases do not
share inputs or parameters, so each gradient is its own case's.

    suite = GradSuite("grad_ops", workdir)
    suite.add("conv2d", "k3", {"x": ("N", 3, 9, 11)}, "conv({x}, 4, kernel=3)",
              lambda m, x: m(x), module=nn.Conv2d(3, 4, 3))
    suite.run()
"""

import copy
import os

import numpy as np

import netcompare as nc


class GradCase:
    def __init__(self, name, group, desc, inputs, expr, ref, module, gen,
                 loss, loss_ref):
        self.name, self.group, self.desc = name, group, desc
        self.inputs, self.expr, self.ref = inputs, expr, ref
        self.module, self.gen = module, gen
        self.loss, self.loss_ref = loss, loss_ref


class GradSuite:
    def __init__(self, title, workdir, batches=(3, 1), train_mode=False):
        """With `train_mode` the torch modules run in training mode
        (batchnorm on batch statistics) and netc compiles with
        --train=batch-stats; the losses net-run --loss prints are @loss's,
        in eval mode, so only the gradients are compared."""
        self.chk = nc.Checker(title)
        self.train_mode = train_mode
        self.workdir = workdir
        self.batches = tuple(batches)
        self.files = {}
        self.names = {}
        self.counters = {}
        nc.seed(nc.SEED)

    def add(self, group, desc, inputs, expr, ref, module=None, gen=None,
            loss=None, loss_ref=None, file="main"):
        """`inputs` maps local names to shapes ('N' = the batch), or to
        ('i32', shape, gen) for an integer input; `expr` is the .net
        expression ({x}: input x); `ref(module?, *inputs)` gives the torch
        result. Without `loss`, the case's loss is the summed squared
        error against a target input; with it, `loss` is the loss
        expression ({out}: the result, {x}: input x) and `loss_ref(result,
        *inputs)` its torch value."""
        slug = nc._slug(group).lower()
        k = self.counters.get(slug, 0)
        self.counters[slug] = k + 1
        case = GradCase(f"{slug}_{k}", group, desc, dict(inputs), expr, ref,
                        module, gen, loss, loss_ref)
        self.files.setdefault(file, []).append(case)
        self.names[case.name] = case
        return case

    # --- generation -------------------------------------------------------

    def _shape(self, shape, batch):
        return tuple(batch if d == "N" else d for d in shape)

    def _arrays(self, case, batch):
        out = {}
        for local, spec in case.inputs.items():
            if isinstance(spec, tuple) and spec and spec[0] == "i32":
                _, shape, gen = spec
                out[local] = np.asarray(gen(self._shape(shape, batch)),
                                        dtype=np.int32)
            elif case.gen is not None:
                out[local] = np.asarray(case.gen(local, self._shape(spec, batch)),
                                        dtype=np.float32)
            else:
                out[local] = nc.randn(*self._shape(spec, batch))
        return out

    def _torch(self, case, arrays, target=None):
        """(result, loss, {name: grad}) in float64."""
        import torch
        m = copy.deepcopy(case.module).double() if case.module else None
        if m is not None:
            m.train(self.train_mode)
        ts = {}
        for k, a in arrays.items():
            t = torch.from_numpy(a)
            if a.dtype == np.float32:
                t = t.double().requires_grad_(True)
            else:
                t = t.long()
            ts[k] = t
        args = [ts[k] for k in case.inputs]
        y = case.ref(m, *args) if m is not None else case.ref(*args)
        if case.loss is None:
            if target is None:
                return y, None, None
            tt = torch.from_numpy(target).double().requires_grad_(True)
            ts["t"] = tt
            loss = ((y - tt) ** 2).sum()
        else:
            loss = case.loss_ref(y, *args)
        loss.backward()
        grads = {}
        if m is not None:
            for n, p in m.named_parameters():
                grads[f"{case.name}.{n}"] = p.grad.numpy()
        for k, t in ts.items():
            if t.dtype == torch.float64:
                grads[f"{case.name}_{k}"] = t.grad.numpy()
        return y, loss, grads

    def _net_text(self, cases, batch):
        lines = [f"# generated by gradcompare.GradSuite ({self.chk.title})"]
        targets = {}
        for c in cases:
            lines.append(f"# {c.name}: {c.group}: {c.desc}")
            subst = {"out": c.name}
            for local, spec in c.inputs.items():
                full = f"{c.name}_{local}"
                subst[local] = full
                dtype, shape = ("i32", spec[1]) if spec and spec[0] == "i32" \
                    else ("f32", spec)
                lines.append(f"input {full}: {dtype}[{', '.join(map(str, shape))}]")
            if c.loss is None:
                # The target's shape: the result's, with N symbolic.
                y, _, _ = self._torch(c, self._arrays(c, batch))
                shape = ["N"] + list(y.shape[1:])
                targets[c.name] = shape
                lines.append(f"input {c.name}_t: f32[{', '.join(map(str, shape))}]")
            lines.append(f"output {c.name} = " + c.expr.format(**subst))
            if c.loss is None:
                lines.append(f'loss {c.name}_loss = mse({c.name}, {c.name}_t, '
                             f'reduction="sum")')
            else:
                lines.append(f"loss {c.name}_loss = " + c.loss.format(**subst))
        return "\n".join(lines) + "\n", targets

    # --- running ----------------------------------------------------------

    def run(self, variants=None):
        train = "--train=batch-stats" if self.train_mode else "--train"
        variants = variants or {"O0": ["-O0", train], "O2": ["-O2", train]}
        for file, cases in self.files.items():
            self._run_file(file, cases, variants)
        self.chk.finish()

    def _run_file(self, file, cases, variants):
        d = os.path.join(self.workdir, nc._slug(file))
        os.makedirs(d, exist_ok=True)
        net = os.path.join(d, f"{nc._slug(file)}.net")
        text, targets = self._net_text(cases, self.batches[0])
        with open(net, "w") as f:
            f.write(text)
        state = {}
        for c in cases:
            if c.module is not None:
                state.update(nc.state_dict_numpy(c.module, prefix=c.name + "."))
        weights = None
        if state:
            weights = nc.export_weights(state, os.path.join(d, "weights.safetensors"))
        print(f"\n-- {file}: {len(cases)} cases in {net}")
        libs = nc.compile_many(net, d, variants, weights=weights,
                               checker=self.chk)
        for batch in self.batches:
            inputs, want, losses = {}, {}, {}
            for c in cases:
                arrays = self._arrays(c, batch)
                target = None
                if c.name in targets:
                    shape = self._shape(targets[c.name], batch)
                    target = nc.randn(*shape)
                    inputs[f"{c.name}_t"] = target
                _, loss, grads = self._torch(c, arrays, target)
                for local, a in arrays.items():
                    inputs[f"{c.name}_{local}"] = a
                want.update(grads)
                losses[f"{c.name}_loss"] = loss.detach().numpy()
            what = f"{file} N={batch}"
            for label, so in libs.items():
                if so is None:
                    self.chk.fail(f"{what} [{label}]", "did not compile")
                    continue
                out = os.path.join(d, f"run-{label}-{batch}")
                try:
                    got = run_grad(so, inputs, out)
                except nc.ToolError as e:
                    self.chk.fail(f"{what} [{label}]", str(e))
                    continue
                self.chk.compare_outputs(
                    f"{what} [{label}] grad", got["grad"], want,
                    group_of=self._group, case_of=lambda n: n)
                if self.train_mode:
                    continue
                self.chk.compare_outputs(
                    f"{what} [{label}] loss",
                    {k: v for k, v in got["outputs"].items() if k in losses},
                    losses)

    def _group(self, name):
        case = name.split(".")[0]
        if case not in self.names:
            case = case.rsplit("_", 1)[0]
        return self.names[case].group


def run_grad(so, inputs, out_dir):
    """net-run --loss --grad: {'outputs': {output or loss name: array},
    'grad': {name: array}}."""
    import shutil
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    in_dir = os.path.join(out_dir, "in")
    args = nc.write_inputs(inputs, in_dir)
    res = os.path.join(out_dir, "out")
    nc._run([nc.tool("net-run"), so] + args +
            ["--output-dir", res, "--loss", "--grad"], "net-run --grad")
    grads = nc._read_outputs(os.path.join(res, "grad"))
    everything = nc._read_outputs(res)
    return {"grad": grads, "outputs": everything}


def zoo_with_loss(examples, stem, size, out_dir):
    """examples/STEM.net at size x size with a cross-entropy loss on its
    logits (`label`, i32[N]) appended, written to OUT_DIR/STEM-SIZE.net."""
    import re
    text = open(os.path.join(examples, f"{stem}.net")).read()
    text = re.sub(r"input x: f32\[N, 3, 224, 224\]",
                  f"input x: f32[N, 3, {size}, {size}]", text)
    text += "\ninput label: i32[N]\nloss ce = cross_entropy(logits, label)\n"
    path = os.path.join(out_dir, f"{stem}-{size}.net")
    with open(path, "w") as f:
        f.write(text)
    return path
