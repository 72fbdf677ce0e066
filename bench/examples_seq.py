"""The book's chapter-7 and chapter-8 training scripts in numpy: the reference for examples/seq2seq and
examples/attention (their accuracy per epoch, and their seconds per epoch on the same machine).

    python3 bench/examples_seq.py <baseline|reversed|peeky|attention> <file.txt> [--epochs N]
        [--iters K] [--warmup W] [--eval-rows R]

The models are the book's `Seq2seq`, `PeekySeq2seq` (ch07) and `AttentionSeq2seq` (ch08) over the
book's layers as ported in bench/workloads/book_layers.py (its TimeEmbedding, TimeLSTM, TimeAffine,
TimeSoftmaxWithLoss, TimeAttention, Adam and clip_grads), trained as `ch07/train_seq2seq.py` and
`ch08/train.py` do: the data split as `dataset/sequence.py` splits it (numpy seed 1984, the last
tenth held out), weights drawn from numpy's global generator after that shuffle, batch 128, Adam
lr 0.001, gradients clipped to a norm of 5.0, each epoch a fresh `np.random.permutation`. After each
epoch the held-out rows are decoded greedily (the book's `generate`, for every row at once instead
of one row at a time: the same argmax per row) and scored by exact match.

`--iters K` stops each epoch after K iterations (a timing run); `--eval-rows R` scores only the first
R held-out rows (0: none). One JSON object per epoch on stdout: the epoch, the mean training loss,
the seconds of training (elapsed and process CPU time), the median milliseconds of an iteration
after the first `--warmup` (elapsed and CPU), the seconds of evaluation, and the accuracy.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'workloads'))
import book_layers as book  # noqa: E402  (found through the path above)


def load_data(path, seed=1984):
    """The book's dataset/sequence.py load_data: questions and answers split at '_', ids in order of appearance."""
    with open(path) as f:
        lines = [line.rstrip('\n') for line in f if line.strip('\n')]
    questions, answers = [], []
    for line in lines:
        at = line.find('_')
        questions.append(line[:at])
        answers.append(line[at:])
    char_to_id, id_to_char = {}, {}
    for q, a in zip(questions, answers):
        for c in q + a:
            if c not in char_to_id:
                char_to_id[c] = len(char_to_id)
                id_to_char[len(id_to_char)] = c
    x = np.array([[char_to_id[c] for c in q] for q in questions], dtype=np.int32)
    t = np.array([[char_to_id[c] for c in a] for a in answers], dtype=np.int32)
    indices = np.arange(len(x))
    np.random.seed(seed)
    np.random.shuffle(indices)
    x, t = x[indices], t[indices]
    split_at = len(x) - len(x) // 10
    return (x[:split_at], t[:split_at]), (x[split_at:], t[split_at:]), id_to_char


def randn(*shape, scale):
    return (np.random.randn(*shape) * scale).astype('f')


class Encoder:
    def __init__(self, V, D, H):
        self.embed = book.TimeEmbedding(randn(V, D, scale=0.01))
        self.lstm = book.TimeLSTM(randn(D, 4 * H, scale=1 / np.sqrt(D)), randn(H, 4 * H, scale=1 / np.sqrt(H)),
                                  np.zeros(4 * H, dtype='f'), stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.hs = None

    def forward(self, xs):
        self.hs = self.lstm.forward(self.embed.forward(xs))
        return self.hs[:, -1, :]

    def backward(self, dh):
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh
        self.embed.backward(self.lstm.backward(dhs))


class Decoder:
    def __init__(self, V, D, H):
        self.embed = book.TimeEmbedding(randn(V, D, scale=0.01))
        self.lstm = book.TimeLSTM(randn(D, 4 * H, scale=1 / np.sqrt(D)), randn(H, 4 * H, scale=1 / np.sqrt(H)),
                                  np.zeros(4 * H, dtype='f'), stateful=True)
        self.affine = book.TimeAffine(randn(H, V, scale=1 / np.sqrt(H)), np.zeros(V, dtype='f'))
        self.params = self.embed.params + self.lstm.params + self.affine.params
        self.grads = self.embed.grads + self.lstm.grads + self.affine.grads

    def forward(self, xs, h):
        self.lstm.set_state(h)
        return self.affine.forward(self.lstm.forward(self.embed.forward(xs)))

    def backward(self, dscore):
        self.embed.backward(self.lstm.backward(self.affine.backward(dscore)))
        return self.lstm.dh

    def generate(self, h, start_ids, sample_size):
        self.lstm.set_state(h)
        x, sampled = start_ids.reshape(-1, 1), []
        for _ in range(sample_size):
            score = self.affine.forward(self.lstm.forward(self.embed.forward(x)))
            x = score.argmax(axis=2)
            sampled.append(x)
        return np.concatenate(sampled, axis=1)


class PeekyDecoder(Decoder):
    def __init__(self, V, D, H):
        self.embed = book.TimeEmbedding(randn(V, D, scale=0.01))
        self.lstm = book.TimeLSTM(randn(H + D, 4 * H, scale=1 / np.sqrt(H + D)), randn(H, 4 * H, scale=1 / np.sqrt(H)),
                                  np.zeros(4 * H, dtype='f'), stateful=True)
        self.affine = book.TimeAffine(randn(H + H, V, scale=1 / np.sqrt(H + H)), np.zeros(V, dtype='f'))
        self.params = self.embed.params + self.lstm.params + self.affine.params
        self.grads = self.embed.grads + self.lstm.grads + self.affine.grads
        self.H = H
        self.h = None

    def forward(self, xs, h):
        N, T = xs.shape
        self.lstm.set_state(h)
        hs = np.repeat(h, T, axis=0).reshape(N, T, self.H)
        out = self.lstm.forward(np.concatenate((hs, self.embed.forward(xs)), axis=2))
        return self.affine.forward(np.concatenate((hs, out), axis=2))

    def backward(self, dscore):
        H = self.H
        dout = self.affine.backward(dscore)
        dhs0, dout = dout[:, :, :H], dout[:, :, H:]
        dout = self.lstm.backward(dout)
        dhs1, dembed = dout[:, :, :H], dout[:, :, H:]
        self.embed.backward(dembed)
        return self.lstm.dh + np.sum(dhs0 + dhs1, axis=1)

    def generate(self, h, start_ids, sample_size):
        self.lstm.set_state(h)
        N, H = h.shape
        peek = h.reshape(N, 1, H)
        x, sampled = start_ids.reshape(-1, 1), []
        for _ in range(sample_size):
            out = self.lstm.forward(np.concatenate((peek, self.embed.forward(x)), axis=2))
            x = self.affine.forward(np.concatenate((peek, out), axis=2)).argmax(axis=2)
            sampled.append(x)
        return np.concatenate(sampled, axis=1)


class AttentionEncoder(Encoder):
    def forward(self, xs):
        self.hs = self.lstm.forward(self.embed.forward(xs))
        return self.hs

    def backward(self, dhs):
        self.embed.backward(self.lstm.backward(dhs))


class AttentionDecoder:
    def __init__(self, V, D, H):
        self.embed = book.TimeEmbedding(randn(V, D, scale=0.01))
        self.lstm = book.TimeLSTM(randn(D, 4 * H, scale=1 / np.sqrt(D)), randn(H, 4 * H, scale=1 / np.sqrt(H)),
                                  np.zeros(4 * H, dtype='f'), stateful=True)
        self.attention = book.TimeAttention()
        self.affine = book.TimeAffine(randn(2 * H, V, scale=1 / np.sqrt(2 * H)), np.zeros(V, dtype='f'))
        self.params = self.embed.params + self.lstm.params + self.affine.params
        self.grads = self.embed.grads + self.lstm.grads + self.affine.grads

    def forward(self, xs, enc_hs):
        self.lstm.set_state(enc_hs[:, -1])
        dec_hs = self.lstm.forward(self.embed.forward(xs))
        c = self.attention.forward(enc_hs, dec_hs)
        return self.affine.forward(np.concatenate((c, dec_hs), axis=2))

    def backward(self, dscore):
        dout = self.affine.backward(dscore)
        H = dout.shape[2] // 2
        dc, ddec_hs0 = dout[:, :, :H], dout[:, :, H:]
        denc_hs, ddec_hs1 = self.attention.backward(dc)
        self.embed.backward(self.lstm.backward(ddec_hs0 + ddec_hs1))
        denc_hs[:, -1] += self.lstm.dh
        return denc_hs

    def generate(self, enc_hs, start_ids, sample_size):
        self.lstm.set_state(enc_hs[:, -1])
        x, sampled = start_ids.reshape(-1, 1), []
        for _ in range(sample_size):
            dec_hs = self.lstm.forward(self.embed.forward(x))
            c = self.attention.forward(enc_hs, dec_hs)
            x = self.affine.forward(np.concatenate((c, dec_hs), axis=2)).argmax(axis=2)
            sampled.append(x)
        return np.concatenate(sampled, axis=1)


class Seq2seq:
    def __init__(self, encoder, decoder):
        self.encoder, self.decoder = encoder, decoder
        self.loss = book.TimeSoftmaxWithLoss()
        self.params = encoder.params + decoder.params
        self.grads = encoder.grads + decoder.grads

    def forward(self, xs, ts):
        return self.loss.forward(self.decoder.forward(ts[:, :-1], self.encoder.forward(xs)), ts[:, 1:])

    def backward(self):
        self.encoder.backward(self.decoder.backward(self.loss.backward()))

    def generate(self, xs, start_ids, sample_size):
        return self.decoder.generate(self.encoder.forward(xs), start_ids, sample_size)


VARIANTS = {
    'baseline': (Encoder, Decoder, False, 128),
    'reversed': (Encoder, Decoder, True, 128),
    'peeky': (Encoder, PeekyDecoder, True, 128),
    'attention': (AttentionEncoder, AttentionDecoder, True, 256),
}


def accuracy(model, x, t, batch=1000):
    correct = 0
    for begin in range(0, len(x), batch):
        xb, tb = x[begin:begin + batch], t[begin:begin + batch]
        guess = model.generate(xb, tb[:, 0], tb.shape[1] - 1)
        correct += int(np.sum(np.all(guess == tb[:, 1:], axis=1)))
    return correct / len(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('variant', choices=list(VARIANTS))
    parser.add_argument('data')
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--iters', type=int, default=0)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--eval-rows', type=int)
    args = parser.parse_args()

    (x_train, t_train), (x_test, t_test), id_to_char = load_data(args.data)
    encoder_class, decoder_class, reverse, hidden = VARIANTS[args.variant]
    if reverse:
        x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]
    if args.eval_rows is not None:
        x_test, t_test = x_test[:args.eval_rows], t_test[:args.eval_rows]
    V, D, H = len(id_to_char), 16, hidden
    model = Seq2seq(encoder_class(V, D, H), decoder_class(V, D, H))
    optimizer = book.Adam(0.001)
    batch = 128
    iters = len(x_train) // batch
    if args.iters:
        iters = min(iters, args.iters)
    print(json.dumps({'numpy': np.__version__, 'variant': args.variant, 'rows': len(x_train), 'iters': iters}),
          flush=True)
    for epoch in range(1, args.epochs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        order = np.random.permutation(len(x_train))
        total = 0.0
        iter_ms, iter_cpu_ms = [], []
        for i in range(iters):
            wall, cpu = time.perf_counter(), time.process_time()
            picks = order[i * batch:(i + 1) * batch]
            loss = model.forward(x_train[picks], t_train[picks])
            model.backward()
            book.clip_grads(model.grads, 5.0)
            optimizer.update(model.params, model.grads)
            total += float(loss)
            if i >= args.warmup:
                iter_ms.append((time.perf_counter() - wall) * 1000)
                iter_cpu_ms.append((time.process_time() - cpu) * 1000)
        train_wall, train_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        start = time.perf_counter()
        acc = accuracy(model, x_test, t_test) if len(x_test) else None
        print(json.dumps({'numpy': np.__version__, 'epoch': epoch, 'loss': total / iters, 'trainSeconds': train_wall, 'trainCpuSeconds': train_cpu,
                          'iterMs': statistics.median(iter_ms) if iter_ms else None,
                          'iterCpuMs': statistics.median(iter_cpu_ms) if iter_cpu_ms else None,
                          'evalSeconds': time.perf_counter() - start, 'accuracy': acc}), flush=True)


if __name__ == '__main__':
    main()
