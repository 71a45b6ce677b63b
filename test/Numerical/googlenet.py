# examples/googlenet.net against torchvision.models.googlenet(
# aux_logits=False, init_weights=True, transform_input=False) in eval mode
# (BatchNorm statistics measured on random images, then perturbed), whose
# state_dict is exported unchanged (torchvision's own names;
# num_batches_tracked is ignored by netc). Compiled once at -O2 and once at -O0 (N is a
# run-time dim), run at 224x224 at batch 1 and 2, and compared with PyTorch
# in float64. Tolerance: max relative error 1e-4. Also checks that net-run
# rejects an input of the wrong shape with an error naming the expected one.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/googlenet.net

import sys

import torchvision

import zoo_check


tmp, net = sys.argv[1], sys.argv[2]
zoo_check.check_image_classifier(
    "googlenet", torchvision.models.googlenet(aux_logits=False, init_weights=True,
                                     transform_input=False), net, tmp)
