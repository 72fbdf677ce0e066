"""numpy reference for bench/matmul.ts: float32 a @ b (transposes as views, as BLAS takes them).

Reads the cases as JSON from argv[1] ([{"name", "m", "k", "n", "ta", "tb"}, ...]), times each (a
warm-up, then the median of --runs runs of enough calls to take ~50 ms) and prints one JSON object
{name: milliseconds per call} as its last line. The thread count is the caller's business
(OPENBLAS_NUM_THREADS=1 for one thread). --clock cpu times with the process's CPU time (for one
thread on a shared machine: time slices lost to other processes do not count), else wall time.
"""
import json
import sys
import time

import numpy as np


CLOCK = time.perf_counter


def timed(fn, runs):
    fn()
    inner = 1
    while True:
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > 0.05 or inner >= 1 << 20:
            break
        inner *= 4
    samples = []
    for _ in range(runs):
        start = CLOCK()
        for _ in range(inner):
            fn()
        samples.append((CLOCK() - start) / inner * 1e3)
    return float(np.median(samples))


def main():
    global CLOCK
    if "--clock" in sys.argv and sys.argv[sys.argv.index("--clock") + 1] == "cpu":
        CLOCK = time.process_time
    cases = json.loads(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    rng = np.random.default_rng(0)
    out = {}
    for c in cases:
        m, k, n = c["m"], c["k"], c["n"]
        a = rng.standard_normal((k, m) if c["ta"] else (m, k)).astype(np.float32)
        b = rng.standard_normal((n, k) if c["tb"] else (k, n)).astype(np.float32)
        left = a.T if c["ta"] else a
        right = b.T if c["tb"] else b
        out[c["name"]] = timed(lambda: left @ right, runs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
