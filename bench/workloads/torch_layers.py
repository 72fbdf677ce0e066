"""PyTorch pieces shared by the chapter 6-8 references: the book's weights in torch's modules, and the
book's Adam (the formula graphgrad's Adam uses; torch.optim.Adam adds its eps after the bias
correction, which moves the losses apart beyond float32 tolerance within a few steps)."""
import numpy as np
import torch


def gate_order(W, H):
    """The book's gate blocks f, g, i, o (along the last axis) in torch's order i, f, g, o."""
    f, g, i, o = (W[..., k * H:(k + 1) * H] for k in range(4))
    return np.concatenate([i, f, g, o], axis=-1)


def lstm(Wx, Wh, b):
    """nn.LSTM (batch first) holding the book's Wx [D, 4H], Wh [H, 4H] and b [4H]. torch has two
    biases; the second stays 0 and is not trained, so that b gets the book's gradient."""
    D, H = Wx.shape[0], Wh.shape[0]
    module = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(gate_order(Wx, H).T))
        module.weight_hh_l0.copy_(torch.from_numpy(gate_order(Wh, H).T))
        module.bias_ih_l0.copy_(torch.from_numpy(gate_order(b, H)))
        module.bias_hh_l0.zero_()
    module.bias_hh_l0.requires_grad_(False)
    return module


def embedding(W):
    """nn.Embedding holding W [V, D]; its gradient is dense, filled by a scatter-add of the picked rows."""
    module = torch.nn.Embedding(*W.shape)
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(W))
    return module


def linear(W, b):
    """nn.Linear holding the book's W [in, out] (as its transpose [out, in]) and b."""
    module = torch.nn.Linear(*W.shape)
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(W.T))
        module.bias.copy_(torch.from_numpy(b))
    return module


def trained(modules):
    return [p for m in modules for p in m.parameters() if p.requires_grad]


class BookAdam:
    """The book's Adam: lr_t = lr·sqrt(1-β2^t)/(1-β1^t); m += (1-β1)(g-m); v += (1-β2)(g²-v);
    p -= lr_t·m / (sqrt(v) + 1e-7)."""

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999):
        self.params = list(params)
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.iter = 0

    @torch.no_grad()
    def step(self):
        self.iter += 1
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.iter) / (1 - self.beta1 ** self.iter)
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m.add_(g - m, alpha=1 - self.beta1)
            v.add_(g * g - v, alpha=1 - self.beta2)
            p.sub_(lr_t * m / (v.sqrt() + 1e-7))
