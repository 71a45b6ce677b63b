# A stand-in for ../shared/peers/peers.py with fixed times, so bench.test
# can check how netc-bench reads the three peers and picks the best.
import sys

MODELS = {"lenet5": None}

if __name__ == "__main__":
    print("pytorch  lenet5         batch 1  median_ms=     5.00 min_ms=     4.00")
    print("ort      lenet5         batch 1  median_ms=  1000.00 min_ms=   900.00 reldiff=1.0e-07")
    print("opencv   lenet5         batch 1  median_ms=  2000.00 min_ms=  1900.00")
