# The style transfer run (examples/style_transfer_run.py, netc --train's
# gradient w.r.t. the generated image, Adam on it) against PyTorch from
# the same start for 5 steps: the loss falls at every step and the image
# matches PyTorch's to 1e-3 (the script exits 1 otherwise).
#
# REQUIRES: torch, skimage
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t

import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
script = os.path.join(here, "..", "..", "examples", "style_transfer_run.py")
netc = os.path.join(os.environ.get("NETC_BIN_DIR", ""), "netc") \
    if os.environ.get("NETC_BIN_DIR") else "netc"
p = subprocess.run([sys.executable, script, "--steps", "5", "--out", sys.argv[1],
                    "--netc", netc], stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)
print(p.stdout)
ok = p.returncode == 0 and "falls at every logged step: yes" in p.stdout \
    and all(os.path.isfile(os.path.join(sys.argv[1], f))
            for f in ("content.png", "style.png", "start.png", "netc-5-steps.png"))
print("ok" if ok else "FAIL: the style transfer run failed")
sys.exit(0 if ok else 1)
