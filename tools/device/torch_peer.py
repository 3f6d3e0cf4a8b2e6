#!/usr/bin/env python3
"""PyTorch on the same GPU as ConvSharp's device check, for the same work: SGEMM at 1024..8192, the conv layers of
docs/benchmarks.md (forward, and forward + backward), and training steps (forward, cross-entropy, backward, Adam) of
the 29,066-parameter mnist-cnn, LeNet-5 and cifar-cnn at batch 64 and 256 — each in fp32 with TF32 off, and again
with TF32 on. Timing: CUDA events around each repetition after warm-up; the median is reported. Writes a markdown
table (--markdown) and the figures as JSON (--json) that DeviceCheck reads (--peer) to set ConvSharp beside them."""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

SGEMM_SIZES = [1024, 2048, 4096, 8192]
# N, C, K, H, W, kernel, stride, padding: the shapes of tools/DeviceCheck/Check.cs (named as its ConvShape prints them).
CONV_SHAPES = [
    (16, 1, 16, 28, 28, 3, 1, 1), (16, 16, 32, 14, 14, 3, 1, 1), (16, 32, 64, 7, 7, 3, 1, 1), (16, 3, 32, 32, 32, 3, 1, 1),
    (16, 32, 32, 32, 32, 3, 1, 1), (16, 32, 64, 16, 16, 3, 1, 1), (16, 64, 64, 16, 16, 3, 1, 1), (32, 64, 64, 56, 56, 3, 1, 1),
    (8, 256, 256, 14, 14, 3, 1, 1), (1, 3, 16, 768, 1024, 5, 2, 1),
]
BATCHES = [64, 256]


def shape_name(n, c, k, h, w, kernel, stride, pad):
    name = f"{n} {c}→{k} {h}×{w}"
    if (kernel, stride, pad) != (3, 1, 1):
        name += f", {kernel}×{kernel} stride {stride} pad {pad}"
    return name


def network(name):
    if name == "mnist-cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 3 * 3, 10)), (1, 28, 28)
    if name == "lenet5":
        return nn.Sequential(
            nn.Conv2d(3, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(16, 120, 5), nn.Tanh(),
            nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10)), (3, 32, 32)
    if name == "cifar-cnn":
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 10)), (3, 32, 32)
    raise ValueError(name)


def median_ms(body, warmup=3, reps=20, budget_s=1.0):
    for _ in range(warmup):
        body()
    torch.cuda.synchronize()
    times = []
    begin = time.perf_counter()
    while len(times) < 3 or (len(times) < reps and time.perf_counter() - begin < budget_s):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        body()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def set_tf32(on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("torch_peer.py: torch.cuda.is_available() is False", file=sys.stderr)
        return 3
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
              "cudnn": torch.backends.cudnn.version(), "sgemm": [], "conv": [], "train": []}
    for tf32 in (False, True):
        set_tf32(tf32)
        for n in SGEMM_SIZES:
            a, b = torch.rand(n, n, device=dev), torch.rand(n, n, device=dev)
            result["sgemm"].append({"size": n, "tf32": tf32, "ms": median_ms(lambda: torch.mm(a, b), reps=10, budget_s=0.5)})
            del a, b
        for (n, c, k, h, w, kernel, stride, pad) in CONV_SHAPES:
            conv = nn.Conv2d(c, k, kernel, stride=stride, padding=pad).to(dev)
            x = torch.rand(n, c, h, w, device=dev, requires_grad=True)
            fwd = median_ms(lambda: conv(x), budget_s=0.3)
            train = median_ms(lambda: conv(x).sum().backward(), budget_s=0.3)
            result["conv"].append({"shape": shape_name(n, c, k, h, w, kernel, stride, pad), "tf32": tf32, "fwd_ms": fwd, "train_ms": train})
        for name in ("mnist-cnn", "lenet5", "cifar-cnn"):
            for batch in BATCHES:
                net, shape = network(name)
                net = net.to(dev)
                opt = torch.optim.Adam(net.parameters(), lr=1e-3)
                loss_fn = nn.CrossEntropyLoss()
                images = torch.rand(batch, *shape, device=dev)
                labels = torch.randint(0, 10, (batch,), device=dev)

                def step():
                    loss = loss_fn(net(images), labels)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    loss.item()
                ms = median_ms(step, warmup=5, reps=30, budget_s=1.0)
                params = sum(p.numel() for p in net.parameters())
                result["train"].append({"net": name, "batch": batch, "tf32": tf32, "ms": ms, "params": params})
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)

    def pick(part, tf32, **key):
        return next(e for e in result[part] if e["tf32"] == tf32 and all(e[k] == v for k, v in key.items()))
    lines = [f"## PyTorch {result['torch']} on {result['device']} (CUDA {result['cuda']}, cuDNN {result['cudnn']}; CUDA events, median after warm-up)", "",
             "| SGEMM n | fp32 (TF32 off) | GFLOP/s | TF32 on | GFLOP/s |", "|---:|---:|---:|---:|---:|"]
    for n in SGEMM_SIZES:
        off, on = pick("sgemm", False, size=n)["ms"], pick("sgemm", True, size=n)["ms"]
        lines.append(f"| {n} | {off:.3f} ms | {2 * n ** 3 / off / 1e6:.0f} | {on:.3f} ms | {2 * n ** 3 / on / 1e6:.0f} |")
    lines += ["", "| conv N C→K H×W | fwd fp32 | fwd+bwd fp32 | fwd TF32 | fwd+bwd TF32 |", "|---|---:|---:|---:|---:|"]
    for s in CONV_SHAPES:
        name = shape_name(*s)
        off, on = pick("conv", False, shape=name), pick("conv", True, shape=name)
        lines.append(f"| {name} | {off['fwd_ms']:.3f} ms | {off['train_ms']:.3f} ms | {on['fwd_ms']:.3f} ms | {on['train_ms']:.3f} ms |")
    lines += ["", "| training step | batch | fp32 ms | images/s | TF32 ms | images/s |", "|---|---:|---:|---:|---:|---:|"]
    for name in ("mnist-cnn", "lenet5", "cifar-cnn"):
        for batch in BATCHES:
            off, on = pick("train", False, net=name, batch=batch), pick("train", True, net=name, batch=batch)
            lines.append(f"| {name} ({off['params']:,} params) | {batch} | {off['ms']:.3f} | {batch * 1000 / off['ms']:.0f} | {on['ms']:.3f} | {batch * 1000 / on['ms']:.0f} |")
    with open(args.markdown, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
