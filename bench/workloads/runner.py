"""Runs one workload of bench/workloads.ts in PyTorch or in the book's numpy, and times it.

    python3 bench/workloads/runner.py <module> <torch|numpy> <data dir> --steps N --warmup W
        --group G [--threads 1] [--clock cpu|wall]

<module> is a Python module beside this file (spiral, mlp, ...) with `torch_runner(data, config)`
and `numpy_runner(data, config)`, each returning an object with `step(i)` (runs step i on minibatch
i, returns its loss as a float, or None) and, where `step` returns None, `finish()` (a check value
computed from the last step's outputs with `probe`). The data directory holds what
bench/workloads/workload.ts's `writeData` wrote: the initial weights and every minibatch.

The BLAS threads are the caller's business (OPENBLAS_NUM_THREADS, read when the library loads);
torch's own intra-op threads are set here with torch.set_num_threads. Prints one JSON object as
its last line of stdout (see `main`).
"""
import argparse
import ctypes
import importlib
import json
import os
import re
import resource
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_data(directory):
    """The arrays (name -> ndarray) and the config that workload.ts's writeData wrote."""
    with open(os.path.join(directory, 'manifest.json')) as f:
        manifest = json.load(f)
    arrays = {}
    for name, spec in manifest['arrays'].items():
        dtype = np.float32 if spec['dtype'] == 'float32' else np.int32
        values = np.fromfile(os.path.join(directory, spec['file']), dtype=dtype)
        arrays[name] = values.reshape(spec['shape'])
    return arrays, manifest['config']


def probe(outputs):
    """workload.ts's probe: sum over outputs of sum_k (1 + k mod 7) * v_k^2, in float64."""
    total = 0.0
    for values in outputs:
        v = np.asarray(values, dtype=np.float64).ravel()
        weights = 1.0 + (np.arange(v.size) % 7)
        total += float(np.dot(weights, v * v))
    return total


def _status_kib(key):
    with open('/proc/self/status') as f:
        match = re.search(key + r':\s+(\d+) kB', f.read())
    return int(match.group(1)) if match else None


def reset_peak_rss():
    """Resets the kernel's peak-RSS mark (Linux: 5 > /proc/self/clear_refs); returns how the peak will be read."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return 'VmHWM'
    except OSError:
        return 'maxrss'


def rss_bytes():
    kib = _status_kib('VmRSS')
    return None if kib is None else kib * 1024


def peak_rss_bytes(method):
    if method == 'VmHWM':
        return _status_kib('VmHWM') * 1024
    # ru_maxrss is the peak over the process's life, in KiB on Linux: a delta against it is a lower bound.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def blas_in_use():
    """The BLAS library mapped into this process, and OpenBLAS's own description of its build where it has one."""
    paths = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ''
            if re.search(r'blas|mkl', os.path.basename(path), re.I):
                paths.add(path)
    for path in sorted(paths):
        if 'openblas' in path.lower():
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_config.restype = ctypes.c_char_p
                return 'OpenBLAS ' + lib.openblas_get_config().decode().split(' ')[1]
            except (OSError, AttributeError, IndexError):
                return 'OpenBLAS'
    for path in sorted(paths):
        if '/blas/' in path:
            return 'reference BLAS (slow: install libopenblas0-pthread)'
    return ', '.join(os.path.basename(p) for p in sorted(paths)) or 'none loaded'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('module')
    parser.add_argument('framework', choices=['torch', 'numpy'])
    parser.add_argument('data')
    parser.add_argument('--steps', type=int, required=True)
    parser.add_argument('--warmup', type=int, required=True)
    parser.add_argument('--group', type=int, default=1)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--clock', choices=['cpu', 'wall'], default='cpu')
    args = parser.parse_args()

    sys.path.insert(0, HERE)
    module = importlib.import_module(args.module)
    arrays, config = load_data(args.data)
    if args.framework == 'torch':
        import torch

        torch.set_num_threads(args.threads)
        version = torch.__version__
        runner = module.torch_runner(arrays, config)
    else:
        version = np.__version__
        runner = module.numpy_runner(arrays, config)

    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    method = reset_peak_rss()
    rss0 = rss_bytes()
    samples = []
    cpu_samples = []
    losses = []
    i = 0
    while i < args.steps:
        n = 1 if i < args.warmup else min(args.group, args.steps - i)
        start, cpu_start = clock(), time.process_time()
        for _ in range(n):
            losses.append(runner.step(i))
            i += 1
        if i > args.warmup:
            samples.append((clock() - start) / n * 1000)
            cpu_samples.append((time.process_time() - cpu_start) / n * 1000)
    peak = peak_rss_bytes(method) - rss0
    final = runner.finish() if hasattr(runner, 'finish') else losses[-1]
    print(json.dumps({
        'version': version,
        'blas': blas_in_use(),
        'threads': args.threads,
        'clock': args.clock,
        'samples': samples,
        'cpuMedian': statistics.median(cpu_samples),
        'final': final,
        'losses': [l for l in losses if l is not None],
        'peakRss': peak,
        'rssMethod': method,
    }))


if __name__ == '__main__':
    main()
