"""PyTorch fixtures for hardneg's pairwise losses: HCL, DCL/DCLW, batch-hard and semi-hard
triplet, MNRL. Each loss is written here the way its public code computes it (PyTorch autograd,
float64 on float32-representable inputs), independently of hardneg's TypeScript:

- HCL: the official `criterion` of Robinson et al. (joshr17/HCL, image/main.py): exponentiated
  similarities, masked negatives, imp = exp(beta * log neg), clamp at N * e^(-1/T).
- DCL/DCLW: the DCL authors' one-way loss (negatives masked with log(1e-45) before logsumexp,
  weight 2 - B * softmax(z1.z2 / sigma)) summed over both directions as their training loop does;
  and lightly's convention (weights detached, mean of the two directions).
- Batch-hard triplet (Hermans et al.): Euclidean distance matrix, masked max / min, hinge or
  softplus, mean over anchors that have a positive and a negative.
- Semi-hard triplet per docs/algorithms.md (per (anchor, positive) pair: the closest negative
  with d_ap < d_an < d_ap + margin, else the hardest negative).
- MNRL with sentence-transformers' semantics: scale * cos_sim(anchor, [positives; all negative
  columns]) and cross-entropy with target i; the symmetric variant adds CE of the transposed
  anchor-positive block and halves the sum. Also each query's own negatives only (hardneg's
  default), by masking the others'.

Run: /usr/bin/python3 bench/reference/fixtures_pairwise.py  (writes test/fixtures/pairwise.json)
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240607)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "pairwise.json")


def rnd(*shape):
    """Seeded normal draws, rounded to float32 and returned as float64 leaves that need grad."""
    return torch.randn(*shape, dtype=torch.float32).double().requires_grad_(True)


def listed(t, digits=9):
    if t.dim() == 0:
        return float(f"{t.item():.{digits}g}")
    return [listed(x, digits) for x in t]


def case(name, inputs, options, loss_fn, extra=None):
    for t in inputs.values():
        if t.grad is not None:
            t.grad = None
    loss = loss_fn()
    loss.backward()
    out = {"name": name, "options": options}
    out.update({k: listed(v.detach()) for k, v in inputs.items()})
    if extra:
        out.update(extra)
    out["loss"] = listed(loss.detach(), 12)
    out["grad"] = {k: listed(v.grad, 10) for k, v in inputs.items()}
    return out


# ---------------------------------------------------------------- HCL (official criterion)
def hcl_official(out_1, out_2, temperature, tau_plus, beta, clamped=None):
    out_1, out_2 = F.normalize(out_1, dim=1), F.normalize(out_2, dim=1)
    batch_size = out_1.shape[0]
    out = torch.cat([out_1, out_2], dim=0)
    neg = torch.exp(torch.mm(out, out.t()) / temperature)
    mask = torch.ones((batch_size, 2 * batch_size), dtype=torch.bool)
    for i in range(batch_size):
        mask[i, i] = False
        mask[i, i + batch_size] = False
    mask = torch.cat((mask, mask), 0)
    neg = neg.masked_select(mask).view(2 * batch_size, -1)
    pos = torch.exp(torch.sum(out_1 * out_2, dim=-1) / temperature)
    pos = torch.cat([pos, pos], dim=0)
    N = batch_size * 2 - 2
    imp = (beta * neg.log()).exp()
    reweight_neg = (imp * neg).sum(dim=-1) / imp.mean(dim=-1)
    Ng = (-tau_plus * N * pos + reweight_neg) / (1 - tau_plus)
    if clamped is not None:
        clamped.append(int((Ng < N * math.e ** (-1 / temperature)).sum()))
    Ng = torch.clamp(Ng, min=N * math.e ** (-1 / temperature))
    return (-torch.log(pos / (pos + Ng))).mean()


def hcl_cases():
    out = []
    for name, B, D, opts, aligned in [
        ("defaults", 6, 5, {"temperature": 0.5, "beta": 1.0, "tauPlus": 0.1}, False),
        ("beta 0.5, tau+ 0.05, T 0.2", 5, 4, {"temperature": 0.2, "beta": 0.5, "tauPlus": 0.05}, False),
        ("clamp active on some views (aligned views, tau+ 0.3)", 6, 5, {"temperature": 0.5, "beta": 1.0, "tauPlus": 0.3}, True),
    ]:
        z1 = rnd(B, D)
        z2 = (z1.detach() + 0.5 * torch.randn(B, D, dtype=torch.float32).double()).float().double().requires_grad_(True) if aligned else rnd(B, D)
        clamped = []
        out.append(case(name, {"z1": z1, "z2": z2}, opts,
                        lambda: hcl_official(z1, z2, opts["temperature"], opts["tauPlus"], opts["beta"], clamped)))
        out[-1]["clampedViews"] = clamped[0]
    return out


# ---------------------------------------------------------------- DCL (authors' code; lightly)
SMALL_NUM = math.log(1e-45)


def dcl_one_way(z1, z2, temperature, weight_fn=None):
    cross = torch.mm(z1, z2.t())
    positive_loss = -torch.diag(cross) / temperature
    if weight_fn is not None:
        positive_loss = positive_loss * weight_fn(z1, z2)
    neg_similarity = torch.cat((torch.mm(z1, z1.t()), cross), dim=1) / temperature
    neg_mask = torch.eye(z1.size(0), dtype=z1.dtype).repeat(1, 2)
    negative_loss = torch.logsumexp(neg_similarity + neg_mask * SMALL_NUM, dim=1)
    return (positive_loss + negative_loss).mean()


def vmf_weight(sigma, detach):
    def fn(z1, z2):
        if detach:
            z1, z2 = z1.detach(), z2.detach()
        return 2 - z1.size(0) * F.softmax((z1 * z2).sum(dim=1) / sigma, dim=0)
    return fn


def dcl_public(z1, z2, temperature, sigma=None, detach_weight=False):
    z1, z2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    w = None if sigma is None else vmf_weight(sigma, detach_weight)
    total = dcl_one_way(z1, z2, temperature, w) + dcl_one_way(z2, z1, temperature, w)
    return total / 2 if detach_weight else total


def dcl_cases():
    out = []
    for name, B, D, opts in [
        ("DCL, authors' code (sum of directions)", 6, 5, {"temperature": 0.1}),
        ("DCLW, authors' code (gradient through w)", 6, 5, {"temperature": 0.1, "sigma": 0.5}),
        ("DCLW, lightly (w detached, mean of directions)", 6, 5, {"temperature": 0.1, "sigma": 0.5, "detachWeights": True}),
        ("DCL T 0.5, B 3", 3, 4, {"temperature": 0.5}),
    ]:
        z1, z2 = rnd(B, D), rnd(B, D)
        out.append(case(name, {"z1": z1, "z2": z2}, opts,
                        lambda: dcl_public(z1, z2, opts["temperature"], opts.get("sigma"), opts.get("detachWeights", False))))
    return out


# ---------------------------------------------------------------- triplet
def euclidean_matrix(x):
    diff = x[:, None, :] - x[None, :, :]
    sq = (diff ** 2).sum(-1)
    eye = torch.eye(x.shape[0], dtype=torch.bool)
    # the diagonal never enters the loss; keep sqrt away from 0 there
    return torch.sqrt(torch.where(eye, torch.ones_like(sq), sq))


def triplet_batch_hard(x, labels, margin, soft):
    x = F.normalize(x, dim=1)
    d = euclidean_matrix(x)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos_mask, neg_mask = same & ~eye, ~same
    d_ap = torch.where(pos_mask, d, torch.full_like(d, -1.0)).max(dim=1).values
    d_an = torch.where(neg_mask, d, torch.full_like(d, float("inf"))).min(dim=1).values
    valid = pos_mask.any(1) & neg_mask.any(1)
    gap = (d_ap - d_an)[valid]
    per = F.softplus(gap) if soft else F.relu(gap + margin)
    return per.mean()


def triplet_semi_hard(x, labels, margin):
    x = F.normalize(x, dim=1)
    d = euclidean_matrix(x)
    B = len(labels)
    terms = []
    for a in range(B):
        negs = [n for n in range(B) if labels[n] != labels[a]]
        if not negs:
            continue
        for p in range(B):
            if p == a or labels[p] != labels[a]:
                continue
            band = [n for n in negs if d[a, p] < d[a, n] < d[a, p] + margin]
            pool = band if band else negs
            n = min(pool, key=lambda k: d[a, k].item())
            terms.append(F.relu(d[a, p] - d[a, n] + margin))
    return torch.stack(terms).mean()


def triplet_cases():
    out = []
    for name, labels, D, opts, kind in [
        ("batch-hard hinge", [0, 0, 1, 1, 1, 2, 2, 3], 5, {"margin": 0.2}, "batchHard"),
        ("batch-hard soft margin", [0, 0, 1, 1, 1, 2, 2, 3], 5, {"margin": 0.2, "soft": True}, "batchHard"),
        ("batch-hard margin 1.0", [1, 0, 1, 0, 2, 2], 4, {"margin": 1.0}, "batchHard"),
        ("semi-hard margin 0.3", [0, 0, 0, 1, 1, 1, 2, 2], 5, {"margin": 0.3}, "semiHard"),
        ("semi-hard margin 1.0", [0, 1, 0, 1, 2, 2, 3], 4, {"margin": 1.0}, "semiHard"),
    ]:
        x = rnd(len(labels), D)
        lab = torch.tensor(labels)
        fn = (lambda: triplet_batch_hard(x, lab, opts["margin"], opts.get("soft", False))) if kind == "batchHard" \
            else (lambda: triplet_semi_hard(x, lab, opts["margin"]))
        out.append(case(name, {"embeddings": x}, opts, fn, {"kind": kind, "labels": labels}))
    return out


# ---------------------------------------------------------------- MNRL (sentence-transformers semantics)
def cos_sim(a, b):
    return torch.mm(F.normalize(a, dim=1), F.normalize(b, dim=1).t())


def mnrl_st(q, p, hard=None, scale=20.0, own_only=False, symmetric=False):
    B = q.shape[0]
    candidates = [p]
    if hard is not None:
        candidates += [hard[:, h, :] for h in range(hard.shape[1])]  # one "negative column" per h
    scores = cos_sim(q, torch.cat(candidates)) * scale  # [B, B + B*H]
    if hard is not None and own_only:
        H = hard.shape[1]
        keep = torch.ones_like(scores, dtype=torch.bool)
        for h in range(H):
            keep[:, B * (h + 1):B * (h + 2)] = torch.eye(B, dtype=torch.bool)
        scores = scores.masked_fill(~keep, float("-inf"))
    labels = torch.arange(B)
    forward = F.cross_entropy(scores, labels)
    if not symmetric:
        return forward
    backward = F.cross_entropy(scores[:, :B].t(), labels)
    return (forward + backward) / 2


def mnrl_cases():
    out = []
    for name, B, H, D, opts in [
        ("pairs only", 5, 0, 6, {"scale": 20}),
        ("shared hard negatives (sentence-transformers)", 5, 2, 6, {"scale": 20, "shareHardNegatives": True}),
        ("own hard negatives", 5, 2, 6, {"scale": 20}),
        ("symmetric (MultipleNegativesSymmetricRankingLoss)", 4, 1, 6, {"scale": 20, "symmetric": True, "shareHardNegatives": True}),
        ("scale 5, own negatives, symmetric", 4, 3, 3, {"scale": 5, "symmetric": True}),
    ]:
        q, p = rnd(B, D), rnd(B, D)
        inputs = {"queries": q, "positives": p}
        h = None
        if H > 0:
            h = rnd(B, H, D)
            inputs["hardNegatives"] = h
        own = H > 0 and not opts.get("shareHardNegatives", False)
        out.append(case(name, inputs, opts,
                        lambda: mnrl_st(q, p, h, opts["scale"], own, opts.get("symmetric", False))))
    return out


def main():
    data = {
        "generator": "bench/reference/fixtures_pairwise.py",
        "torch": torch.__version__,
        "hcl": hcl_cases(),
        "dcl": dcl_cases(),
        "triplet": triplet_cases(),
        "mnrl": mnrl_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
