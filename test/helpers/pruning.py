"""tools.md's magnitude-pruning rule ("Compression") in numpy and on PyTorch
models: the tests' independent version of netc's net-prune-magnitude."""

import math

import numpy as np

def prune_rule(w, s):
    """The floor(s * numel) entries of smallest |w| set to zero, ties by the
    lower flat index (C order = PyTorch layout); returns a new array."""
    flat = np.array(w).reshape(-1).copy()
    k = int(math.floor(s * flat.size))
    order = np.lexsort((np.arange(flat.size), np.abs(flat)))  # |w|, index
    flat[order[:k]] = 0
    return flat.reshape(np.shape(w))


def skipped(name, skip):
    """--prune-skip's match: the layer is a prefix or starts with one + '.'."""
    return any(name == p or name.startswith(p + ".") for p in skip)


def prune_model(model, s, skip=()):
    """Prunes every conv, deconv and linear weight of `model` in place;
    returns the number of tensors pruned."""
    import torch
    import torch.nn as nn
    kinds = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d,
             nn.ConvTranspose2d, nn.ConvTranspose3d, nn.Linear)
    n = 0
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, kinds) and not skipped(name, skip):
                m.weight.copy_(torch.from_numpy(
                    prune_rule(m.weight.detach().numpy(), s)))
                n += 1
    return n
