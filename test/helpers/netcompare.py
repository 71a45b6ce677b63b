"""netcompare: the harness of the numerical tests (test/Numerical).

A numerical test builds a PyTorch module (the oracle), exports its state_dict
with save_safetensors, writes its inputs as .npy, and then checks that

  * the model compiled by `netc -O0/-O2` and run by `net-run`, and
  * netc's naive reference evaluator (`netc --run-reference`)

agree with PyTorch. The measure is the max relative error

    err(got, want) = max|got - want| / max(max|want|, TINY)

which must be <= TOL (1e-4, netlang.md section 6). Every comparison prints a
line with the measured error; a failure says which model, build and output.

The PyTorch side is evaluated in float64 from the very float32 weights and
inputs given to netc, so the error measured is netc's alone.

Typical use (see lenet5.py):

    import netcompare as nc
    chk = nc.Checker("lenet5")
    nc.seed(0)
    model = ...                                   # a torch.nn.Module
    w = nc.export_weights(model, tmp + "/w.safetensors", rename=...)
    libs = nc.compile_many(net, tmp, {"O0": ["-O0"], "O2": ["-O2"]}, weights=w)
    x = nc.randn(3, 1, 32, 32)
    want = {"probs": nc.torch_eval(model, x)}
    chk.compare_all("batch 3", libs, net, {"x": x}, want, tmp, weights=w)
    chk.finish()                                  # exits 1 on any failure

Only numpy is needed to import this module; torch is imported lazily.
"""

import os
import shutil
import subprocess
import sys
import time

import numpy as np

from safetensors_np import save_safetensors

TOL = 1e-4
# The floor of the denominator: an all-zero expected output (say relu of
# negatives) is compared in absolute terms against TOL * TINY.
TINY = 1e-6
SEED = 0


class ToolError(RuntimeError):
    """A netc or net-run invocation that failed."""


#===----------------------------------------------------------------------===#
# Errors and bookkeeping
#===----------------------------------------------------------------------===#

def rel_err(got, want):
    """max|got - want| / max(max|want|, TINY); inf on a shape mismatch or a
    non-finite value in `got` where `want` is finite."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    if got.size == 0:
        return 0.0
    if not np.all(np.isfinite(got) == np.isfinite(want)):
        return float("inf")
    fin = np.isfinite(want)
    if not np.all(got[~fin] == want[~fin]):
        return float("inf")
    if not fin.any():
        return 0.0
    diff = np.abs(got[fin] - want[fin]).max()
    scale = max(np.abs(want[fin]).max(), TINY)
    return float(diff / scale)


class Checker:
    """Collects comparisons, prints one line each, and a coverage table."""

    def __init__(self, title, tol=TOL):
        self.title = title
        self.tol = tol
        self.failures = []
        self.rows = {}  # group -> [cases, max err, names]
        self.count = 0
        self.start = time.time()
        print(f"== {title}: max relative error must be <= {tol:g} "
              f"(err = max|a-b| / max(max|b|, {TINY:g}))")
        sys.stdout.flush()

    def fail(self, what, message):
        self.failures.append(f"{what}: {message}")
        print(f"FAIL {what}: {message}")
        sys.stdout.flush()

    def check(self, what, got, want, group=None, case=None, tol=None):
        """Compares one output; `group` (an op name) feeds the coverage table
        and `case` names the case within it (counted once per distinct name)."""
        tol = self.tol if tol is None else tol
        self.count += 1
        got_a, want_a = np.asarray(got), np.asarray(want)
        if got_a.shape != want_a.shape:
            err = float("inf")
            self.fail(what, f"shape {list(got_a.shape)}, expected "
                            f"{list(want_a.shape)}")
        else:
            err = rel_err(got_a, want_a)
            if not err <= tol:
                i = np.unravel_index(
                    np.argmax(np.nan_to_num(np.abs(got_a.astype(np.float64) -
                                                   want_a), nan=np.inf)),
                    want_a.shape) if want_a.size else ()
                self.fail(what, f"max rel err {err:.3e} > {tol:g} (worst at "
                                f"{list(map(int, i))}: got {got_a[i]!r}, "
                                f"expected {want_a[i]!r})")
            else:
                print(f"ok   {what}: max rel err {err:.3e}")
        if group is not None:
            row = self.rows.setdefault(group, [set(), 0.0, 0])
            row[0].add(case if case is not None else what)
            row[1] = max(row[1], err)
            row[2] += 1
        sys.stdout.flush()
        return err

    def check_true(self, what, cond, message="check failed"):
        self.count += 1
        if cond:
            print(f"ok   {what}")
        else:
            self.fail(what, message)
        return cond

    def compare_outputs(self, what, got, want, group_of=None, case_of=None):
        """Compares dicts {output name: array}: every expected output must be
        there, and nothing else."""
        for name in sorted(set(got) - set(want)):
            self.fail(f"{what} {name}", "unexpected output")
        for name, w in want.items():
            if name not in got:
                self.fail(f"{what} {name}", "missing output")
                if group_of:
                    row = self.rows.setdefault(group_of(name), [set(), 0.0, 0])
                    row[0].add(case_of(name) if case_of else name)
                    row[1] = float("inf")
                continue
            self.check(f"{what} {name}", got[name], w,
                       group=group_of(name) if group_of else None,
                       case=case_of(name) if case_of else None)

    def compare_all(self, what, libs, net, inputs, want, workdir,
                    weights=None, reference=True, group_of=None, case_of=None):
        """Runs every compiled library of `libs` ({label: .so}) and, if asked,
        the reference evaluator on `inputs`, and compares each with `want`.
        Returns {label: outputs} ('ref' for the reference)."""
        results = {}
        tag = _slug(what)
        for label, so in libs.items():
            if so is None:
                self.fail(f"{what} [{label}]", "did not compile")
                continue
            try:
                got = run_so(so, inputs, os.path.join(workdir, f"run-{label}-{tag}"))
            except ToolError as e:
                self.fail(f"{what} [{label}]", str(e))
                self._lost(want, group_of, case_of)
                continue
            results[label] = got
            self.compare_outputs(f"{what} [{label}]", got, want, group_of,
                                 case_of)
        if reference:
            try:
                got = run_reference(net, inputs,
                                    os.path.join(workdir, f"ref-{tag}"),
                                    weights=weights)
            except ToolError as e:
                self.fail(f"{what} [ref]", str(e))
                self._lost(want, group_of, case_of)
            else:
                results["ref"] = got
                self.compare_outputs(f"{what} [ref]", got, want, group_of,
                                     case_of)
        return results

    def _lost(self, want, group_of, case_of):
        """Records the outputs of a run that failed as infinitely wrong."""
        if not group_of:
            return
        for name in want:
            row = self.rows.setdefault(group_of(name), [set(), 0.0, 0])
            row[0].add(case_of(name) if case_of else name)
            row[1] = float("inf")
            row[2] += 1

    def table(self):
        """Prints the coverage table: op, cases, comparisons, max rel error."""
        if not self.rows:
            return
        w = max(len("total"), *(len(g) for g in self.rows))
        print(f"\n-- coverage of {self.title} (tolerance {self.tol:g})")
        print(f"{'op':<{w}}  {'cases':>5}  {'checks':>6}  {'max rel err':>11}")
        for g in sorted(self.rows):
            cases, err, n = self.rows[g]
            flag = "" if err <= self.tol else "  FAIL"
            print(f"{g:<{w}}  {len(cases):>5}  {n:>6}  {err:>11.3e}{flag}")
        total = sum(len(r[0]) for r in self.rows.values())
        print(f"{'total':<{w}}  {total:>5}  "
              f"{sum(r[2] for r in self.rows.values()):>6}  "
              f"{max(r[1] for r in self.rows.values()):>11.3e}")
        sys.stdout.flush()

    def finish(self):
        """Prints the table and a summary; exits 1 if anything failed."""
        self.table()
        took = time.time() - self.start
        if self.failures:
            print(f"\n== {self.title}: FAILED: {len(self.failures)} "
                  f"failure(s) in {self.count} checks ({took:.1f} s):")
            for f in self.failures:
                print("  " + f)
            sys.stdout.flush()
            sys.exit(1)
        print(f"\n== {self.title}: all {self.count} checks passed "
              f"({took:.1f} s)")
        sys.stdout.flush()


def _slug(s):
    return "".join(c if c.isalnum() else "_" for c in s).strip("_") or "run"


#===----------------------------------------------------------------------===#
# Tools
#===----------------------------------------------------------------------===#

def tool(name):
    """The path of a tool (netc, net-run): $NETC_BIN_DIR, else PATH."""
    d = os.environ.get("NETC_BIN_DIR")
    if d:
        return os.path.join(d, name)
    return shutil.which(name) or name


def _show_cmd(cmd):
    """A command line with its run of --input NAME=PATH arguments shortened
    to one `--input NAME=DIR/NAME.npy ...` (the rest are alike)."""
    out, inputs = [], []
    i = 0
    while i < len(cmd):
        if cmd[i] == "--input" and i + 1 < len(cmd):
            inputs.append(cmd[i + 1])
            i += 2
            continue
        out.append(cmd[i])
        i += 1
    if inputs:
        more = f" (+{len(inputs) - 1} more --input)" if len(inputs) > 1 else ""
        out[2:2] = ["--input", inputs[0] + more]
    return " ".join(out)


def _run(cmd, what):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise ToolError(f"{what}: cannot run {cmd[0]}: {e}") from None
    if p.returncode != 0:
        raise ToolError(f"{what} failed (exit {p.returncode}): "
                        f"{_show_cmd(cmd)}\n{p.stderr.strip()}")
    return p


def write_inputs(inputs, directory):
    """Saves {name: array} as DIR/<name>.npy; returns the --input arguments."""
    os.makedirs(directory, exist_ok=True)
    args = []
    for name, a in inputs.items():
        path = os.path.join(directory, f"{name}.npy")
        np.save(path, np.ascontiguousarray(a))
        args += ["--input", f"{name}={path}"]
    return args


def _read_outputs(directory):
    out = {}
    for f in sorted(os.listdir(directory)):
        if f.endswith(".npy"):
            out[f[:-4]] = np.load(os.path.join(directory, f))
    return out


def _compile_cmd(net, so, weights, flags):
    cmd = [tool("netc"), net, "-o", so] + list(flags)
    if weights:
        cmd += ["--weights", weights]
    return cmd


def compile_net(net, so, weights=None, flags=("-O2",)):
    """netc NET -o SO [--weights W] FLAGS; returns SO."""
    os.makedirs(os.path.dirname(os.path.abspath(so)), exist_ok=True)
    _run(_compile_cmd(net, so, weights, flags), "netc")
    return so


def compile_many(net, workdir, variants, weights=None, jobs=None,
                 checker=None):
    """Compiles `net` once per variant {label: [flags]} in parallel (at most
    `jobs` at once, default the CPU count) to WORKDIR/<label>/lib<stem>.so.
    Returns {label: so}; a failed compile is reported to `checker` (if given)
    and maps to None, else raises ToolError."""
    jobs = jobs or os.cpu_count() or 1
    stem = os.path.splitext(os.path.basename(net))[0]
    pending = list(variants.items())
    running = []
    libs = {}
    errors = []
    t0 = time.time()
    while pending or running:
        while pending and len(running) < jobs:
            label, flags = pending.pop(0)
            d = os.path.join(workdir, label)
            os.makedirs(d, exist_ok=True)
            so = os.path.join(d, f"lib{stem}.so")
            cmd = _compile_cmd(net, so, weights, flags)
            try:
                p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            except OSError as e:
                p = e
            running.append((label, so, cmd, p))
        label, so, cmd, p = running.pop(0)
        if isinstance(p, OSError):
            rc, err = -1, f"cannot run {cmd[0]}: {p}"
        else:
            _, err = p.communicate()
            rc = p.returncode
        if rc != 0:
            msg = (f"netc failed (exit {rc}): {' '.join(cmd)}\n"
                   f"{err.strip()}")
            libs[label] = None
            errors.append(msg)
            if checker:
                checker.fail(f"compile {os.path.basename(net)} [{label}]", msg)
        else:
            libs[label] = so
    print(f"compiled {os.path.basename(net)} as {', '.join(variants)} in "
          f"{time.time() - t0:.1f} s")
    sys.stdout.flush()
    if errors and not checker:
        raise ToolError("\n".join(errors))
    return libs


def run_so(so, inputs, out_dir):
    """net-run SO --input ... --output-dir OUT_DIR; returns {name: array}."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    args = write_inputs(inputs, out_dir + "-in")
    _run([tool("net-run"), so] + args + ["--output-dir", out_dir], "net-run")
    return _read_outputs(out_dir)


def run_reference(net, inputs, out_dir, weights=None):
    """netc NET --run-reference --input ... --output-dir OUT_DIR [--weights W]."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    args = write_inputs(inputs, out_dir + "-in")
    cmd = [tool("netc"), net, "--run-reference"] + args + \
          ["--output-dir", out_dir]
    if weights:
        cmd += ["--weights", weights]
    _run(cmd, "netc --run-reference")
    return _read_outputs(out_dir)


#===----------------------------------------------------------------------===#
# PyTorch side
#===----------------------------------------------------------------------===#

def seed(s=SEED):
    """Fixes the seeds of torch and numpy; one torch thread (lit runs tests
    in parallel)."""
    import torch
    torch.manual_seed(s)
    torch.set_num_threads(1)
    np.random.seed(s)


def randn(*shape, scale=1.0):
    """A float32 normal tensor as numpy (from torch's seeded generator)."""
    import torch
    return (torch.randn(*shape) * scale).numpy().astype(np.float32)


def randomize_batchnorm(module):
    """Gives every BatchNorm of `module` non-trivial affine parameters and
    running statistics (mean ~ N(0, 0.5), var in [0.5, 2])."""
    import torch
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                if m.affine:
                    m.weight.copy_(torch.rand(c) + 0.5)
                    m.bias.copy_(torch.randn(c) * 0.2)
                if m.track_running_stats:
                    m.running_mean.copy_(torch.randn(c) * 0.5)
                    m.running_var.copy_(torch.rand(c) * 1.5 + 0.5)
                    m.num_batches_tracked.fill_(7)
    return module


def calibrate_batchnorm(model, x):
    """randomize_batchnorm, with running statistics on the scale of the
    actual activations: fixed random statistics (mean ~ N(0, 0.5),
    var in [0.5, 2]) swamp the small pre-BatchNorm activations of this
    initialisation and make the logits nearly independent of the input.
    Measures each BatchNorm's input mean/variance on the batch `x` (train
    mode, cumulative average), then perturbs them: mean + N(0, 0.5) * std,
    var * U[0.5, 2]."""
    import torch
    import torch.nn as nn
    randomize_batchnorm(model)  # affine weight/bias
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.from_numpy(x))
        for m in bns:
            c = m.num_features
            var = m.running_var.clamp_min(1e-6)
            m.running_mean += torch.randn(c) * 0.5 * var.sqrt()
            m.running_var.copy_(var * (torch.rand(c) * 1.5 + 0.5))
            m.num_batches_tracked.fill_(7)
    return model.eval()


def state_dict_numpy(module, rename=None, prefix=""):
    """module.state_dict() as {name: np.ndarray}, every tensor kept
    (including BatchNorm's num_batches_tracked, which netc ignores).
    `rename` maps a leading key component ('0' in '0.weight') to a new one;
    `prefix` is prepended to every key."""
    out = {}
    for k, v in module.state_dict().items():
        if rename:
            head, _, tail = k.partition(".")
            if head in rename:
                k = rename[head] + ("." + tail if tail else "")
        out[prefix + k] = v.detach().cpu().numpy()
    return out


def export_weights(module_or_dict, path, rename=None):
    """Writes a state_dict (a module's, or a dict {name: array}) to `path` as
    safetensors; returns `path`."""
    d = module_or_dict
    if not isinstance(d, dict):
        d = state_dict_numpy(d, rename)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    save_safetensors(path, d)
    return path


def torch_eval(fn, *inputs):
    """Evaluates a module (in eval mode, on a float64 copy) or a function on
    numpy inputs (cast to float64); returns numpy (or a tuple/dict of)."""
    import copy
    import torch
    if isinstance(fn, torch.nn.Module):
        fn = copy.deepcopy(fn).double().eval()
    args = [torch.from_numpy(np.asarray(a)).double() for a in inputs]
    with torch.no_grad():
        r = fn(*args)
    if isinstance(r, dict):
        return {k: v.numpy() for k, v in r.items()}
    if isinstance(r, (tuple, list)):
        return type(r)(v.numpy() for v in r)
    return r.numpy()


#===----------------------------------------------------------------------===#
# Op tables: many small cases batched into a few .net files
#===----------------------------------------------------------------------===#

class Case:
    def __init__(self, name, group, desc, inputs, expr, ref, module, gen,
                 bug):
        self.name, self.group, self.desc = name, group, desc
        self.inputs, self.expr, self.ref = inputs, expr, ref
        self.module, self.gen, self.bug = module, gen, bug


class OpSuite:
    """A table of single-op cases compared with PyTorch.

    Each case becomes one `output NAME = EXPR` line of a generated .net file,
    with its own inputs (`input NAME_x: f32[N, ...]`) and parameters (the
    state_dict of its torch module under the prefix NAME, the statement's
    name). Cases are batched into a few files (`file=`), each compiled at
    -O2 and at -O0 (the issue's correctness baseline: both must match); every
    file also goes through the reference evaluator. Each file runs at every batch size
    of `batches` (N is a run-time dim: one build serves them all).

    A case that exposes a known compiler bug is given `bug="..."`: it is left
    out (and listed) unless the script runs with --known-bugs, which runs only
    those cases (for an XFAIL test that notices the fix).
    """

    def __init__(self, title, workdir, batches=(3, 1), argv=None):
        argv = sys.argv if argv is None else argv
        self.known_bugs = "--known-bugs" in argv
        self.title = title + (" (known bugs)" if self.known_bugs else "")
        self.chk = Checker(self.title)
        self.workdir = workdir
        self.batches = tuple(batches)
        self.batch = self.batches[0]
        self.cases = {}   # file -> [Case]
        self.preludes = {}  # file -> .net text put before the cases
        self.names = {}   # output name -> Case
        self.counters = {}
        seed(SEED)

    def add(self, group, desc, inputs, expr, ref, module=None, gen=None,
            file="main", bug=None):
        """One case. `inputs` maps local names to shapes ('N' = the batch);
        `expr` is the .net expression with `{x}` for input x and `{out}` for
        the output name; `ref(*tensors)` (or `ref(module, *tensors)`), given
        the inputs in the order of `inputs`, gives the expected float64
        result; `gen(name, shape)` makes an input
        (default: standard normal)."""
        slug = _slug(group).lower()
        k = self.counters.get(slug, 0)
        self.counters[slug] = k + 1
        name = f"{slug}_{k}"
        case = Case(name, group, desc, inputs, expr, ref, module, gen, bug)
        case.file = file
        self.names[name] = case
        if bool(bug) == self.known_bugs:
            # Known bugs: one file per case, to tell which ones still fail.
            self.cases.setdefault(name if bug else file, []).append(case)
        elif bug:
            print(f"skip {name} ({group}: {desc}): known bug: {bug}")
        return case

    def prelude(self, file, text):
        """Text (say `block` definitions) at the top of `file`'s .net."""
        self.preludes[file] = self.preludes.get(file, "") + text

    # --- generation ------------------------------------------------------

    def _shape(self, shape):
        return tuple(self.batch if d == "N" else d for d in shape)

    def _net_text(self, cases, prelude=""):
        lines = [f"# generated by netcompare.OpSuite ({self.title})"]
        if prelude:
            lines.append(prelude.rstrip("\n"))
        for c in cases:
            lines.append(f"# {c.name}: {c.group}: {c.desc}")
            subst = {"out": c.name}
            for local, shape in c.inputs.items():
                full = f"{c.name}_{local}"
                subst[local] = full
                dims = ", ".join(str(d) for d in shape)
                lines.append(f"input {full}: f32[{dims}]")
            lines.append(f"output {c.name} = " + c.expr.format(**subst))
        return "\n".join(lines) + "\n"

    def _make_inputs(self, case):
        arrays = {}
        for local, shape in case.inputs.items():
            s = self._shape(shape)
            if case.gen is not None:
                a = case.gen(local, s)
            else:
                a = randn(*s)
            arrays[local] = np.asarray(a, dtype=np.float32)
        return arrays

    def _expected(self, case, arrays):
        import torch
        t = [torch.from_numpy(arrays[k]).double() for k in case.inputs]
        with torch.no_grad():
            if case.module is not None:
                import copy
                m = copy.deepcopy(case.module).double().eval()
                r = case.ref(m, *t)
            else:
                r = case.ref(*t)
        return r.numpy()

    # --- running ---------------------------------------------------------

    def run(self, o0=(), extra=None):
        """Compiles and compares every file at -O2 and -O0; prints the
        coverage table and exits 1 on any failure. `o0` is accepted for old
        callers (every file is built at -O0 now); `extra` maps a file to
        more variants {label: [netc flags]}."""
        extra = extra or {}
        for file, cases in self.cases.items():
            variants = {"O2": ["-O2"]}
            if not self.known_bugs:
                variants["O0"] = ["-O0"]
            variants.update(extra.get(file, {}))
            self._run_file(file, cases, variants)
        if not self.cases:
            print("no cases to run")
        self.chk.finish()

    def _run_file(self, file, cases, variants):
        d = os.path.join(self.workdir, _slug(file))
        os.makedirs(d, exist_ok=True)
        net = os.path.join(d, f"{_slug(file)}.net")
        prelude = "".join(self.preludes.get(f, "") for f in
                          {c.file for c in cases})
        with open(net, "w") as f:
            f.write(self._net_text(cases, prelude))
        state = {}
        for c in cases:
            if c.module is not None:
                state.update(state_dict_numpy(c.module, prefix=c.name + "."))
        weights = None
        if state:
            weights = export_weights(state, os.path.join(d, "weights.safetensors"))
        print(f"\n-- {file}: {len(cases)} cases in {net}")
        libs = compile_many(net, d, variants, weights=weights,
                            checker=self.chk)
        if any(so is None for so in libs.values()):
            self._bisect(cases, d, weights)
        for batch in self.batches:
            self.batch = batch
            inputs, want = {}, {}
            for c in cases:
                arrays = self._make_inputs(c)
                for local, a in arrays.items():
                    inputs[f"{c.name}_{local}"] = a
                want[c.name] = self._expected(c, arrays)
            what = file if len(self.batches) == 1 else f"{file} N={batch}"
            self.chk.compare_all(what, libs, net, inputs, want, d,
                                 weights=weights,
                                 group_of=lambda n: self.names[n].group,
                                 case_of=lambda n: n)

    def _bisect(self, cases, d, weights):
        """After a failed compile, finds the cases that netc rejects on their
        own (front end only, which is quick), to name them in the report."""
        for c in cases:
            net = os.path.join(d, f"alone-{c.name}.net")
            with open(net, "w") as f:
                f.write(self._net_text([c], self.preludes.get(c.file, "")))
            cmd = [tool("netc"), net, "--emit=net-opt"]
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            if p.returncode != 0:
                self.chk.fail(f"case {c.name} ({c.group}: {c.desc})",
                              f"netc rejects it: {p.stderr.strip()}")
