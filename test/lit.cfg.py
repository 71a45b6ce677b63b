# -*- Python -*- lit configuration of netc's regression tests.
import os
import shutil

import lit.formats

config.name = "netc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".net", ".mlir", ".test", ".py"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt",
                   "Unit", "helpers"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.netc_obj_root, "test")

# Tools under test first, then LLVM 19's FileCheck/not/count.
config.environment["PATH"] = os.pathsep.join(
    [config.netc_tools_dir, config.llvm_tools_dir,
     config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PYTHONPATH"] = os.pathsep.join(
    [os.path.join(config.netc_src_root, "runtime", "python"),
     os.path.join(config.netc_src_root, "tools"),
     os.path.join(config.netc_src_root, "test", "helpers")])
config.environment["NETRT_LIB"] = os.path.join(config.netc_obj_root, "lib",
                                               "libnetrt.so")

# Kernels compiled by one test are reused by the next with the same
# signature (the -O0/-O2 pairs, the small models many tests build).
config.environment["NETC_CACHE_DIR"] = os.path.join(config.netc_obj_root,
                                                    "test", "kernel-cache")

config.substitutions.append(("%python", config.python3))
config.substitutions.append(("%examples",
                             os.path.join(config.netc_src_root, "examples")))
config.substitutions.append(("%helpers",
                             os.path.join(config.netc_src_root, "test",
                                          "helpers")))

# The PyTorch oracle lives in Debian's python3-torch (architecture.md).
# Tests that need it say `REQUIRES: torch`; without it lit reports them
# UNSUPPORTED, loudly, rather than passing them.
def _has_module(mod):
    import subprocess
    return subprocess.call([config.python3, "-c", "import " + mod],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0

if _has_module("torch"):
    config.available_features.add("torch")
else:
    lit_config.warning("python3-torch is missing: PyTorch comparisons will be "
                       "UNSUPPORTED (run scripts/setup)")
if _has_module("numpy"):
    config.available_features.add("numpy")
# scikit-image's bundled images (Debian's python3-skimage) for the style
# transfer run: `REQUIRES: skimage`.
if _has_module("skimage.data"):
    config.available_features.add("skimage")
else:
    lit_config.warning("python3-skimage is missing: the style transfer run "
                       "will be UNSUPPORTED (run scripts/setup)")

# The CPU's vector extensions, for the tests that run code for a target
# (`REQUIRES: avx512`, `REQUIRES: avx512-vnni`).
try:
    with open("/proc/cpuinfo") as _f:
        _flags = next((l.split(":", 1)[1].split() for l in _f
                       if l.startswith("flags")), [])
except OSError:
    _flags = []
if "avx512f" in _flags and "avx512bw" in _flags:
    config.available_features.add("avx512")
else:
    lit_config.warning("this CPU has no AVX-512: tests that run "
                       "--target=x86-64-avx512 code will be UNSUPPORTED")
if "avx512_vnni" in _flags:
    config.available_features.add("avx512-vnni")
else:
    lit_config.warning("this CPU has no AVX-512 VNNI: tests that run "
                       "--target=x86-64-avx512-vnni code will be UNSUPPORTED")

# Fashion-MNIST (Debian's dataset-fashion-mnist, installed by scripts/setup)
# for the accuracy tests: `REQUIRES: fashion-mnist`.
_fm = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
if os.path.exists(os.path.join(_fm, "t10k-images-idx3-ubyte.gz")):
    config.available_features.add("fashion-mnist")
    config.environment["FASHION_MNIST_DIR"] = _fm
else:
    lit_config.warning("dataset-fashion-mnist is missing: the accuracy tests "
                       "will be UNSUPPORTED (run scripts/setup)")

# ONNX Runtime (onnxruntime-node, installed by scripts/setup through
# ../shared/peers/peers.py --install-only) for the per-layer comparison.
_ort = os.path.join(os.environ.get("NETC_PEERS_CACHE",
                                   os.path.expanduser("~/.cache/netc-peers")),
                    "node_modules", "onnxruntime-node")
import shutil as _shutil
if os.path.isdir(_ort) and _shutil.which("node"):
    config.available_features.add("ort")
    config.environment["NETC_PEERS_CACHE"] = os.path.dirname(os.path.dirname(_ort))
else:
    lit_config.warning("onnxruntime-node is missing: the ONNX Runtime "
                       "comparisons will be UNSUPPORTED (run scripts/setup)")


# GPU targets without a GPU (issue 13): `REQUIRES: opencl` runs
# --target=opencl libraries on PoCL (Debian's pocl-opencl-icd, on the CPU;
# Halide dlopens libOpenCL.so from ocl-icd-opencl-dev), `REQUIRES: ptxas`
# assembles --target=cuda PTX with the CUDA toolkit's ptxas.
if (os.path.exists("/etc/OpenCL/vendors/pocl.icd") and
        any(os.path.exists(os.path.join(d, "libOpenCL.so"))
            for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/local/lib"))):
    config.available_features.add("opencl")
    # PoCL compiles each kernel once and keeps it here.
    config.environment["POCL_CACHE_DIR"] = os.path.join(
        config.test_exec_root, "pocl-cache")
else:
    lit_config.warning("PoCL or libOpenCL.so is missing: the --target=opencl "
                       "runs will be UNSUPPORTED (run scripts/setup)")
# A machine with an NVIDIA GPU and driver: the no-device tests do not apply.
if os.path.exists("/dev/nvidiactl"):
    config.available_features.add("cuda-device")
_ptxas = os.environ.get("PTXAS", "/usr/local/cuda/bin/ptxas")
if os.path.exists(_ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))
else:
    lit_config.warning("ptxas (the CUDA toolkit, /usr/local/cuda) is missing: "
                       "the PTX assembly checks will be UNSUPPORTED")
