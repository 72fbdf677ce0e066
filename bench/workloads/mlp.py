"""bench/workloads/mlp.ts's references: the MLP step in PyTorch and in the book's numpy layers."""
import book_layers as book


def torch_runner(data, config):
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(data['x'])
    t = torch.from_numpy(data['t']).long()
    idx = torch.from_numpy(data['idx']).long()
    modules = []
    for layer in range(1, config['layers'] + 1):
        W, b = data[f'W{layer}'], data[f'b{layer}']
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            # nn.Linear keeps its weight as [out, in]: the transpose of the book's W.
            linear.weight.copy_(torch.from_numpy(W.T))
            linear.bias.copy_(torch.from_numpy(b))
        modules += [linear, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*modules[:-1])
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
    layers = []
    for layer in range(1, config['layers'] + 1):
        layers += [book.Affine(data[f'W{layer}'].copy(), data[f'b{layer}'].copy()), book.Sigmoid()]
    layers = layers[:-1]
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
