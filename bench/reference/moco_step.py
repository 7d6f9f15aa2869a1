"""The MoCo training step of `hardneg bench moco-step`, in PyTorch, for side-by-side timing.

Same step as hardneg's `train/mocoStep.ts`, same flags as `hardneg bench moco-step`: momentum
update of the key encoder (m = 0.99, every parameter and BN buffer), keys from the key encoder
(no grad), queries from the query encoder, logits [q.k, q.queue] / T (T = 0.2), optional MoCHi
logits, cross-entropy with target 0, backward, SGD (lr 0.03, momentum 0.9), enqueue.

Encoders (hardneg's `src/cli/benchMocoStep.ts`):
  --encoder mlp: Linear(size*size*channels, w) -> ReLU -> ... -> Linear(w, dim); no weight decay.
  --encoder cnn: hardneg's `models/cnn.ts` + MoCo v2 head: per stage [AvgPool 2x2 (stages > 0)]
      conv3x3 (no bias) -> BN -> ReLU, then `blocks` residual blocks
      x + BN0(conv(ReLU(BN(conv(x))))) -> ReLU (the last BN's gamma starts at 0), global average
      pooling, Linear(w, w) -> ReLU -> Linear(w, dim); BN statistics per sub-batch of B/4 for
      queries and for keys, the key batch shuffled first (MoCo's shuffled BN on one device, as its
      SplitBatchNorm); weight decay 1e-4.
Prints the median ms/step; with --json one line like hardneg's.

Pin threads from the environment BEFORE Python starts (npm run bench:compare does this):
OPENBLAS_NUM_THREADS=n OMP_NUM_THREADS=n OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 moco_step.py --threads n
(torch.set_num_threads alone still lets OpenBLAS start its own threads.)
"""
import argparse
import copy
import json

from timing import time_calls
import torch
import torch.nn as nn
import torch.nn.functional as F

BN_GROUPS = 4


class SplitBatchNorm(nn.BatchNorm2d):
    """BatchNorm with statistics per sub-batch in training mode, as MoCo's SplitBatchNorm: the
    sub-batches are the samples n with equal n % splits (hardneg takes consecutive samples; either
    is a fixed partition of the batch, and the key shuffle makes a key's sub-batch random)."""

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


def conv_bn(cin: int, cout: int, zero_gamma: bool = False) -> list:
    bn = SplitBatchNorm(cout, BN_GROUPS)
    if zero_gamma:
        nn.init.zeros_(bn.weight)
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), bn]


class Residual(nn.Module):
    """x + BN0(conv(ReLU(BN(conv(x))))) -> ReLU."""

    def __init__(self, width: int):
        super().__init__()
        self.branch = nn.Sequential(*conv_bn(width, width), nn.ReLU(), *conv_bn(width, width, zero_gamma=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.branch(x))


def cnn(channels: int, widths: list, blocks: int, dim: int) -> nn.Module:
    layers = []
    for i, w in enumerate(widths):
        if i > 0:
            layers.append(nn.AvgPool2d(2))
        layers += [*conv_bn(channels if i == 0 else widths[i - 1], w), nn.ReLU()]
        layers += [Residual(w) for _ in range(blocks)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], widths[-1]), nn.ReLU(), nn.Linear(widths[-1], dim)]
    return nn.Sequential(*layers)


def mlp(inputs: int, widths: list, dim: int) -> nn.Module:
    layers = []
    for w in widths:
        layers += [nn.Linear(inputs, w), nn.ReLU()]
        inputs = w
    return nn.Sequential(*layers, nn.Linear(inputs, dim))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--encoder", choices=["mlp", "cnn"], default="mlp")
    p.add_argument("--widths", type=str, default=None, help="hidden widths (mlp, default 512) or stage widths (cnn, default 32,64,128)")
    p.add_argument("--blocks", type=int, default=0)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--queue", type=int, default=4096)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--mochi", type=str, default=None, help="N,s,s' to add MoCHi mixing (builds the synthetic tensor, as the paper's code)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    is_cnn = a.encoder == "cnn"
    widths = [int(w) for w in (a.widths or ("32,64,128" if is_cnn else "512")).split(",")]
    if is_cnn:
        q_enc = cnn(a.channels, widths, a.blocks, a.dim).train()
        shape = (a.batch, a.channels, a.size, a.size)
    else:
        q_enc = mlp(a.size * a.size * a.channels, widths, a.dim)
        shape = (a.batch, a.size * a.size * a.channels)
    k_enc = copy.deepcopy(q_enc)
    for w in k_enc.parameters():
        w.requires_grad = False
    opt = torch.optim.SGD(q_enc.parameters(), lr=0.03, momentum=0.9, weight_decay=1e-4 if is_cnn else 0)
    queue = F.normalize(torch.randn(a.queue, a.dim), dim=1)
    ptr = 0
    xq = torch.rand(*shape)
    xk = torch.rand(*shape)
    mochi = [int(v) for v in a.mochi.split(",")] if a.mochi else None
    T, m = 0.2, 0.99

    def keys() -> torch.Tensor:
        if not is_cnn:
            return F.normalize(k_enc(xk), dim=1)
        order = torch.randperm(a.batch)
        k = torch.empty(a.batch, a.dim)
        k[order] = F.normalize(k_enc(xk[order]), dim=1)
        return k

    def step() -> float:
        nonlocal queue, ptr
        with torch.no_grad():
            for tk, tq in zip(k_enc.state_dict().values(), q_enc.state_dict().values()):
                if tk.dtype.is_floating_point:
                    tk.mul_(m).add_(tq.detach(), alpha=1 - m)
            k = keys()
        q = F.normalize(q_enc(xq), dim=1)
        l_pos = (q * k).sum(1, keepdim=True)
        l_neg = q @ queue.t()
        logits = [l_pos, l_neg]
        if mochi is not None:
            logits += mochi_logits(q, queue, l_neg, *mochi)
        logits = torch.cat(logits, dim=1) / T
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
    print(f"torch moco-step: {ms:.2f} ms/step (median of {a.steps}; {a.encoder} {widths} blocks={a.blocks} on {a.size}x{a.size}x{a.channels};"
          f" B={a.batch} K={a.queue} D={a.dim}; threads={a.threads}; loss {loss:.4f})")
    if a.json:
        print(json.dumps({"bench": "moco-step", "backend": "torch", "ms_per_step": round(ms, 2), "steps": a.steps,
                          "encoder": a.encoder, "widths": widths, "blocks": a.blocks, "size": a.size, "channels": a.channels,
                          "batch": a.batch, "queue": a.queue, "dim": a.dim, "threads": a.threads,
                          "mochi": a.mochi, "torch": torch.__version__}))


def mochi_logits(q, queue, l_neg, N, s, s_prime):
    """MoCHi as in the paper's code: build the synthetic negatives, then their logits (no grad through them)."""
    B = q.shape[0]
    with torch.no_grad():
        hardest = queue[l_neg.topk(N, dim=1).indices]  # [B, N, D]
        out = []
        if s > 0:
            i = torch.randint(0, N, (B, s))
            j = torch.randint(0, N, (B, s))
            alpha = torch.rand(B, s, 1)
            rows = torch.arange(B)[:, None]
            h = F.normalize(alpha * hardest[rows, i] + (1 - alpha) * hardest[rows, j], dim=2)
            out.append(h)
        if s_prime > 0:
            k = torch.randint(0, N, (B, s_prime))
            beta = torch.rand(B, s_prime, 1) * 0.5
            rows = torch.arange(B)[:, None]
            hp = F.normalize(beta * q.detach()[:, None, :] + (1 - beta) * hardest[rows, k], dim=2)
            out.append(hp)
        synth = torch.cat(out, dim=1)  # [B, s + s', D]
    return [torch.einsum("bd,bsd->bs", q, synth)]


if __name__ == "__main__":
    main()
