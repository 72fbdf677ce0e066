"""The book's layers in numpy, ported for the benchmark's numpy references (float32 throughout).

Each layer keeps `params` and `grads` lists and has `forward` and `backward` with the book's
arithmetic (its chapter-1 layers, the time layers of chapters 5-8, SGD, Adam and clip_grads), so
that a numpy row of bench/workloads.ts times the code the book runs. Written for the benchmark from
the book's equations; names follow the book's.
"""
import numpy as np

np.seterr(over='ignore')  # the book's sigmoid 1 / (1 + exp(-x)) overflows to inf for x < -88, giving 0 as it should

F32 = np.float32


def sigmoid(x):
    return F32(1) / (F32(1) + np.exp(-x))


def softmax(x):
    """Softmax over the last axis, with the row maximum subtracted first."""
    x = x - x.max(axis=-1, keepdims=True)
    x = np.exp(x)
    return x / x.sum(axis=-1, keepdims=True)


class MatMul:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.params[0])

    def backward(self, dout):
        W, = self.params
        dx = np.dot(dout, W.T)
        self.grads[0][...] = np.dot(self.x.T, dout)
        return dx


class Affine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        self.x = x
        return np.dot(x, W) + b

    def backward(self, dout):
        W, _ = self.params
        dx = np.dot(dout, W.T)
        self.grads[0][...] = np.dot(self.x.T, dout)
        self.grads[1][...] = dout.sum(axis=0)
        return dx


class Sigmoid:
    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (F32(1) - self.out) * self.out


class SoftmaxWithLoss:
    """Softmax and cross entropy over a batch of class indices: the book's, with its 1e-7 inside the log."""

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        n = x.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t] + F32(1e-7))) / F32(n)

    def backward(self, dout=F32(1)):
        n = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx * dout / F32(n)


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout):
        # The sparse gradient: only the picked rows receive anything, summed where an id repeats.
        dW, = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class TimeEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.layers = None

    def forward(self, xs):
        N, T = xs.shape
        W, = self.params
        out = np.empty((N, T, W.shape[1]), dtype=F32)
        self.layers = []
        for t in range(T):
            layer = Embedding(W)
            out[:, t, :] = layer.forward(xs[:, t])
            self.layers.append(layer)
        return out

    def backward(self, dout):
        grad = np.zeros_like(self.params[0])
        for t, layer in enumerate(self.layers):
            layer.backward(dout[:, t, :])
            grad += layer.grads[0]
        self.grads[0][...] = grad


class LSTM:
    """One step; the four gates side by side in A = x·Wx + h·Wh + b, in the book's order f, g, i, o."""

    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev, c_prev):
        Wx, Wh, b = self.params
        H = h_prev.shape[1]
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
        Wx, Wh, _ = self.params
        x, h_prev, c_prev, i, f, g, o, c_next = self.cache
        tanh_c = np.tanh(c_next)
        ds = dc_next + (dh_next * o) * (F32(1) - tanh_c ** 2)
        dc_prev = ds * f
        df = ds * c_prev * f * (F32(1) - f)
        dg = ds * i * (F32(1) - g ** 2)
        di = ds * g * i * (F32(1) - i)
        do = dh_next * tanh_c * o * (F32(1) - o)
        dA = np.hstack((df, dg, di, do))
        self.grads[0][...] = np.dot(x.T, dA)
        self.grads[1][...] = np.dot(h_prev.T, dA)
        self.grads[2][...] = dA.sum(axis=0)
        return np.dot(dA, Wx.T), np.dot(dA, Wh.T), dc_prev


class TimeLSTM:
    """T steps of LSTM; `stateful` carries h and c from one forward to the next (truncated BPTT)."""

    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers = None
        self.h, self.c = None, None
        self.dh = None
        self.stateful = stateful

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, _ = xs.shape
        H = Wh.shape[0]
        hs = np.empty((N, T, H), dtype=F32)
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype=F32)
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype=F32)
        self.layers = []
        for t in range(T):
            layer = LSTM(Wx, Wh, b)
            self.h, self.c = layer.forward(xs[:, t, :], self.h, self.c)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs):
        Wx, Wh, b = self.params
        N, T, H = dhs.shape
        dxs = np.empty((N, T, Wx.shape[0]), dtype=F32)
        dh, dc = np.zeros_like(self.h), np.zeros_like(self.c)
        grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        for t in reversed(range(T)):
            layer = self.layers[t]
            dx, dh, dc = layer.backward(dhs[:, t, :] + dh, dc)
            dxs[:, t, :] = dx
            for k, grad in enumerate(layer.grads):
                grads[k] += grad
        for k, grad in enumerate(grads):
            self.grads[k][...] = grad
        self.dh = dh
        return dxs

    def set_state(self, h, c=None):
        self.h, self.c = h, c

    def reset_state(self):
        self.h, self.c = None, None


class TimeAffine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        N, T, D = x.shape
        W, b = self.params
        self.x = x
        return (np.dot(x.reshape(N * T, D), W) + b).reshape(N, T, -1)

    def backward(self, dout):
        N, T, D = self.x.shape
        W, _ = self.params
        dout = dout.reshape(N * T, -1)
        rx = self.x.reshape(N * T, D)
        self.grads[0][...] = np.dot(rx.T, dout)
        self.grads[1][...] = dout.sum(axis=0)
        return np.dot(dout, W.T).reshape(N, T, D)


class TimeSoftmaxWithLoss:
    """Mean cross entropy over every (row, time) pair; the book's ignore label -1 is honoured."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, xs, ts):
        N, T, V = xs.shape
        xs = xs.reshape(N * T, V)
        ts = ts.reshape(N * T)
        mask = ts != -1
        ys = softmax(xs)
        ls = np.log(ys[np.arange(N * T), ts]) * mask
        self.cache = (ts, ys, mask, (N, T, V))
        return -np.sum(ls) / F32(mask.sum())

    def backward(self, dout=F32(1)):
        ts, ys, mask, (N, T, V) = self.cache
        dx = ys
        dx[np.arange(N * T), ts] -= 1
        dx *= dout / F32(mask.sum())
        dx *= mask[:, np.newaxis]
        return dx.reshape(N, T, V)


class AttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        N, T, H = hs.shape
        hr = h.reshape(N, 1, H)
        a = softmax((hs * hr).sum(axis=2))
        self.cache = (hs, hr, a)
        return a

    def backward(self, da):
        hs, hr, a = self.cache
        # softmax's backward, then the sum's and the product's
        ds = a * (da - (da * a).sum(axis=1, keepdims=True))
        dt = ds[:, :, np.newaxis]
        dhs = dt * hr
        dh = (dt * hs).sum(axis=1)
        return dhs, dh


class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        ar = a[:, :, np.newaxis]
        self.cache = (hs, ar)
        return (hs * ar).sum(axis=1)

    def backward(self, dc):
        hs, ar = self.cache
        dt = dc[:, np.newaxis, :]
        dar = (dt * hs).sum(axis=2)
        return dt * ar, dar


class TimeAttention:
    def __init__(self):
        self.params, self.grads = [], []
        self.layers = None

    def forward(self, hs_enc, hs_dec):
        N, T, H = hs_dec.shape
        out = np.empty_like(hs_dec)
        self.layers = []
        for t in range(T):
            weight, total = AttentionWeight(), WeightSum()
            out[:, t, :] = total.forward(hs_enc, weight.forward(hs_enc, hs_dec[:, t, :]))
            self.layers.append((weight, total))
        return out

    def backward(self, dout):
        N, T, H = dout.shape
        dhs_enc = 0
        dhs_dec = np.empty_like(dout)
        for t in range(T):
            weight, total = self.layers[t]
            dhs, da = total.backward(dout[:, t, :])
            dhs_w, dh = weight.backward(da)
            dhs_enc = dhs_enc + dhs + dhs_w
            dhs_dec[:, t, :] = dh
        return dhs_enc, dhs_dec


class SGD:
    def __init__(self, lr):
        self.lr = F32(lr)

    def update(self, params, grads):
        for param, grad in zip(params, grads):
            param -= self.lr * grad


class Adam:
    """The book's Adam: the bias correction folded into the learning rate, 1e-7 added to sqrt(v)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m, self.v = None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = F32(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))
        b1, b2 = F32(1 - self.beta1), F32(1 - self.beta2)
        for param, grad, m, v in zip(params, grads, self.m, self.v):
            m += b1 * (grad - m)
            v += b2 * (grad ** 2 - v)
            param -= lr_t * m / (np.sqrt(v) + F32(1e-7))


def clip_grads(grads, max_norm):
    """Scales every gradient by max_norm / (norm + 1e-6) when that is below 1 (norm over all of them)."""
    total = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= F32(rate)
