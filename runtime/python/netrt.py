"""Run models compiled by netc from Python (ctypes + numpy over libnetrt).

    import netrt
    m = netrt.Model('out/liblenet5.so')
    m.inputs        # [('x', dtype('float32'), (-1, 1, 32, 32)), ...]
    m.forward(x=images)                  # {'probs': ndarray (N, 10)}
    m.loss(x=images, label=labels)       # {'ce': 0-d ndarray}
    m.backward(x=images, label=labels)   # {'c1.weight': ..., 'x': ...}

    # netc --train libraries: a train step updates the model's own weights
    t = m.trainer(optimizer="sgd", momentum=0.9, weight_decay=5e-4)
    t.step(0.01, x=images, label=labels)  # {'ce': loss before the update}
    m.train_step(0.01, x=images, label=labels)   # the same, default SGD
    m.save_weights("lenet5.safetensors")  # PyTorch state_dict names

A dim of -1 in a shape is the symbolic batch N. Every failure (a bad library,
a wrong input name, dtype or shape, an error inside the model) raises
netrt.Error with libnetrt's message.

libnetrt.so is found through the environment variable NETRT_LIB, else next to
this file, in the directory above it, or in the build/lib of the source tree.
"""

import ctypes
import os

import numpy as np

__all__ = ["Error", "Model", "Trainer"]

NETRT_MAX_RANK = 8
_F32, _I32 = 0, 1
_DTYPES = {_F32: np.dtype(np.float32), _I32: np.dtype(np.int32)}
_ERR_SIZE = 4096


class Error(RuntimeError):
    """A failure reported by libnetrt or by this module."""


class _TensorInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * NETRT_MAX_RANK),
    ]


class _Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * NETRT_MAX_RANK),
    ]


class _ModelInfo(ctypes.Structure):
    # Function pointers are only called through libnetrt: void* is enough.
    _fields_ = [
        ("abi_version", ctypes.c_int32),
        ("name", ctypes.c_char_p),
        ("num_inputs", ctypes.c_int32),
        ("inputs", ctypes.POINTER(_TensorInfo)),
        ("num_outputs", ctypes.c_int32),
        ("outputs", ctypes.POINTER(_TensorInfo)),
        ("num_losses", ctypes.c_int32),
        ("losses", ctypes.POINTER(_TensorInfo)),
        ("forward", ctypes.c_void_p),
        ("loss", ctypes.c_void_p),
        ("backward", ctypes.c_void_p),
        ("last_error", ctypes.c_void_p),
        ("set_num_threads", ctypes.c_void_p),
    ]


class _Optimizer(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int32),
        ("momentum", ctypes.c_float),
        ("dampening", ctypes.c_float),
        ("nesterov", ctypes.c_int32),
        ("weight_decay", ctypes.c_float),
        ("beta1", ctypes.c_float),
        ("beta2", ctypes.c_float),
        ("eps", ctypes.c_float),
        ("keep_zeros", ctypes.c_int32),
        ("tie_equal", ctypes.c_int32),
    ]


def _candidates():
    env = os.environ.get("NETRT_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    return [
        os.path.join(here, "libnetrt.so"),
        os.path.join(os.path.dirname(here), "libnetrt.so"),
        os.path.join(root, "build", "lib", "libnetrt.so"),
    ]


_lib_handle = None


def _lib():
    """Loads libnetrt.so once and declares its functions."""
    global _lib_handle
    if _lib_handle is not None:
        return _lib_handle
    paths = _candidates()
    path = next((p for p in paths if os.path.isfile(p)), None)
    if path is None:
        raise Error("cannot find libnetrt.so (looked at %s; set NETRT_LIB)" %
                    ", ".join(paths))
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise Error("cannot load %s: %s" % (path, e)) from None

    P, T = ctypes.c_void_p, ctypes.POINTER(_Tensor)
    TI = ctypes.POINTER(_TensorInfo)
    i32, sz, s = ctypes.c_int32, ctypes.c_size_t, ctypes.c_char_p
    sigs = {
        "netrt_open": (P, [s, s, sz]),
        "netrt_open_with_weights": (P, [s, s, s, sz]),
        "netrt_arena_bytes": (ctypes.c_int64, [P, s, ctypes.c_int64]),
        "netrt_close": (None, [P]),
        "netrt_info": (ctypes.POINTER(_ModelInfo), [P]),
        "netrt_results": (TI, [P, s, ctypes.POINTER(i32)]),
        "netrt_has_entry": (ctypes.c_int, [P, s]),
        "netrt_check_entry_inputs": (ctypes.c_int, [P, s, T, i32, s, sz]),
        "netrt_output_shapes": (ctypes.c_int, [P, s, T, T]),
        "netrt_run": (ctypes.c_int, [P, s, T, i32, T, s, sz]),
        "netrt_format_type": (ctypes.c_int, [TI, ctypes.c_int64, s, sz]),
        "netrt_set_num_threads": (None, [P, ctypes.c_int]),
        "netrt_weight_bytes": (ctypes.c_int, [P, ctypes.POINTER(ctypes.c_int64),
                                              ctypes.POINTER(ctypes.c_int64)]),
        "netrt_optimizer_defaults": (None, [ctypes.POINTER(_Optimizer), i32]),
        "netrt_trainer_create": (P, [P, ctypes.POINTER(_Optimizer), s, sz]),
        "netrt_train_step": (ctypes.c_int, [P, T, i32, ctypes.c_float,
                                            ctypes.POINTER(ctypes.c_float), s, sz]),
        "netrt_trainer_steps": (ctypes.c_int64, [P]),
        "netrt_trainer_param": (ctypes.POINTER(ctypes.c_float), [P, s, TI]),
        "netrt_trainer_save": (ctypes.c_int, [P, s, s, sz]),
        "netrt_trainer_destroy": (None, [P]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    _lib_handle = lib
    return lib


def _describe(infos, count):
    return [(infos[i].name.decode(), _DTYPES[infos[i].dtype],
             tuple(infos[i].shape[d] for d in range(infos[i].rank)))
            for i in range(count)]


class Model:
    """A model library compiled by netc."""

    def __init__(self, path, weights=None):
        """Opens the library at `path`; `weights` (a .safetensors file with
        the names and shapes netc compiled it with) replaces its embedded
        weights, and is required for a --no-embed-weights build."""
        lib = _lib()
        err = ctypes.create_string_buffer(_ERR_SIZE)
        self._h = None
        if weights is None:
            h = lib.netrt_open(os.fsencode(os.fspath(path)), err, _ERR_SIZE)
        else:
            h = lib.netrt_open_with_weights(os.fsencode(os.fspath(path)),
                                            os.fsencode(os.fspath(weights)),
                                            err, _ERR_SIZE)
        if not h:
            raise Error(err.value.decode(errors="replace"))
        self._h = h
        self._lib = lib
        self.path = os.fspath(path)
        self._info = lib.netrt_info(h).contents
        self.name = self._info.name.decode()
        self.inputs = _describe(self._info.inputs, self._info.num_inputs)
        self.outputs = self._results("forward")
        self.losses = self._results("loss")
        self.grads = self._results("backward")

    def _results(self, which):
        count = ctypes.c_int32(0)
        infos = self._lib.netrt_results(self._h, which.encode(),
                                        ctypes.byref(count))
        return _describe(infos, count.value) if infos else []

    @property
    def has_loss(self):
        return bool(self._lib.netrt_has_entry(self._h, b"loss"))

    @property
    def has_backward(self):
        return bool(self._lib.netrt_has_entry(self._h, b"backward"))

    def close(self):
        if self._h:
            # Trainers point at the handle: they go first.
            for t in getattr(self, "_trainers", []):
                t = t()
                if t is not None:
                    t.close()
            self._lib.netrt_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "<netrt.Model %r from %r>" % (self.name, self.path)

    def set_num_threads(self, threads):
        self._lib.netrt_set_num_threads(self._handle(), int(threads))

    def weight_bytes(self):
        """(bytes of the embedded weights as stored, as f32); (0, 0) when
        the library does not say."""
        stored, f32 = ctypes.c_int64(0), ctypes.c_int64(0)
        self._lib.netrt_weight_bytes(self._handle(), ctypes.byref(stored),
                                     ctypes.byref(f32))
        return int(stored.value), int(f32.value)

    def arena_bytes(self, which="forward", batch=1):
        """Bytes of the activation arena one call allocates (-1: unknown)."""
        return int(self._lib.netrt_arena_bytes(self._handle(), which.encode(),
                                               int(batch)))

    def forward(self, **inputs):
        """Runs the model; returns {output name: ndarray}."""
        return self.run("forward", **inputs)

    __call__ = forward

    def loss(self, **inputs):
        """Runs the loss entry point; returns {loss name: 0-d ndarray}."""
        return self.run("loss", **inputs)

    def backward(self, **inputs):
        """Returns {parameter or input name: gradient of the summed losses}."""
        return self.run("backward", **inputs)

    def trainer(self, optimizer="sgd", lr=None, momentum=0.0, dampening=0.0,
                nesterov=False, weight_decay=0.0, betas=(0.9, 0.999), eps=1e-8,
                keep_zeros=False, tie_equal=False):
        """A Trainer of this model's own weights (netc --train libraries):
        torch.optim.SGD or Adam, with their formulas and defaults;
        keep_zeros holds the weights that are zero now at zero (retraining
        after pruning); tie_equal keeps shared values tied, each moved by
        the sum of its weights' gradients (retraining after weight
        sharing). It becomes the model's default trainer."""
        self._trainer = Trainer(self, optimizer, momentum, dampening, nesterov,
                                weight_decay, betas, eps, keep_zeros, tie_equal)
        return self._trainer

    def train_step(self, lr, **inputs):
        """One step of the default trainer (plain SGD unless trainer() made
        another); returns {loss name: the loss before the update}."""
        if getattr(self, "_trainer", None) is None:
            self.trainer()
        return self._trainer.step(lr, **inputs)

    def save_weights(self, path):
        """Writes the weights the model runs with to `path` (.safetensors,
        PyTorch names); the previous file stays whole if this fails."""
        if getattr(self, "_trainer", None) is None:
            self.trainer()
        self._trainer.save(path)

    def _tensors(self, inputs):
        """The ctypes tensors of `inputs` (every input, by name), and the
        arrays behind them."""
        names = [n for n, _, _ in self.inputs]
        for key in inputs:
            if key not in names:
                raise Error("model '%s' has no input '%s' (its inputs: %s)" %
                            (self.name, key, ", ".join(names) or "none"))
        args = (_Tensor * max(len(names), 1))()
        keep = []
        for i, name in enumerate(names):
            if name not in inputs:
                continue
            arr = self._convert(i, inputs[name])
            keep.append(arr)
            args[i].data = arr.ctypes.data
            args[i].dtype = _F32 if arr.dtype == np.float32 else _I32
            args[i].rank = arr.ndim
            for d, size in enumerate(arr.shape):
                args[i].shape[d] = size
        return args, keep

    def _handle(self):
        if not self._h:
            raise Error("model '%s' is closed" % self.name)
        return self._h

    def _expected(self, index):
        buf = ctypes.create_string_buffer(256)
        self._lib.netrt_format_type(ctypes.byref(self._info.inputs[index]), -1,
                                    buf, 256)
        return buf.value.decode()

    def _convert(self, index, value):
        """An input as a C-ordered array of the dtype the model wants."""
        name, dtype, _ = self.inputs[index]
        arr = np.asarray(value)
        kinds = "f" if dtype == np.float32 else "iub"
        if arr.dtype.kind not in kinds or arr.ndim > NETRT_MAX_RANK:
            raise Error("input '%s': expected %s, got an array of dtype %s "
                        "and shape %s" % (name, self._expected(index),
                                          arr.dtype, arr.shape))
        if dtype == np.int32 and arr.size and arr.dtype.itemsize > 4:
            if arr.min() < -2**31 or arr.max() >= 2**31:
                raise Error("input '%s': values do not fit in int32" % name)
        return np.ascontiguousarray(arr, dtype=dtype)

    def run(self, which, **inputs):
        """Runs entry point `which` ('forward', 'loss' or 'backward')."""
        h = self._handle()
        n = len(self.inputs)
        # An input left out has data = NULL: libnetrt says whether that is
        # fine. The arrays in `keep` must outlive the call.
        args, keep = self._tensors(inputs)

        w = which.encode()
        err = ctypes.create_string_buffer(_ERR_SIZE)
        if not self._lib.netrt_has_entry(h, w):
            if which in ("loss", "backward"):
                raise Error("model '%s' was not compiled with --train (it has "
                            "no %s entry point)" % (self.name, which))
            raise Error("unknown entry point '%s' (expected forward, loss or "
                        "backward)" % which)
        if self._lib.netrt_check_entry_inputs(h, w, args, n, err, _ERR_SIZE):
            raise Error(err.value.decode(errors="replace"))

        count = ctypes.c_int32(0)
        infos = self._lib.netrt_results(h, w, ctypes.byref(count))
        if not infos:
            raise Error("model '%s' does not describe the results of its %s "
                        "entry point" % (self.name, which))
        outs = (_Tensor * max(count.value, 1))()
        if self._lib.netrt_output_shapes(h, w, args, outs):
            raise Error("cannot infer the shapes of the %s results: no input "
                        "fixes the batch N" % which)
        results = {}
        for i in range(count.value):
            shape = tuple(outs[i].shape[d] for d in range(outs[i].rank))
            arr = np.empty(shape, dtype=_DTYPES[outs[i].dtype])
            keep.append(arr)
            outs[i].data = arr.ctypes.data
            results[infos[i].name.decode()] = arr
        if self._lib.netrt_run(h, w, args, n, outs, err, _ERR_SIZE):
            raise Error(err.value.decode(errors="replace"))
        return results


class Trainer:
    """Trains a Model's own weights in place (netrt_trainer): each step
    runs the library's train entry point (losses and gradients in one
    pass), updates every parameter and binds the new weights to the model;
    forward calls on other threads keep the weights they started with."""

    _KINDS = {"sgd": 0, "adam": 1}

    def __init__(self, model, optimizer="sgd", momentum=0.0, dampening=0.0,
                 nesterov=False, weight_decay=0.0, betas=(0.9, 0.999),
                 eps=1e-8, keep_zeros=False, tie_equal=False):
        if optimizer not in self._KINDS:
            raise Error("unknown optimizer '%s' (expected sgd or adam)" %
                        optimizer)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise Error("Nesterov momentum requires a momentum and zero "
                        "dampening")
        self.model = model
        self._lib = model._lib
        opt = _Optimizer()
        self._lib.netrt_optimizer_defaults(ctypes.byref(opt),
                                           self._KINDS[optimizer])
        opt.momentum, opt.dampening = momentum, dampening
        opt.nesterov, opt.weight_decay = int(bool(nesterov)), weight_decay
        opt.beta1, opt.beta2 = betas
        opt.eps, opt.keep_zeros = eps, int(bool(keep_zeros))
        opt.tie_equal = int(bool(tie_equal))
        err = ctypes.create_string_buffer(_ERR_SIZE)
        self._t = self._lib.netrt_trainer_create(model._handle(),
                                                 ctypes.byref(opt), err,
                                                 _ERR_SIZE)
        if not self._t:
            raise Error(err.value.decode(errors="replace"))
        self.losses = [n for n, _, _ in model.losses]
        import weakref
        if not hasattr(model, "_trainers"):
            model._trainers = []
        model._trainers.append(weakref.ref(self))

    def step(self, lr, **inputs):
        """One step at learning rate `lr`; {loss name: loss before it}."""
        args, keep = self.model._tensors(inputs)
        out = (ctypes.c_float * max(len(self.losses), 1))()
        err = ctypes.create_string_buffer(_ERR_SIZE)
        if self._lib.netrt_train_step(self._t, args, len(self.model.inputs),
                                      float(lr), out, err, _ERR_SIZE):
            raise Error(err.value.decode(errors="replace"))
        del keep
        return {n: float(out[i]) for i, n in enumerate(self.losses)}

    @property
    def steps(self):
        return int(self._lib.netrt_trainer_steps(self._t))

    def param(self, name):
        """A copy of parameter `name`'s current value."""
        info = _TensorInfo()
        p = self._lib.netrt_trainer_param(self._t, name.encode(),
                                          ctypes.byref(info))
        if not p:
            raise Error("no parameter '%s'" % name)
        shape = tuple(info.shape[d] for d in range(info.rank))
        return np.ctypeslib.as_array(p, shape=shape).copy()

    def save(self, path):
        err = ctypes.create_string_buffer(_ERR_SIZE)
        if self._lib.netrt_trainer_save(self._t, os.fsencode(os.fspath(path)),
                                        err, _ERR_SIZE):
            raise Error(err.value.decode(errors="replace"))

    def close(self):
        if self._t:
            self._lib.netrt_trainer_destroy(self._t)
            self._t = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
