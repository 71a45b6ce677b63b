# GPU libraries in one process (issue 13): two --target=opencl models (run
# on PoCL) open side by side, each called from four threads at once on
# different batches, give exactly what serial calls give, and match their
# host builds; closing one leaves the other working (each library releases
# its own device allocations when closed), and a second open after a close
# works again.
# REQUIRES: numpy, opencl
# RUN: rm -rf %t && mkdir -p %t
# RUN: netc %examples/lenet5.net --target=opencl -o %t/ocl/liblenet5.so
# RUN: netc %S/../Tools/Inputs/gpu-ops.net --target=opencl -o %t/ocl/libgpuops.so
# RUN: netc %examples/lenet5.net -o %t/host/liblenet5.so
# RUN: netc %S/../Tools/Inputs/gpu-ops.net -o %t/host/libgpuops.so
# RUN: %python %s %t | FileCheck %s
import os
import sys
import threading

import numpy as np
import netrt

d = sys.argv[1]
rng = np.random.RandomState(0)
shapes = {"lenet5": (1, 32, 32), "gpuops": (3, 16, 16)}
out = {"lenet5": "probs", "gpuops": "p"}
batches = {k: [rng.randn(b, *s).astype(np.float32) for b in (1, 2, 3, 5)]
           for k, s in shapes.items()}


def run(m, name, xs):
    return [m.forward(x=x)[out[name]] for x in xs]


gpu = {k: netrt.Model(os.path.join(d, "ocl", f"lib{k}.so")) for k in shapes}
host = {k: netrt.Model(os.path.join(d, "host", f"lib{k}.so")) for k in shapes}
serial = {k: run(gpu[k], k, batches[k]) for k in shapes}
for k in shapes:
    want = run(host[k], k, batches[k])
    err = max(float(np.abs(a - b).max() / np.abs(b).max())
              for a, b in zip(serial[k], want))
    print(k, "opencl vs host max rel err below 1e-4:", err < 1e-4)
# CHECK: lenet5 opencl vs host max rel err below 1e-4: True
# CHECK: gpuops opencl vs host max rel err below 1e-4: True

results, errors = {}, []


def worker(k, t):
    try:
        for _ in range(3):
            got = run(gpu[k], k, batches[k])
            if any(not np.array_equal(a, b) for a, b in zip(got, serial[k])):
                errors.append(f"{k} thread {t}: differs from the serial run")
    except Exception as e:  # noqa: BLE001 - reported below
        errors.append(f"{k} thread {t}: {e}")


threads = [threading.Thread(target=worker, args=(k, t))
           for k in shapes for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads:", errors or "all equal to the serial runs")
# CHECK: threads: all equal to the serial runs

gpu["gpuops"].close()
again = run(gpu["lenet5"], "lenet5", batches["lenet5"])
print("lenet5 after closing gpuops:",
      all(np.array_equal(a, b) for a, b in zip(again, serial["lenet5"])))
# CHECK: lenet5 after closing gpuops: True
m = netrt.Model(os.path.join(d, "ocl", "libgpuops.so"))
print("gpuops reopened:",
      all(np.array_equal(a, b)
          for a, b in zip(run(m, "gpuops", batches["gpuops"]), serial["gpuops"])))
# CHECK: gpuops reopened: True
