"""The numpy reference of bench/spiral-train.ts: the book's chapter-1 training in plain numpy.

Two-layer net (Affine -> Sigmoid -> Affine -> SoftmaxWithLoss) on the spiral data set, SGD with
learning rate 1.0, 300 epochs of 10 minibatches of 30 (3,000 steps), hidden size 10, float32
throughout. The layers are written out with their backward rules, as the book's numpy code does.
The loop reads each step's loss as a Python float, as the book's loop does (total_loss += loss).

It times the training loop itself (after one untimed warm-up run) and prints one JSON line:
{"seconds": median, "samples": [...], "final_loss": ..., "steps": 3000, "numpy": version, "clock": ...}.
The clock is the process's CPU time (time.process_time), as bench/harness.ts's 'cpu' clock, so
that time slices lost to other processes on a shared machine do not count; --wall for elapsed time.

    python3 bench/spiral_train.py [--runs 5] [--epochs 300] [--wall]
"""
import argparse
import json
import time

import numpy as np

F32 = np.float32


def spiral(rng, per_class=100, classes=3):
    """The book's spiral: radius i/N, angle 4j + 4r + 0.2 n, one-hot targets."""
    n = per_class * classes
    x = np.zeros((n, 2), dtype=F32)
    t = np.zeros((n, classes), dtype=F32)
    for j in range(classes):
        for i in range(per_class):
            rate = i / per_class
            theta = j * 4.0 + 4.0 * rate + rng.standard_normal() * 0.2
            k = per_class * j + i
            x[k] = (rate * np.sin(theta), rate * np.cos(theta))
            t[k, j] = 1
    return x, t


def train(x, t, rng, epochs, batch=30, hidden=10, lr=F32(1.0)):
    """Returns the mean loss of the last 10 iterations."""
    W1 = (F32(0.01) * rng.standard_normal((2, hidden))).astype(F32)
    b1 = np.zeros(hidden, dtype=F32)
    W2 = (F32(0.01) * rng.standard_normal((hidden, 3))).astype(F32)
    b2 = np.zeros(3, dtype=F32)
    n = len(x)
    iters = n // batch
    total = 0.0
    count = 0
    last = float('nan')
    for _epoch in range(epochs):
        idx = rng.permutation(n)
        xs = x[idx]
        ts = t[idx]
        for it in range(iters):
            bx = xs[it * batch:(it + 1) * batch]
            bt = ts[it * batch:(it + 1) * batch]
            # forward: Affine, Sigmoid, Affine, SoftmaxWithLoss (stable softmax, the book's 1e-7)
            h = bx @ W1 + b1
            s = F32(1) / (F32(1) + np.exp(-h))
            a = s @ W2 + b2
            e = np.exp(a - a.max(axis=1, keepdims=True))
            y = e / e.sum(axis=1, keepdims=True)
            loss = -np.sum(bt * np.log(y + F32(1e-7))) / F32(batch)
            # backward: (y - t) / N, Affine, Sigmoid, Affine
            da = (y - bt) / F32(batch)
            dW2 = s.T @ da
            db2 = da.sum(axis=0)
            ds = da @ W2.T
            dh = ds * s * (F32(1) - s)
            dW1 = bx.T @ dh
            db1 = dh.sum(axis=0)
            # SGD
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
            total += float(loss)
            count += 1
            if (it + 1) % 10 == 0:
                last = total / count
                total = 0.0
                count = 0
    assert W1.dtype == F32 and W2.dtype == F32 and b1.dtype == F32 and b2.dtype == F32
    return last


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--epochs', type=int, default=300)
    parser.add_argument('--wall', action='store_true')
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    rng = np.random.default_rng(1984)
    x, t = spiral(rng)
    train(x, t, rng, args.epochs)  # warm-up
    samples = []
    final = float('nan')
    for _ in range(args.runs):
        start = clock()
        final = train(x, t, rng, args.epochs)
        samples.append(clock() - start)
    print(json.dumps({
        'seconds': float(np.median(samples)),
        'samples': samples,
        'final_loss': final,
        'steps': args.epochs * (len(x) // 30),
        'numpy': np.__version__,
        'clock': 'wall' if args.wall else 'cpu',
    }))


if __name__ == '__main__':
    main()
