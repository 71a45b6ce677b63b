# Mutation fuzzing of the front end: thousands of damaged .net files (bytes
# flipped, dropped, duplicated; tokens spliced from other files) must each
# end in exit status 0 or 1 with diagnostics, never a crash, hang or
# sanitizer-style abort. Deterministic (fixed seed), so a failure replays.
# RUN: %python %s %t
import os
import random
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SEEDS = [os.path.join(ROOT, "examples", f) for f in sorted(
    os.listdir(os.path.join(ROOT, "examples"))) if f.endswith(".net")]
TOKENS = [b"(", b")", b"[", b"]", b"{", b"}", b",", b"=", b"|>", b"+", b"-",
          b"*", b"/", b":", b"\n", b"\"", b"#", b"block b(x, n: int) {",
          b"return x", b"repeat(3, b, x)", b"as \"p\"", b"conv(x, 4, kernel=3)",
          b"input y: i32[N]", b"1e400", b"-0", b"99999999999", b"\x00", b"\xff",
          b"output", b"loss", b"network", b"import \"nope.net\"", b"N"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            del data[pos:pos + rng.randint(1, 8)]
        elif op == 1:
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and data:
            i = rng.randrange(len(data))
            data[i] = rng.randrange(256)
        elif op == 3 and data:
            j = rng.randrange(len(data))
            data[pos:pos] = data[j:j + rng.randint(1, 40)]
        else:
            data = data[:pos]
    return bytes(data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261121)
    seeds = [open(p, "rb").read() for p in SEEDS]
    n = int(os.environ.get("NETC_FUZZ_ITERS", "400"))
    counts = {0: 0, 1: 0}
    for i in range(n):
        data = mutate(rng, rng.choice(seeds))
        path = os.path.join(out, "case.net")
        with open(path, "wb") as f:
            f.write(data)
        try:
            r = subprocess.run(["netc", path, "--emit=net"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=20)
        except subprocess.TimeoutExpired:
            keep = os.path.join(out, "hang-%d.net" % i)
            os.rename(path, keep)
            sys.exit("netc hung on %s" % keep)
        if r.returncode not in (0, 1) or b"Stack dump" in r.stderr:
            keep = os.path.join(out, "crash-%d.net" % i)
            os.rename(path, keep)
            sys.exit("netc exited with %d on %s:\n%s" %
                     (r.returncode, keep, r.stderr.decode(errors="replace")))
        if r.returncode == 1 and b"error:" not in r.stderr:
            sys.exit("exit 1 without a diagnostic on case %d" % i)
        counts[r.returncode] += 1
    print("fuzz: %d cases, %d accepted, %d rejected with diagnostics" %
          (n, counts[0], counts[1]))


main()
