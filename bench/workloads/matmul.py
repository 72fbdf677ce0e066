"""bench/workloads/matmul.ts's references: Y = A·B with dA = G·Bᵀ and dB = Aᵀ·G, in PyTorch's autograd
and in the book's MatMul layer."""
import book_layers as book
from runner import probe


def torch_runner(data, config):
    import torch

    a = torch.from_numpy(data['A']).requires_grad_()
    b = torch.from_numpy(data['B']).requires_grad_()
    g = torch.from_numpy(data['G'])

    class Runner:
        y = None

        def step(self, i):
            a.grad = None
            b.grad = None
            self.y = a @ b
            self.y.backward(g)

        def finish(self):
            return probe([self.y.detach().numpy(), a.grad.numpy(), b.grad.numpy()])

    return Runner()


def numpy_runner(data, config):
    a, g = data['A'], data['G']
    layer = book.MatMul(data['B'].copy())

    class Runner:
        y = None
        da = None

        def step(self, i):
            self.y = layer.forward(a)
            self.da = layer.backward(g)

        def finish(self):
            return probe([self.y, self.da, layer.grads[0]])

    return Runner()
