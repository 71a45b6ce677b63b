"""Writes a .safetensors file for Inputs/weights-net.net, good or broken.

usage: make_weights.py MODE OUT.safetensors
MODE: good | lacking | shape | dtype-i64 | unused | corrupt | truncated |
      short
"""
import struct
import sys

import numpy as np
from safetensors_np import save_safetensors

mode, out = sys.argv[1], sys.argv[2]
f32 = np.float32
tensors = {
    "c1.weight": np.ones((2, 1, 3, 3), f32),
    "c1.bias": np.zeros(2, f32),
    "y.weight": np.ones((3, 72), f32),
    "y.bias": np.zeros(3, f32),
}
if mode == "lacking":
    del tensors["y.bias"]
    del tensors["c1.weight"]
elif mode == "shape":
    tensors["c1.bias"] = np.zeros(3, f32)
    tensors["y.weight"] = np.zeros((72, 3), f32)
elif mode == "dtype-i64":
    tensors["y.bias"] = np.zeros(3, np.int64)
elif mode == "unused":
    tensors["extra.weight"] = np.zeros(4, f32)
    tensors["c1.num_batches_tracked"] = np.zeros((), np.int64)
elif mode != "good" and mode not in ("corrupt", "truncated", "short"):
    sys.exit("unknown mode " + mode)

if mode == "corrupt":
    # A plausible header length followed by bytes that are not JSON.
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", 16) + b"not json at all!" + b"\0" * 64)
elif mode == "truncated":
    save_safetensors(out, tensors)
    with open(out, "rb") as f:
        data = f.read()
    with open(out, "wb") as f:
        f.write(data[:-20])  # cut into the last tensor's bytes
elif mode == "short":
    with open(out, "wb") as f:
        f.write(b"\x10\x00\x00")  # less than the 8-byte header length
else:
    save_safetensors(out, tensors)
