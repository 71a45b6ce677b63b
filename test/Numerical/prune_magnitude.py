# netc --prune=magnitude:S against PyTorch with its weights pruned by the
# same rule (tools.md, "Compression": the floor(S * numel) entries of
# smallest |w| of every conv/deconv/fc weight become zero, ties by the lower
# flat index; biases and batchnorm untouched), in numpy (helpers/pruning.py). netc
# gets the unpruned weights and prunes them itself, before folding
# batchnorm. Models: the three Fashion-MNIST models with their trained
# weights (examples/fashion/) and the ImageNet zoo (torchvision, random
# weights, realistic batchnorm statistics) at 224x224, batch 1 (batch 2 for
# the small ones), -O2. resnet18 also checks --prune-skip=conv1,fc: only the
# stem conv and the classifier stay dense ("conv1" does not match
# "layer1.0.conv1"); mobilenet_v1 at S=0.9 skips its first conv and
# classifier. -O2 picks sparse kernels for most pruned layers here
# (net-sparse's cost model), so this also checks them on real shapes. Tolerance: max relative error 1e-4 against PyTorch in
# float64.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples

import os
import sys

import numpy as np
import torch
import torchvision

import mobilenet_v1_torch
import netcompare as nc
from pruning import prune_model

tmp, examples = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(examples, "fashion"))
import train as fashion  # noqa: E402  (the PyTorch models of examples/fashion)
from safetensors_np import load_safetensors  # noqa: E402

chk = nc.Checker("prune-magnitude")
nc.seed(0)
def check(name, net, model, weights, x, s, skip=()):
    flags = ["-O2", f"--prune=magnitude:{s}"]
    if skip:
        flags.append("--prune-skip=" + ",".join(skip))
    so = os.path.join(tmp, name, f"lib{name}.so")
    try:
        nc.compile_net(net, so, weights, flags)
    except nc.ToolError as e:
        chk.fail(f"{name} compile {' '.join(flags)}", str(e))
        return
    n = prune_model(model, s, skip)
    want = {"logits": nc.torch_eval(model, x)}
    got = nc.run_so(so, {"x": x}, os.path.join(tmp, name, "out"))
    label = f"{name} S={s}" + (f" skip={','.join(skip)}" if skip else "")
    print(f"{label}: {n} weight tensors pruned in PyTorch")
    chk.compare_outputs(label, {"logits": got["logits"]}, want)


# The Fashion-MNIST models, trained weights, real-looking inputs in [0, 1].
for short in ("lenet5", "resnet", "mobilenet"):
    name = f"{short}_fmnist"
    net = os.path.join(examples, "fashion", f"{name}.net")
    wfile = os.path.join(examples, "fashion", f"{name}.safetensors")
    model = fashion.build(short)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in
                           load_safetensors(wfile).items()})
    x = np.random.rand(2, 1, 28, 28).astype(np.float32)
    check(name, net, model.eval(), wfile, x, 0.8)


def zoo(name, ctor, s, skip=(), fc_scale=1.0):
    model = nc.calibrate_batchnorm(ctor(), nc.randn(2, 3, 224, 224))
    if fc_scale != 1.0:  # keeps resnet50's random logits O(10) (resnet.py)
        with torch.no_grad():
            model.fc.weight.mul_(fc_scale)
            model.fc.bias.mul_(fc_scale)
    w = nc.export_weights(model, os.path.join(tmp, name + ".safetensors"))
    check(name, os.path.join(examples, name + ".net"), model, w,
          nc.randn(1, 3, 224, 224), s, skip)


zoo("resnet18", torchvision.models.resnet18, 0.7, skip=("conv1", "fc"))
zoo("resnet50", torchvision.models.resnet50, 0.8, fc_scale=0.05)
zoo("mobilenet_v2", torchvision.models.mobilenet_v2, 0.5)
zoo("googlenet", lambda: torchvision.models.googlenet(
    aux_logits=False, init_weights=True, transform_input=False), 0.6)
zoo("vgg16", torchvision.models.vgg16, 0.9)
zoo("alexnet", torchvision.models.alexnet, 0.9)
zoo("densenet121", torchvision.models.densenet121, 0.5)
# The sparse-kernel benchmark's case: most 1x1 convolutions go sparse.
zoo("mobilenet_v1", mobilenet_v1_torch.make, 0.9, skip=("features.0", "fc"))

chk.finish()
