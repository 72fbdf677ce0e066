"""bench/workloads/spiral.ts's references: the book's chapter-1 step in PyTorch and in the book's numpy."""
import book_layers as book


def torch_runner(data, config):
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(data['x'])
    t = torch.from_numpy(data['t']).long()
    idx = torch.from_numpy(data['idx']).long()
    model = torch.nn.Sequential(torch.nn.Linear(2, data['W1'].shape[1]), torch.nn.Sigmoid(),
                                torch.nn.Linear(*data['W2'].shape))
    with torch.no_grad():
        # nn.Linear keeps its weight as [out, in]: the transposes of the book's W.
        model[0].weight.copy_(torch.from_numpy(data['W1'].T))
        model[0].bias.copy_(torch.from_numpy(data['b1']))
        model[2].weight.copy_(torch.from_numpy(data['W2'].T))
        model[2].bias.copy_(torch.from_numpy(data['b2']))
    optimizer = torch.optim.SGD(model.parameters(), lr=config['lr'])

    class Runner:
        def step(self, i):
            rows = idx[i]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[rows]), t[rows])
            loss.backward()
            optimizer.step()
            return loss.item()

    return Runner()


def numpy_runner(data, config):
    x, t, idx = data['x'], data['t'], data['idx']
    layers = [book.Affine(data['W1'].copy(), data['b1'].copy()), book.Sigmoid(),
              book.Affine(data['W2'].copy(), data['b2'].copy())]
    loss_layer = book.SoftmaxWithLoss()
    params = [p for layer in layers for p in layer.params]
    grads = [g for layer in layers for g in layer.grads]
    optimizer = book.SGD(config['lr'])

    class Runner:
        def step(self, i):
            rows = idx[i]
            out = x[rows]
            for layer in layers:
                out = layer.forward(out)
            loss = loss_layer.forward(out, t[rows])
            dout = loss_layer.backward()
            for layer in reversed(layers):
                dout = layer.backward(dout)
            optimizer.update(params, grads)
            return float(loss)

    return Runner()

