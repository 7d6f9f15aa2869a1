"""The MoCo step of `bench/cnnMocoStep.ts`, in PyTorch, for side-by-side timing.

Encoder = hardneg's `cnn` + MoCo v2 head: per stage [avgpool 2x2 (stages > 0)] conv3x3 (no bias)
-> BatchNorm -> ReLU, global average pooling, then Linear(w, w) -> ReLU -> Linear(w, dim).
Step: momentum update (m = 0.99) of every parameter and BN buffer, keys with shuffled BN (key batch
permuted, BN statistics per sub-batch of B/4 as MoCo's single-GPU SplitBatchNorm, unpermuted),
queries with BN per sub-batch, logits [q.k, q.queue] / 0.2, cross-entropy, backward, SGD
(lr 0.03, momentum 0.9, weight decay 1e-4), enqueue.
Prints the median ms/step; with --json one line like the TypeScript side.

Pin threads from the environment BEFORE Python starts (the TypeScript side does this):
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 cnn_moco_step.py
"""
import argparse
import copy
import json

from timing import time_calls
import torch
import torch.nn as nn
import torch.nn.functional as F


class SplitBatchNorm(nn.BatchNorm2d):
    """BatchNorm with statistics per sub-batch in training mode (samples n with equal n % splits)."""

    def __init__(self, channels: int, splits: int):
        super().__init__(channels, momentum=0.1, eps=1e-5)
        self.splits = splits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return super().forward(x)
        n, c, h, w = x.shape
        k = self.splits
        mean, var = self.running_mean.repeat(k), self.running_var.repeat(k)
        out = F.batch_norm(x.view(-1, c * k, h, w), mean, var, self.weight.repeat(k), self.bias.repeat(k), True, self.momentum, self.eps)
        self.running_mean.copy_(mean.view(k, c).mean(0))
        self.running_var.copy_(var.view(k, c).mean(0))
        return out.view(n, c, h, w)


def encoder(channels: int, widths: list, dim: int, splits: int) -> nn.Module:
    layers = []
    for i, w in enumerate(widths):
        if i > 0:
            layers.append(nn.AvgPool2d(2))
        layers += [nn.Conv2d(channels if i == 0 else widths[i - 1], w, 3, padding=1, bias=False), SplitBatchNorm(w, splits), nn.ReLU()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], widths[-1]), nn.ReLU(), nn.Linear(widths[-1], dim)]
    return nn.Sequential(*layers)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--queue", type=int, default=4096)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--widths", type=str, default="32,64,128")
    p.add_argument("--groups", type=int, default=4)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    widths = [int(w) for w in a.widths.split(",")]
    q_enc = encoder(a.channels, widths, a.dim, a.groups).train()
    k_enc = copy.deepcopy(q_enc).train()
    for w in k_enc.parameters():
        w.requires_grad = False
    opt = torch.optim.SGD(q_enc.parameters(), lr=0.03, momentum=0.9, weight_decay=1e-4)
    queue = F.normalize(torch.randn(a.queue, a.dim), dim=1)
    ptr = 0
    xq = torch.rand(a.batch, a.channels, a.size, a.size)
    xk = torch.rand(a.batch, a.channels, a.size, a.size)
    T, m = 0.2, 0.99

    def step() -> float:
        nonlocal queue, ptr
        with torch.no_grad():
            for tk, tq in zip(k_enc.state_dict().values(), q_enc.state_dict().values()):
                if tk.dtype.is_floating_point:
                    tk.mul_(m).add_(tq.detach(), alpha=1 - m)
            order = torch.randperm(a.batch)
            k = torch.empty(a.batch, a.dim)
            k[order] = F.normalize(k_enc(xk[order]), dim=1)
        q = F.normalize(q_enc(xq), dim=1)
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], dim=1) / T
        loss = F.cross_entropy(logits, torch.zeros(a.batch, dtype=torch.long))
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            idx = (torch.arange(a.batch) + ptr) % a.queue
            queue[idx] = k
            ptr = (ptr + a.batch) % a.queue
        return loss.item()

    ms, _, loss = time_calls(step, a.warmup, a.steps)
    print(f"torch cnn moco-step: {ms:.2f} ms/step (median of {a.steps}; B={a.batch} K={a.queue}; threads={a.threads}; loss {loss:.4f})")
    if a.json:
        print(json.dumps({"bench": "cnn-moco-step", "backend": "torch", "torch": torch.__version__, "ms_per_step": round(ms, 2), "steps": a.steps}))


if __name__ == "__main__":
    main()
