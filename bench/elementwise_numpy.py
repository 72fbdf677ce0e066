"""numpy reference for bench/elementwise.ts: float32 add (with a new output, as a + b) and the book's
sigmoid 1 / (1 + np.exp(-x)), on the sizes given as JSON in argv[1] ([{"name", "rows", "cols",
"bias"}, ...]; bias: b is one row broadcast down the rows). Times each (a warm-up, then the median
of --runs runs of enough calls to take ~50 ms) and prints {name: {"add": ms, "sigmoid": ms}} as its
last line. --clock cpu times with the process's CPU time (time slices lost to other processes on
a shared machine do not count), else wall time.
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


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def main():
    global CLOCK
    if "--clock" in sys.argv and sys.argv[sys.argv.index("--clock") + 1] == "cpu":
        CLOCK = time.process_time
    cases = json.loads(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    rng = np.random.default_rng(0)
    out = {}
    with np.errstate(over="ignore"):
        for c in cases:
            shape = (c["rows"], c["cols"])
            a = rng.standard_normal(shape).astype(np.float32)
            b = rng.standard_normal((c["cols"],) if c["bias"] else shape).astype(np.float32)
            out[c["name"]] = {"add": timed(lambda: a + b, runs), "sigmoid": timed(lambda: sigmoid(a), runs)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
