"""Fashion-MNIST (Xiao et al. 2017) as numpy arrays, read from Debian's
dataset-fashion-mnist package (idx files, gzip; scripts/setup installs it).

    import fashion_mnist as fm
    x, y = fm.load("test")            # x f32 [10000, 1, 28, 28] in [0, 1],
                                      # y i32 [10000] (class 0..9)
    x, y = fm.load("train", count=500)

The images are the pixel values / 255, nothing else: the models in
examples/fashion/ are trained on exactly this input.
"""

import gzip
import os
import struct

import numpy as np

DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
           "Shirt", "Sneaker", "Bag", "Ankle boot")
_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
          "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


class Missing(RuntimeError):
    """The dataset is not installed."""


def available():
    return all(os.path.exists(os.path.join(DIR, f))
               for pair in _FILES.values() for f in pair)


def _read_idx(path, rank):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    # idx magic: 0x00 0x00 <type 0x08 = u8> <rank>
    if magic != 0x0800 | rank:
        raise ValueError(f"{path}: not an idx file of rank {rank} of u8 "
                         f"(magic {magic:#x})")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {arr.size} bytes for dims {dims}")
    return arr.reshape(dims)


def load(split, count=None, start=0):
    """(images f32 [n, 1, 28, 28] in [0, 1], labels i32 [n]) of the split
    'train' (60,000) or 'test' (10,000), from `start`, at most `count`."""
    if split not in _FILES:
        raise ValueError(f"unknown split {split!r} (train or test)")
    if not available():
        raise Missing(f"Fashion-MNIST is not installed in {DIR} "
                      f"(apt-get install dataset-fashion-mnist)")
    img_file, lab_file = (os.path.join(DIR, f) for f in _FILES[split])
    images = _read_idx(img_file, 3)
    labels = _read_idx(lab_file, 1)
    end = len(labels) if count is None else min(len(labels), start + count)
    x = images[start:end].astype(np.float32)[:, None] / np.float32(255)
    return np.ascontiguousarray(x), labels[start:end].astype(np.int32)
