# examples/densenet121.net against torchvision.models.densenet121() in eval
# mode (BatchNorm statistics measured on random images, then perturbed),
# whose state_dict is exported unchanged (torchvision's own names;
# num_batches_tracked is ignored by netc). Compiled once at -O2 and once at
# -O0 (N is a run-time dim), run at 224x224 at batch 1 and 2, and compared
# with PyTorch in float64. Tolerance: max relative error 1e-4. Also checks
# that net-run rejects an input of the wrong shape with an error naming the
# expected one. With random weights DenseNet's logits vary less between
# images than the other models' (the final batchnorm and average pool over
# 1024 channels): the spread check asks for 2% rather than 5%.
#
# REQUIRES: torch
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t %examples/densenet121.net
import sys

import torchvision

import zoo_check

tmp, net = sys.argv[1], sys.argv[2]
zoo_check.check_image_classifier("densenet121", torchvision.models.densenet121(),
                                 net, tmp, min_spread=0.02)
