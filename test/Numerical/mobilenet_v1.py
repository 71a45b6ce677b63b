# examples/mobilenet_v1.net against the PyTorch MobileNetV1 of
# helpers/mobilenet_v1_torch.py (torchvision
# has none; He-normal init, BatchNorm statistics measured on random images,
# then perturbed), whose state_dict is exported unchanged
# (num_batches_tracked is ignored by netc). Compiled once at -O2 and once at -O0 (N is a
# run-time dim), run at 224x224 at batch 1 and 2, and compared with PyTorch
# in float64. Tolerance: max relative error 1e-4. Also checks that net-run
# rejects an input of the wrong shape with an error naming the expected one.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/mobilenet_v1.net

import sys

import mobilenet_v1_torch
import netcompare as nc
import zoo_check


tmp, net = sys.argv[1], sys.argv[2]
nc.seed(0)
model = mobilenet_v1_torch.make()
zoo_check.check_image_classifier("mobilenet_v1", model, net, tmp)
