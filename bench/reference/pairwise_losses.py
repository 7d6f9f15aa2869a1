"""Forward + backward time of the pairwise losses in PyTorch (float32, CPU), for
`bench/pairwise.ts`. The losses are vectorised forms of those in fixtures_pairwise.py (same
math; semi-hard mining over a [B, B, B] mask as TF-addons does, with docs/algorithms.md's rule).
Prints one JSON line: {"ms": {loss: median ms}}.

Pin threads from the environment BEFORE Python starts (bench/pairwise.ts does this):
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 pairwise_losses.py
"""
import argparse
import json

from timing import time_calls
import torch
import torch.nn.functional as F

from fixtures_pairwise import dcl_public, hcl_official


def distances(x):
    g = x @ x.t()
    sq = (g.diag()[:, None] + g.diag()[None, :] - 2 * g).clamp(min=0)
    return torch.sqrt(sq + torch.eye(len(x)))  # the diagonal never enters the loss


def masks(labels):
    same = labels[:, None] == labels[None, :]
    return same & ~torch.eye(len(labels), dtype=torch.bool), ~same


def batch_hard(x, labels, margin=0.2):
    d = distances(F.normalize(x, dim=1))
    pos, neg = masks(labels)
    d_ap = torch.where(pos, d, torch.full_like(d, -1.0)).max(1).values
    d_an = torch.where(neg, d, torch.full_like(d, float("inf"))).min(1).values
    valid = pos.any(1) & neg.any(1)
    return F.relu(d_ap - d_an + margin)[valid].mean()


def semi_hard(x, labels, margin=0.2):
    d = distances(F.normalize(x, dim=1))
    pos, neg = masks(labels)
    with torch.no_grad():
        d_an = torch.where(neg, d, torch.full_like(d, float("inf")))[:, None, :]  # [a, 1, n]
        d_ap = d[:, :, None]  # [a, p, 1]
        band = (d_an > d_ap) & (d_an < d_ap + margin)
        in_band = torch.where(band, d_an, torch.full_like(d_an.expand_as(band), float("inf"))).min(2)
        hardest = d_an.min(2).indices.expand(-1, len(labels))
        choice = torch.where(in_band.values < float("inf"), in_band.indices, hardest)  # [a, p]
    chosen = d.gather(1, choice)
    valid = pos & neg.any(1, keepdim=True)
    return F.relu(d - chosen + margin)[valid].mean()


def mnrl_own(q, p, h, scale=20.0):
    qn, pn, hn = F.normalize(q, dim=1), F.normalize(p, dim=1), F.normalize(h, dim=2)
    scores = torch.cat([qn @ pn.t(), torch.einsum("bd,bhd->bh", qn, hn)], 1) * scale
    return F.cross_entropy(scores, torch.arange(len(q)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--hard", type=int, default=4)
    ap.add_argument("--classes", type=int, default=32)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    B, D, H = a.batch, a.dim, a.hard
    z1 = torch.randn(B, D, requires_grad=True)
    z2 = torch.randn(B, D, requires_grad=True)
    h = torch.randn(B, H, D, requires_grad=True)
    labels = torch.randint(0, a.classes, (B,))
    cases = {
        "hcl": (lambda: hcl_official(z1, z2, 0.5, 0.1, 1.0), [z1, z2]),
        "dcl": (lambda: dcl_public(z1, z2, 0.1), [z1, z2]),
        "dclw": (lambda: dcl_public(z1, z2, 0.1, 0.5), [z1, z2]),
        "triplet-batch-hard": (lambda: batch_hard(z1, labels), [z1]),
        "triplet-semi-hard": (lambda: semi_hard(z1, labels), [z1]),
        "mnrl": (lambda: mnrl_own(z1, z2, h), [z1, z2, h]),
    }
    ms = {}
    for name, (loss, inputs) in cases.items():
        median, _, _ = time_calls(lambda: torch.autograd.grad(loss(), inputs), 3, a.runs)
        ms[name] = round(median, 3)
    print(json.dumps({"ms": ms, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
