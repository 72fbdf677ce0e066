"""bench/workloads/peeky-seq2seq.ts's references: the book's chapter-7 PeekySeq2seq step in PyTorch
(nn.Embedding, nn.LSTM, nn.Linear, clip_grad_norm_, the book's Adam) and in the book's numpy layers."""
import numpy as np

import book_layers as book


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
            _, (h, _) = enc_lstm(enc_embed(x))
            dec_in, dec_t = t[:, :-1], t[:, 1:]
            peek = h[0].unsqueeze(1).expand(-1, dec_in.shape[1], -1)
            out, _ = dec_lstm(torch.cat([peek, dec_embed(dec_in)], 2), (h, torch.zeros_like(h)))
            scores = affine(torch.cat([peek, out], 2))
            loss = F.cross_entropy(scores.reshape(-1, vocab), dec_t.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config['clip'])
            optimizer.step()
            return loss.item()

    return Runner()


class Encoder:
    def __init__(self, data):
        self.embed = book.TimeEmbedding(data['enc_embed'].copy())
        self.lstm = book.TimeLSTM(data['enc_Wx'].copy(), data['enc_Wh'].copy(), data['enc_b'].copy(), stateful=False)
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


class PeekyDecoder:
    def __init__(self, data):
        self.embed = book.TimeEmbedding(data['dec_embed'].copy())
        self.lstm = book.TimeLSTM(data['dec_Wx'].copy(), data['dec_Wh'].copy(), data['dec_b'].copy(), stateful=True)
        self.affine = book.TimeAffine(data['affine_W'].copy(), data['affine_b'].copy())
        self.params = self.embed.params + self.lstm.params + self.affine.params
        self.grads = self.embed.grads + self.lstm.grads + self.affine.grads
        self.H = None

    def forward(self, xs, h):
        N, T = xs.shape
        self.H = H = h.shape[1]
        self.lstm.set_state(h)
        hs = np.repeat(h, T, axis=0).reshape(N, T, H)
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


def numpy_runner(data, config):
    xs, ts = data['xs'], data['ts']
    encoder, decoder = Encoder(data), PeekyDecoder(data)
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
