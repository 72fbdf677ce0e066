"""bench/workloads/lstm-lm.ts's references: the book's chapter-6 Rnnlm step in PyTorch (nn.Embedding,
nn.LSTM, nn.Linear, clip_grad_norm_, SGD) and in the book's numpy time layers."""
import book_layers as book


def torch_runner(data, config):
    import torch
    import torch.nn.functional as F

    import torch_layers as tl

    xs = torch.from_numpy(data['xs']).long()
    ts = torch.from_numpy(data['ts']).long()
    embed = tl.embedding(data['embed_W'])
    lstm = tl.lstm(data['lstm_Wx'], data['lstm_Wh'], data['lstm_b'])
    affine = tl.linear(data['affine_W'], data['affine_b'])
    params = tl.trained([embed, lstm, affine])
    optimizer = torch.optim.SGD(params, lr=config['lr'])
    vocab = config['vocab']

    class Runner:
        state = None

        def step(self, i):
            optimizer.zero_grad(set_to_none=True)
            hs, state = lstm(embed(xs[i]), self.state)
            # stateful, truncated: the next step starts from this state, cut from this graph
            self.state = tuple(s.detach() for s in state)
            loss = F.cross_entropy(affine(hs).reshape(-1, vocab), ts[i].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, config['clip'])
            optimizer.step()
            return loss.item()

    return Runner()


def numpy_runner(data, config):
    xs, ts = data['xs'], data['ts']
    layers = [
        book.TimeEmbedding(data['embed_W'].copy()),
        book.TimeLSTM(data['lstm_Wx'].copy(), data['lstm_Wh'].copy(), data['lstm_b'].copy(), stateful=True),
        book.TimeAffine(data['affine_W'].copy(), data['affine_b'].copy()),
    ]
    loss_layer = book.TimeSoftmaxWithLoss()
    params = [p for layer in layers for p in layer.params]
    grads = [g for layer in layers for g in layer.grads]
    optimizer = book.SGD(config['lr'])

    class Runner:
        def step(self, i):
            out = xs[i]
            for layer in layers:
                out = layer.forward(out)
            loss = loss_layer.forward(out, ts[i])
            dout = loss_layer.backward()
            for layer in reversed(layers):
                dout = layer.backward(dout)
            book.clip_grads(grads, config['clip'])
            optimizer.update(params, grads)
            return float(loss)

    return Runner()
