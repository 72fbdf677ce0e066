"""PyTorch reference for bench.ts: the same measurements on the same GPU, in true fp32.

    python3 bench/gpu/torch_ref.py [--small] > torch.json

prints one JSON object with the keys bench.ts reads (matmul_tflops, add_tbps, mlp_step_ms, ...).
TF32 is switched off so that matrix products are computed in fp32 as graphgrad's are.
"""
import argparse
import json
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")

FULL = {"matmul": [1024, 2048, 4096], "add_elements": 64 * 1024 * 1024, "mlp": {"width": 4096, "batch": 4096, "classes": 10}}
SMALL = {"matmul": [128, 256, 512], "add_elements": 1024 * 1024, "mlp": {"width": 256, "batch": 256, "classes": 10}}


def seconds_per_call(fn, repeats, warmup, device):
    """Seconds per call of fn after warmup calls, waiting for the device (as bench.ts's sync())."""
    for _ in range(warmup):
        fn()
    sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    sync(device)
    return (time.perf_counter() - start) / repeats


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def bench_matmul(n, device):
    a = torch.full((n, n), 1.0 / n, device=device)
    b = torch.full((n, n), 2.0, device=device)
    assert abs((a @ b)[0, 0].item() - 2.0) < 1e-3
    repeats = max(3, min(50, round(4e11 / (2 * n**3))))
    return 2 * n**3 / seconds_per_call(lambda: a @ b, repeats, 2, device) / 1e12


def bench_add(elements, device):
    a = torch.full((elements,), 1.0, device=device)
    b = torch.full((elements,), 2.0, device=device)
    return 3 * 4 * elements / seconds_per_call(lambda: a + b, 20, 3, device) / 1e12


def bench_mlp(width, batch, classes, device):
    # The same network as bench.ts: Affine -> Sigmoid -> Affine -> Sigmoid -> Affine -> softmax
    # cross entropy, plain SGD, in eager mode.
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(width, width), torch.nn.Sigmoid(),
        torch.nn.Linear(width, width), torch.nn.Sigmoid(),
        torch.nn.Linear(width, classes),
    ).to(device)
    x = torch.randn(batch, width, device=device)
    labels = torch.arange(batch, device=device) % classes
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), labels)
        loss.backward()
        optimizer.step()
        return loss

    assert torch.isfinite(step()).item()
    return seconds_per_call(step, 10, 2, device) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="the sizes of bench.ts --small")
    args = parser.parse_args()
    sizes = SMALL if args.small else FULL
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    mlp = sizes["mlp"]
    results = {
        "device": f"PyTorch {torch.__version__} on {name}",
        "matmul_tflops": {str(n): bench_matmul(n, device) for n in sizes["matmul"]},
        "add_tbps": bench_add(sizes["add_elements"], device),
        "add_elements": sizes["add_elements"],
        "mlp_step_ms": bench_mlp(mlp["width"], mlp["batch"], mlp["classes"], device),
        "mlp": mlp,
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
