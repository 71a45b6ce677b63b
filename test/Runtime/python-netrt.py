# The Python module over libnetrt runs a compiled model: forward, loss, the
# descriptor, errors as netrt.Error, and calls from several threads at once
# on different buffers give the same answers as serial calls.
# REQUIRES: numpy
# RUN: rm -rf %t && mkdir -p %t
# RUN: netc %examples/lenet5.net -o %t/liblenet5.so
# RUN: %python %s %t/liblenet5.so | FileCheck %s
import sys
import threading

import numpy as np
import netrt

m = netrt.Model(sys.argv[1])
print("name", m.name)
# CHECK: name lenet5
print("inputs", [(n, str(d), s) for n, d, s in m.inputs])
# CHECK: inputs [('x', 'float32', (-1, 1, 32, 32)), ('label', 'int32', (-1,))]
print("outputs", [(n, s) for n, _, s in m.outputs], "losses",
      [(n, s) for n, _, s in m.losses])
# CHECK: outputs [('probs', (-1, 10))] losses [('ce', ())]

rng = np.random.default_rng(0)
xs = [rng.standard_normal((b, 1, 32, 32)).astype(np.float32) for b in (1, 2, 3, 5)]
serial = [m.forward(x=x)["probs"] for x in xs]
print("row sums", all(np.allclose(p.sum(axis=1), 1, atol=1e-5) for p in serial))
# CHECK: row sums True

# The loss of a batch equals -mean(log p[label]) of forward's probabilities.
label = np.array([1, 0, 7], np.int32)
ce = m.loss(x=xs[2], label=label)["ce"]
expect = -np.log(serial[2][np.arange(3), label]).mean()
print("loss matches forward", abs(float(ce) - expect) <= 1e-5 * abs(expect))
# CHECK: loss matches forward True

results = [None] * 16
def work(i):
    results[i] = m.forward(x=xs[i % 4])["probs"]
threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads agree", all(np.array_equal(results[i], serial[i % 4]) for i in range(16)))
# CHECK: threads agree True

try:
    m.forward(x=np.zeros((2, 3, 32, 32), np.float32))
except netrt.Error as e:
    print("error:", e)
# CHECK: error: {{.*}}f32[N, 1, 32, 32]
