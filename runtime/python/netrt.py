"""Run models compiled by netc from Python (ctypes + numpy over libnetrt).

    import netrt
    m = netrt.Model('out/liblenet5.so')
    m.inputs        # [('x', dtype('float32'), (-1, 1, 32, 32)), ...]
    m.forward(x=images)                  # {'probs': ndarray (N, 10)}
    m.loss(x=images, label=labels)       # {'ce': 0-d ndarray}
    m.backward(x=images, label=labels)   # {'c1.weight': ..., 'x': ...}

A dim of -1 in a shape is the symbolic batch N. Every failure (a bad library,
a wrong input name, dtype or shape, an error inside the model) raises
netrt.Error with libnetrt's message.

libnetrt.so is found through the environment variable NETRT_LIB, else next to
this file, in the directory above it, or in the build/lib of the source tree.
"""

import ctypes
import os

import numpy as np

__all__ = ["Error", "Model"]

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
        names = [n for n, _, _ in self.inputs]
        for key in inputs:
            if key not in names:
                raise Error("model '%s' has no input '%s' (its inputs: %s)" %
                            (self.name, key, ", ".join(names) or "none"))
        n = len(names)
        args = (_Tensor * max(n, 1))()
        keep = []  # the arrays must outlive the call
        for i, name in enumerate(names):
            if name not in inputs:
                continue  # data = NULL: libnetrt says whether that is fine
            arr = self._convert(i, inputs[name])
            keep.append(arr)
            args[i].data = arr.ctypes.data
            args[i].dtype = _F32 if arr.dtype == np.float32 else _I32
            args[i].rank = arr.ndim
            for d, size in enumerate(arr.shape):
                args[i].shape[d] = size

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
