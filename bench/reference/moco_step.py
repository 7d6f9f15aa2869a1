"""The MoCo training step of `hardneg bench moco-step`, in PyTorch, for side-by-side timing.

Same step as hardneg's `train/mocoStep.ts`: momentum update of the key encoder (m = 0.99), keys
from the key encoder (no grad), queries from the query encoder (MLP 784->512->ReLU->dim), logits
[q.k, q.queue] / T (T = 0.2), cross-entropy with target 0, backward, SGD (lr 0.03, momentum 0.9),
enqueue. Prints the median ms/step; with --json one line like hardneg's.

Pin threads from the environment BEFORE Python starts (npm run bench:compare does this):
OPENBLAS_NUM_THREADS=n OMP_NUM_THREADS=n OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 moco_step.py --threads n
(torch.set_num_threads alone still lets OpenBLAS start its own threads.)
"""
import argparse
import copy
import json

from timing import time_calls
import torch
import torch.nn.functional as F


def main() -> None:
    p = argparse.ArgumentParser()
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

    q_enc = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, a.dim))
    k_enc = copy.deepcopy(q_enc)
    for w in k_enc.parameters():
        w.requires_grad = False
    opt = torch.optim.SGD(q_enc.parameters(), lr=0.03, momentum=0.9)
    queue = F.normalize(torch.randn(a.queue, a.dim), dim=1)
    ptr = 0
    xq = torch.rand(a.batch, 784)
    xk = torch.rand(a.batch, 784)
    mochi = [int(v) for v in a.mochi.split(",")] if a.mochi else None
    T, m = 0.2, 0.99

    def step() -> float:
        nonlocal queue, ptr
        with torch.no_grad():
            for pk, pq in zip(k_enc.parameters(), q_enc.parameters()):
                pk.mul_(m).add_(pq.detach(), alpha=1 - m)
            k = F.normalize(k_enc(xk), dim=1)
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
    print(f"torch moco-step: {ms:.2f} ms/step (median of {a.steps}; B={a.batch} K={a.queue} D={a.dim}; threads={a.threads}; loss {loss:.4f})")
    if a.json:
        print(json.dumps({"bench": "moco-step", "backend": "torch", "ms_per_step": round(ms, 2), "steps": a.steps,
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
