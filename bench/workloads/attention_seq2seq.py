"""bench/workloads/attention-seq2seq.ts's references: the book's chapter-8 AttentionSeq2seq step in
PyTorch (nn.LSTM, the attention as two batched products, the book's Adam) and in the book's numpy
layers (TimeAttention's per-step AttentionWeight and WeightSum)."""
import numpy as np

import book_layers as book
from peeky_seq2seq import Encoder


def torch_runner(data, config):
    import torch
    import torch.nn.functional as F

    import torch_layers as tl

    xs = torch.from_numpy(data['xs']).long()
    ts = torch.from_numpy(data['ts']).long()
    enc_embed = tl.embedding(data['enc_embed'])
    enc_lstm = tl.lstm(data['enc_Wx'], data['enc_Wh'], data['enc_b'])
    dec_embed = tl.embedding(data['dec_embed'])
    dec_lstm = tl.lstm(data['dec_Wx'], data['dec_Wh'], data['dec_b'])
    affine = tl.linear(data['affine_W'], data['affine_b'])
    params = tl.trained([enc_embed, enc_lstm, dec_embed, dec_lstm, affine])
    optimizer = tl.BookAdam(params, lr=config['lr'])
    vocab = config['vocab']

    class Runner:
        def step(self, i):
            x, t = xs[i], ts[i]
            for p in params:
                p.grad = None
            enc_hs, (h, _) = enc_lstm(enc_embed(x))
            dec_in, dec_t = t[:, :-1], t[:, 1:]
            dec_hs, _ = dec_lstm(dec_embed(dec_in), (h, torch.zeros_like(h)))
            weights = torch.softmax(torch.bmm(dec_hs, enc_hs.transpose(1, 2)), dim=2)
            context = torch.bmm(weights, enc_hs)
            scores = affine(torch.cat([context, dec_hs], 2))
            loss = F.cross_entropy(scores.reshape(-1, vocab), dec_t.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config['clip'])
            optimizer.step()
            return loss.item()

    return Runner()


class AttentionEncoder(Encoder):
    """The book's AttentionEncoder: every step's h, not only the last."""

    def forward(self, xs):
        self.hs = self.lstm.forward(self.embed.forward(xs))
        return self.hs

    def backward(self, dhs):
        self.embed.backward(self.lstm.backward(dhs))


class AttentionDecoder:
    def __init__(self, data):
        self.embed = book.TimeEmbedding(data['dec_embed'].copy())
        self.lstm = book.TimeLSTM(data['dec_Wx'].copy(), data['dec_Wh'].copy(), data['dec_b'].copy(), stateful=True)
        self.attention = book.TimeAttention()
        self.affine = book.TimeAffine(data['affine_W'].copy(), data['affine_b'].copy())
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


def numpy_runner(data, config):
    xs, ts = data['xs'], data['ts']
    encoder, decoder = AttentionEncoder(data), AttentionDecoder(data)
    loss_layer = book.TimeSoftmaxWithLoss()
    params = encoder.params + decoder.params
    grads = encoder.grads + decoder.grads
    optimizer = book.Adam(config['lr'])

    class Runner:
        def step(self, i):
            x, t = xs[i], ts[i]
            loss = loss_layer.forward(decoder.forward(t[:, :-1], encoder.forward(x)), t[:, 1:])
            encoder.backward(decoder.backward(loss_layer.backward()))
            book.clip_grads(grads, config['clip'])
            optimizer.update(params, grads)
            return float(loss)

    return Runner()
