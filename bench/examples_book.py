"""The book's chapter-4, 5 and 6 models in the book's own numpy style, on the same data as the
graphgrad examples (examples/word2vec, examples/rnnlm, examples/lstm-lm), for bench/examples.ts.

    python3 bench/examples_book.py word2vec|rnnlm|lstm-lm --epochs N --seed S --data <ptb folder>

Written for this benchmark from the book's code and equations (its common/layers.py,
common/time_layers.py, ch04/negative_sampling_layer.py, ch04/cbow.py, common/trainer.py,
common/util.py, common/optimizer.py): every layer with `params`, `grads`, `forward` and a
hand-written `backward`, float32 throughout, and the book's training loops. Prints the book's
lines, then one JSON object as its last line: the figures of every epoch and the seconds each took
(wall clock and this process's CPU time, which counts numpy's BLAS threads).
"""
import argparse
import json
import os
import time

import numpy as np

F32 = np.float32


# --- data (dataset/ptb.py, common/util.py) ----------------------------------------------------


def load_ptb(folder, splits):
    """Word ids of each split, one vocabulary in order of first appearance over the splits given."""
    word_to_id, id_to_word, corpora = {}, {}, {}
    for split in splits:
        with open(os.path.join(folder, 'ptb.%s.txt' % split)) as f:
            words = f.read().replace('\n', '<eos>').strip().split()
        for word in words:
            if word not in word_to_id:
                id_to_word[len(word_to_id)] = word
                word_to_id[word] = len(word_to_id)
        corpora[split] = np.array([word_to_id[w] for w in words], dtype=np.int32)
    return corpora, word_to_id, id_to_word


def create_contexts_target(corpus, window_size=1):
    target = corpus[window_size:-window_size]
    contexts = []
    for idx in range(window_size, len(corpus) - window_size):
        cs = []
        for t in range(-window_size, window_size + 1):
            if t == 0:
                continue
            cs.append(corpus[idx + t])
        contexts.append(cs)
    return np.array(contexts), np.array(target)


# --- functions and layers (common/functions.py, common/layers.py, common/time_layers.py) ---------


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    x = np.exp(x)
    x /= x.sum(axis=1, keepdims=True)
    return x


def cross_entropy_error(y, t):
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        W, = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)
        return None


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = sigmoid(x)
        return cross_entropy_error(np.c_[1 - self.y, self.y], self.t)

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return (self.y - self.t) * dout / batch_size


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        target_W = self.embed.forward(idx)
        out = np.sum(target_W * h, axis=1)
        self.cache = (h, target_W)
        return out

    def backward(self, dout):
        h, target_W = self.cache
        dout = dout.reshape(dout.shape[0], 1)
        self.embed.backward(dout * h)
        return dout * target_W


class UnigramSampler:
    """The book's CPU sampler: per row, the target's probability set to 0, `sample_size` distinct draws."""

    def __init__(self, corpus, power, sample_size):
        self.sample_size = sample_size
        counts = np.bincount(corpus)
        self.vocab_size = len(counts)
        self.word_p = np.power(counts.astype(np.float64), power)
        self.word_p /= np.sum(self.word_p)

    def get_negative_sample(self, target):
        batch_size = target.shape[0]
        negative_sample = np.zeros((batch_size, self.sample_size), dtype=np.int32)
        for i in range(batch_size):
            p = self.word_p.copy()
            p[target[i]] = 0
            p /= p.sum()
            negative_sample[i, :] = np.random.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)
        return negative_sample


class NegativeSamplingLoss:
    def __init__(self, W, corpus, power=0.75, sample_size=5):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size)
        self.loss_layers = [SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params, self.grads = [], []
        for layer in self.embed_dot_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, h, target):
        batch_size = target.shape[0]
        negative_sample = self.sampler.get_negative_sample(target)
        score = self.embed_dot_layers[0].forward(h, target)
        loss = self.loss_layers[0].forward(score, np.ones(batch_size, dtype=np.int32))
        negative_label = np.zeros(batch_size, dtype=np.int32)
        for i in range(self.sample_size):
            score = self.embed_dot_layers[1 + i].forward(h, negative_sample[:, i])
            loss += self.loss_layers[1 + i].forward(score, negative_label)
        return loss

    def backward(self, dout=1):
        dh = 0
        for l0, l1 in zip(self.loss_layers, self.embed_dot_layers):
            dh += l1.backward(l0.backward(dout))
        return dh


class CBOW:
    def __init__(self, vocab_size, hidden_size, window_size, corpus):
        V, H = vocab_size, hidden_size
        W_in = 0.01 * np.random.randn(V, H).astype('f')
        W_out = 0.01 * np.random.randn(V, H).astype('f')
        self.in_layers = [Embedding(W_in) for _ in range(2 * window_size)]
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5)
        self.params, self.grads = [], []
        for layer in self.in_layers + [self.ns_loss]:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts, target):
        h = 0
        for i, layer in enumerate(self.in_layers):
            h += layer.forward(contexts[:, i])
        h *= 1 / len(self.in_layers)
        return self.ns_loss.forward(h, target)

    def backward(self, dout=1):
        dout = self.ns_loss.backward(dout)
        dout *= 1 / len(self.in_layers)
        for layer in self.in_layers:
            layer.backward(dout)


class RNN:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        h_next = np.tanh(np.dot(h_prev, Wh) + np.dot(x, Wx) + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        x, h_prev, h_next = self.cache
        dt = dh_next * (1 - h_next ** 2)
        self.grads[0][...] = np.dot(x.T, dt)
        self.grads[1][...] = np.dot(h_prev.T, dt)
        self.grads[2][...] = np.sum(dt, axis=0)
        return np.dot(dt, Wx.T), np.dot(dt, Wh.T)


class TimeRNN:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.dh = None, None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, D = xs.shape
        D, H = Wx.shape
        self.layers = []
        hs = np.empty((N, T, H), dtype='f')
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype='f')
        for t in range(T):
            layer = RNN(*self.params)
            self.h = layer.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        D, H = Wx.shape
        dxs = np.empty((N, T, D), dtype='f')
        dh = 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh = layer.backward(dhs[:, t, :] + dh)
            dxs[:, t, :] = dx
            for i, grad in enumerate(layer.grads):
                grads[i] += grad
        for i, grad in enumerate(grads):
            self.grads[i][...] = grad
        self.dh = dh
        return dxs

    def reset_state(self):
        self.h = None


class LSTM:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        Wx, Wh, b = self.params
        N, H = h_prev.shape
        A = np.dot(x, Wx) + np.dot(h_prev, Wh) + b
        f = sigmoid(A[:, :H])
        g = np.tanh(A[:, H:2 * H])
        i = sigmoid(A[:, 2 * H:3 * H])
        o = sigmoid(A[:, 3 * H:])
        c_next = f * c_prev + g * i
        h_next = o * np.tanh(c_next)
        self.cache = (x, h_prev, c_prev, i, f, g, o, c_next)
        return h_next, c_next

    def backward(self, dh_next, dc_next):
        Wx, Wh, b = self.params
        x, h_prev, c_prev, i, f, g, o, c_next = self.cache
        tanh_c_next = np.tanh(c_next)
        ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2)
        dc_prev = ds * f
        di = ds * g
        df = ds * c_prev
        do = dh_next * tanh_c_next
        dg = ds * i
        di *= i * (1 - i)
        df *= f * (1 - f)
        do *= o * (1 - o)
        dg *= (1 - g ** 2)
        dA = np.hstack((df, dg, di, do))
        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][...] = np.dot(h_prev.T, dA)
        self.grads[2][...] = dA.sum(axis=0)
        return np.dot(dA, Wx.T), np.dot(dA, Wh.T), dc_prev


class TimeLSTM:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, D = xs.shape
        H = Wh.shape[0]
        self.layers = []
        hs = np.empty((N, T, H), dtype='f')
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype='f')
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype='f')
        for t in range(T):
            layer = LSTM(*self.params)
            self.h, self.c = layer.forward(xs[:, t, :], self.h, self.c)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        D = Wx.shape[0]
        dxs = np.empty((N, T, D), dtype='f')
        dh, dc = 0, 0
        grads = [0, 0, 0]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh, dc = layer.backward(dhs[:, t, :] + dh, dc)
            dxs[:, t, :] = dx
            for i, grad in enumerate(layer.grads):
                grads[i] += grad
        for i, grad in enumerate(grads):
            self.grads[i][...] = grad
        self.dh = dh
        return dxs

    def reset_state(self):
        self.h, self.c = None, None


class TimeEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.layers = None
        self.W = W

    def forward(self, xs):
        N, T = xs.shape
        V, D = self.W.shape
        out = np.empty((N, T, D), dtype='f')
        self.layers = []
        for t in range(T):
            layer = Embedding(self.W)
            out[:, t, :] = layer.forward(xs[:, t])
            self.layers.append(layer)
        return out

    def backward(self, dout):
        N, T, D = dout.shape
        grad = 0
        for t in range(T):
            layer = self.layers[t]
            layer.backward(dout[:, t, :])
            grad += layer.grads[0]
        self.grads[0][...] = grad
        return None


class TimeAffine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        N, T, D = x.shape
        W, b = self.params
        out = np.dot(x.reshape(N * T, -1), W) + b
        self.x = x
        return out.reshape(N, T, -1)

    def backward(self, dout):
        x = self.x
        N, T, D = x.shape
        W, b = self.params
        dout = dout.reshape(N * T, -1)
        rx = x.reshape(N * T, -1)
        self.grads[0][...] = np.dot(rx.T, dout)
        self.grads[1][...] = np.sum(dout, axis=0)
        return np.dot(dout, W.T).reshape(*x.shape)


class TimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        N, T, V = xs.shape
        mask = (ts != self.ignore_label)
        xs = xs.reshape(N * T, V)
        ts = ts.reshape(N * T)
        mask = mask.reshape(N * T)
        ys = softmax(xs)
        ls = np.log(ys[np.arange(N * T), ts])
        ls *= mask
        loss = -np.sum(ls)
        loss /= mask.sum()
        self.cache = (ts, ys, mask, (N, T, V))
        return loss

    def backward(self, dout=1):
        ts, ys, mask, (N, T, V) = self.cache
        dx = ys
        dx[np.arange(N * T), ts] -= 1
        dx *= dout
        dx /= mask.sum()
        dx *= mask[:, np.newaxis]
        return dx.reshape((N, T, V))


class TimeDropout:
    def __init__(self, dropout_ratio=0.5):
        self.params, self.grads = [], []
        self.dropout_ratio = dropout_ratio
        self.mask = None
        self.train_flg = True

    def forward(self, xs):
        if self.train_flg:
            flg = np.random.rand(*xs.shape) > self.dropout_ratio
            scale = 1 / (1.0 - self.dropout_ratio)
            self.mask = flg.astype(np.float32) * scale
            return xs * self.mask
        return xs

    def backward(self, dout):
        return dout * self.mask


# --- models (ch05/simple_rnnlm.py, ch06/rnnlm.py, ch06/better_rnnlm.py) ------------------------


class BaseModel:
    def predict(self, xs, train_flg=False):
        for layer in self.drop_layers:
            layer.train_flg = train_flg
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs

    def forward(self, xs, ts, train_flg=True):
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def reset_state(self):
        for layer in self.lstm_layers:
            layer.reset_state()


class SimpleRnnlm(BaseModel):
    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        rnn_Wx = (rn(D, H) / np.sqrt(D)).astype('f')
        rnn_Wh = (rn(H, H) / np.sqrt(H)).astype('f')
        rnn_b = np.zeros(H).astype('f')
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.layers = [TimeEmbedding(embed_W), TimeRNN(rnn_Wx, rnn_Wh, rnn_b, stateful=True), TimeAffine(affine_W, affine_b)]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layers = [self.layers[1]]
        self.drop_layers = []
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]


class Rnnlm(BaseModel):
    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_Wx = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b = np.zeros(4 * H).astype('f')
        affine_W = (rn(H, V) / np.sqrt(H)).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.layers = [TimeEmbedding(embed_W), TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True), TimeAffine(affine_W, affine_b)]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layers = [self.layers[1]]
        self.drop_layers = []
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]


class BetterRnnlm(BaseModel):
    def __init__(self, vocab_size, wordvec_size, hidden_size, dropout_ratio=0.5):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype('f')
        lstm_Wx1 = (rn(D, 4 * H) / np.sqrt(D)).astype('f')
        lstm_Wh1 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b1 = np.zeros(4 * H).astype('f')
        lstm_Wx2 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_Wh2 = (rn(H, 4 * H) / np.sqrt(H)).astype('f')
        lstm_b2 = np.zeros(4 * H).astype('f')
        affine_b = np.zeros(V).astype('f')
        self.layers = [
            TimeEmbedding(embed_W),
            TimeDropout(dropout_ratio),
            TimeLSTM(lstm_Wx1, lstm_Wh1, lstm_b1, stateful=True),
            TimeDropout(dropout_ratio),
            TimeLSTM(lstm_Wx2, lstm_Wh2, lstm_b2, stateful=True),
            TimeDropout(dropout_ratio),
            TimeAffine(embed_W.T, affine_b),  # weight tying
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layers = [self.layers[2], self.layers[4]]
        self.drop_layers = [self.layers[1], self.layers[3], self.layers[5]]
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]


# --- optimizers and training (common/optimizer.py, common/util.py, common/trainer.py) ---------


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for i in range(len(params)):
            params[i] -= self.lr * grads[i]


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m, self.v = None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for i in range(len(params)):
            self.m[i] += (1 - self.beta1) * (grads[i] - self.m[i])
            self.v[i] += (1 - self.beta2) * (grads[i] ** 2 - self.v[i])
            params[i] -= lr_t * self.m[i] / (np.sqrt(self.v[i]) + 1e-7)


def clip_grads(grads, max_norm):
    total_norm = 0
    for grad in grads:
        total_norm += np.sum(grad ** 2)
    total_norm = np.sqrt(total_norm)
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for grad in grads:
            grad *= rate


def remove_duplicate(params, grads):
    """common/trainer.py: a parameter listed twice keeps one entry with the gradients added; a
    parameter that is another's transpose (weight tying) gets the transposed gradient added."""
    params, grads = params[:], grads[:]
    while True:
        find_flg = False
        L = len(params)
        for i in range(0, L - 1):
            for j in range(i + 1, L):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                    find_flg = True
                    params.pop(j)
                    grads.pop(j)
                elif params[i].ndim == 2 and params[j].ndim == 2 and \
                        params[i].T.shape == params[j].shape and np.all(params[i].T == params[j]):
                    grads[i] += grads[j].T
                    find_flg = True
                    params.pop(j)
                    grads.pop(j)
                if find_flg:
                    break
            if find_flg:
                break
        if not find_flg:
            break
    return params, grads


class Clock:
    """Wall and process CPU seconds since `start()`."""

    def start(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self):
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def fit_rnnlm(model, optimizer, corpus, max_epoch, batch_size, time_size, max_grad=None, eval_interval=20,
              on_epoch=None):
    """common/trainer.py's RnnlmTrainer.fit: `batch_size` streams `jump` apart, `time_size` words
    a step, the position carried across steps and epochs of one call (restarted by each call)."""
    xs, ts = corpus[:-1], corpus[1:]
    data_size = len(xs)
    jump = data_size // batch_size
    max_iters = data_size // (batch_size * time_size)
    offsets = [i * jump for i in range(batch_size)]
    time_idx = 0
    epochs = []
    clock = Clock()
    for epoch in range(max_epoch):
        clock.start()
        total_loss, loss_count, epoch_loss = 0, 0, 0
        for iters in range(max_iters):
            batch_x = np.empty((batch_size, time_size), dtype='i')
            batch_t = np.empty((batch_size, time_size), dtype='i')
            for t in range(time_size):
                for i, offset in enumerate(offsets):
                    batch_x[i, t] = xs[(offset + time_idx) % data_size]
                    batch_t[i, t] = ts[(offset + time_idx) % data_size]
                time_idx += 1
            loss = model.forward(batch_x, batch_t)
            model.backward()
            params, grads = remove_duplicate(model.params, model.grads)
            if max_grad is not None:
                clip_grads(grads, max_grad)
            optimizer.update(params, grads)
            total_loss += loss
            epoch_loss += loss
            loss_count += 1
            if (iters + 1) % eval_interval == 0:
                print('| epoch %d |  iter %d / %d | perplexity %.2f' % (
                    len(epochs) + 1, iters + 1, max_iters, np.exp(total_loss / loss_count)), flush=True)
                total_loss, loss_count = 0, 0
        wall, cpu = clock.stop()
        report = {'epoch': epoch + 1, 'perplexity': float(np.exp(epoch_loss / max_iters)), 'seconds': wall,
                  'cpu_seconds': cpu}
        epochs.append(report)
        if on_epoch is not None:
            on_epoch(report)
    return epochs


def eval_perplexity(model, corpus, batch_size=10, time_size=35):
    """common/util.py's eval_perplexity (dropout off)."""
    corpus_size = len(corpus)
    total_loss = 0
    max_iters = (corpus_size - 1) // (batch_size * time_size)
    jump = (corpus_size - 1) // batch_size
    for iters in range(max_iters):
        xs = np.zeros((batch_size, time_size), dtype=np.int32)
        ts = np.zeros((batch_size, time_size), dtype=np.int32)
        time_offset = iters * time_size
        offsets = [time_offset + (i * jump) for i in range(batch_size)]
        for t in range(time_size):
            for i, offset in enumerate(offsets):
                xs[i, t] = corpus[(offset + t) % corpus_size]
                ts[i, t] = corpus[(offset + t + 1) % corpus_size]
        total_loss += model.forward(xs, ts, train_flg=False)
    return float(np.exp(total_loss / max_iters))


# --- the three runs ------------------------------------------------------------------------------


def run_word2vec(args):
    """ch04/train.py on ptb.valid.txt, then ch04/eval.py's queries."""
    corpora, word_to_id, id_to_word = load_ptb(args.data, ['valid'])
    corpus = corpora['valid']
    window_size, hidden_size, batch_size = 5, 100, 100
    contexts, target = create_contexts_target(corpus, window_size)
    model = CBOW(len(word_to_id), hidden_size, window_size, corpus)
    optimizer = Adam()
    data_size = len(contexts)
    max_iters = data_size // batch_size
    epochs = []
    clock = Clock()
    for epoch in range(args.epochs):
        clock.start()
        idx = np.random.permutation(np.arange(data_size))
        x, t = contexts[idx], target[idx]
        epoch_loss, total_loss, loss_count = 0, 0, 0
        for iters in range(max_iters):
            batch_x = x[iters * batch_size:(iters + 1) * batch_size]
            batch_t = t[iters * batch_size:(iters + 1) * batch_size]
            loss = model.forward(batch_x, batch_t)
            model.backward()
            params, grads = remove_duplicate(model.params, model.grads)
            optimizer.update(params, grads)
            epoch_loss += loss
            total_loss += loss
            loss_count += 1
            if iters % 20 == 0:
                print('| epoch %d |  iter %d / %d | loss %.2f' % (epoch + 1, iters + 1, max_iters, total_loss / loss_count),
                      flush=True)
                total_loss, loss_count = 0, 0
        wall, cpu = clock.stop()
        epochs.append({'epoch': epoch + 1, 'loss': float(epoch_loss / max_iters), 'seconds': wall, 'cpu_seconds': cpu})
    word_vecs = model.word_vecs
    norms = np.sqrt(np.sum(word_vecs ** 2, axis=1)) + 1e-8
    for query in ['you', 'year', 'car', 'toyota']:
        q = word_vecs[word_to_id[query]]
        similarity = word_vecs.dot(q) / norms / (np.linalg.norm(q) + 1e-8)
        ranked = [i for i in (-similarity).argsort() if id_to_word[i] != query][:5]
        print('[query] %s: %s' % (query, ', '.join('%s %.3f' % (id_to_word[i], similarity[i]) for i in ranked)))
    return {'model': 'word2vec', 'epochs': epochs}


def run_rnnlm(args):
    """ch05/train_custom_loop.py: SimpleRnnlm on the first 1,000 words."""
    corpora, _, _ = load_ptb(args.data, ['valid'])
    corpus = corpora['valid'][:1000]
    model = SimpleRnnlm(int(corpus.max()) + 1, 100, 100)
    epochs = fit_rnnlm(model, SGD(0.1), corpus, args.epochs, 10, 5, eval_interval=10 ** 9,
                       on_epoch=lambda r: print('| epoch %d | perplexity %.2f' % (r['epoch'], r['perplexity']), flush=True))
    return {'model': 'rnnlm', 'epochs': epochs}


def copy_into(model, trained):
    for p, q in zip(model.params, trained.params):
        p[...] = q


def run_lstm_lm(args):
    """ch06/train_rnnlm.py on ptb.valid.txt, tested on ptb.test.txt after every epoch (a copy of the weights)."""
    corpora, _, id_to_word = load_ptb(args.data, ['valid', 'test'])
    vocab_size = len(id_to_word)
    model = Rnnlm(vocab_size, 100, 100)
    tested = Rnnlm(vocab_size, 100, 100)
    clock = Clock()

    def on_epoch(report):
        clock.start()
        copy_into(tested, model)
        tested.reset_state()
        report['test_perplexity'] = eval_perplexity(tested, corpora['test'])
        report['test_seconds'], report['test_cpu_seconds'] = clock.stop()
        print('| epoch %d | train perplexity %.2f | test perplexity %.2f' % (
            report['epoch'], report['perplexity'], report['test_perplexity']), flush=True)

    epochs = fit_rnnlm(model, SGD(20.0), corpora['valid'], args.epochs, 20, 35, max_grad=0.25, on_epoch=on_epoch)
    return {'model': 'lstm-lm', 'epochs': epochs}


def run_better_rnnlm(args):
    """ch06/train_better_rnnlm.py: nine tenths of ptb.valid.txt trained on, the last tenth for the
    learning-rate rule, ptb.test.txt at the end; one fit per epoch, as the book's."""
    corpora, _, id_to_word = load_ptb(args.data, ['valid', 'test'])
    split = len(corpora['valid']) * 9 // 10
    train, valid = corpora['valid'][:split], corpora['valid'][split:]
    size = args.hidden
    model = BetterRnnlm(len(id_to_word), size, size, 0.5)
    optimizer = SGD(20.0)
    best_ppl = float('inf')
    epochs = []
    for epoch in range(args.epochs):
        report = fit_rnnlm(model, optimizer, train, 1, 20, 35, max_grad=0.25)[0]
        model.reset_state()
        report['epoch'] = epoch + 1
        report['validation_perplexity'] = eval_perplexity(model, valid)
        report['lr'] = optimizer.lr
        print('| epoch %d | valid perplexity %.2f | lr %g' % (epoch + 1, report['validation_perplexity'], optimizer.lr),
              flush=True)
        if best_ppl > report['validation_perplexity']:
            best_ppl = report['validation_perplexity']
        else:
            optimizer.lr /= 4.0
        model.reset_state()
        epochs.append(report)
    model.reset_state()
    test = eval_perplexity(model, corpora['test'])
    print('test perplexity: %.2f' % test, flush=True)
    return {'model': 'better-rnnlm', 'epochs': epochs, 'test_perplexity': test}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('model', choices=['word2vec', 'rnnlm', 'lstm-lm', 'better-rnnlm'])
    parser.add_argument('--epochs', type=int, required=True)
    parser.add_argument('--seed', type=int, default=1984)
    parser.add_argument('--hidden', type=int, default=650)
    parser.add_argument('--data', required=True)
    args = parser.parse_args()
    np.random.seed(args.seed)
    run = {'word2vec': run_word2vec, 'rnnlm': run_rnnlm, 'lstm-lm': run_lstm_lm, 'better-rnnlm': run_better_rnnlm}
    result = run[args.model](args)
    result['numpy'] = np.__version__
    print(json.dumps(result))


if __name__ == '__main__':
    main()
