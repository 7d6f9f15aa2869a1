"""PyTorch fixtures for MoCo InfoNCE and MoCHi with explicit draws -> test/fixtures/mochi.json.

Run: /usr/bin/python3 bench/reference/fixtures_mochi.py   (needs apt-get install -y python3-torch)
MoCHi is computed the way the paper's code does it (build the synthetic negatives, detach them,
concatenate their logits), with each query's own hardest list and the draws stored in the file.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def case(B, K, D, N, s, sp, tau):
    q_raw = torch.randn(B, D)
    k_raw = torch.randn(B, D)
    queue_raw = torch.randn(K, D)
    draws = {
        "i": torch.randint(0, N, (B, s)), "j": torch.randint(0, N, (B, s)), "alpha": torch.rand(B, s),
        "k": torch.randint(0, N, (B, sp)), "beta": torch.rand(B, sp) * 0.5,
    }
    q_in = q_raw.clone().requires_grad_(True)
    q = F.normalize(q_in, dim=1)
    k = F.normalize(k_raw, dim=1)
    queue = F.normalize(queue_raw, dim=1)
    l_pos = (q * k).sum(1, keepdim=True)
    l_neg = q @ queue.t()
    with torch.no_grad():
        # stable sort: equal scores keep the lower index first
        order = torch.sort(-l_neg, dim=1, stable=True).indices[:, :N]  # [B, N]
        hardest = queue[order]  # [B, N, D], each query's own list
        rows = torch.arange(B)[:, None]
        a = draws["alpha"][:, :, None]
        h = F.normalize(a * hardest[rows, draws["i"]] + (1 - a) * hardest[rows, draws["j"]], dim=2)
        be = draws["beta"][:, :, None]
        hp = F.normalize(be * q.detach()[:, None, :] + (1 - be) * hardest[rows, draws["k"]], dim=2)
    l_h = torch.einsum("bd,bsd->bs", q, h)
    l_hp = torch.einsum("bd,bsd->bs", q, hp)
    logits = torch.cat([l_pos, l_neg, l_h, l_hp], dim=1) / tau
    loss = F.cross_entropy(logits, torch.zeros(B, dtype=torch.long))
    loss.backward()
    return {
        "B": B, "K": K, "D": D, "N": N, "s": s, "sPrime": sp, "temperature": tau,
        "query": q_raw.flatten().tolist(), "key": k_raw.flatten().tolist(), "queue": queue_raw.flatten().tolist(),
        "draws": {name: v.flatten().tolist() for name, v in draws.items()},
        "hardest": order.flatten().tolist(),
        "loss": loss.item(), "grad_query": q_in.grad.flatten().tolist(),
    }


cases = [case(4, 32, 8, 5, 6, 3, 0.2), case(6, 80, 16, 8, 12, 6, 0.07), case(3, 20, 4, 20, 5, 0, 0.5), case(5, 40, 8, 4, 0, 0, 0.2)]
out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "mochi.json")
with open(out, "w") as f:
    json.dump({"generator": "bench/reference/fixtures_mochi.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {os.path.normpath(out)} ({len(cases)} cases)")
