"""PyTorch fixtures for hardneg's supervised contrastive losses: test/fixtures/supervised.json.

Run from the repository root with /usr/bin/python3 (needs python3-torch):
    /usr/bin/python3 bench/reference/fixtures_supervised.py

For each case: seeded float32 inputs, the options, the loss and its autograd gradient with
respect to the raw (unnormalised) inputs, computed in float64. Every loss L2-normalises its
inputs first, as hardneg does by default.
- ntXent: SimCLR NT-Xent over the 2B views, self-similarity masked out, mean over 2B anchors.
- supConSupContrast: SupCon L_out with the averaging of SupContrast's losses.py (views stacked
  view-major, logits shifted by their detached row max, an anchor without positives counts as 0
  in the mean over ALL anchors). hardneg leaves such anchors out of the mean instead, so its loss
  is this one divided by (anchors_with_positive / anchors); the tests assert that relation.
SCHaNe's fixtures come from the authors' own function: bench/reference/fixtures_schane.py.
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "supervised.json")


def views_first(features):
    """[B, V, D] -> [V*B, D] (all first views, then all second views, ...), as SupContrast stacks them."""
    return torch.cat(torch.unbind(features, dim=1), dim=0)


def nt_xent(z1, z2, temperature):
    b = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    logits = z @ z.T / temperature
    logits = logits.masked_fill(torch.eye(2 * b, dtype=torch.bool), float("-inf"))
    partner = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)])
    return F.cross_entropy(logits, partner)


def supcon_supcontrast(features, labels, temperature, base_temperature):
    n_views = features.shape[1]
    z = views_first(F.normalize(features, dim=2))
    logits = z @ z.T / temperature
    logits = logits - logits.max(dim=1, keepdim=True).values.detach()
    not_self = 1.0 - torch.eye(z.shape[0], dtype=z.dtype)
    same = (labels[:, None] == labels[None, :]).to(z.dtype).repeat(n_views, n_views) * not_self
    log_prob = logits - torch.log((torch.exp(logits) * not_self).sum(dim=1, keepdim=True))
    positives = same.sum(dim=1)
    positives = torch.where(positives < 1e-6, torch.ones_like(positives), positives)
    mean_log_prob_pos = (same * log_prob).sum(dim=1) / positives
    return -(temperature / base_temperature) * mean_log_prob_pos.mean()



def tensor(gen, *shape):
    return torch.randn(*shape, generator=gen, dtype=torch.float32).to(torch.float64).requires_grad_(True)


def as_list(t):
    return t.detach().tolist()


def main():
    gen = torch.Generator().manual_seed(2024)
    out = {"generator": "bench/reference/fixtures_supervised.py", "torch": torch.__version__,
           "ntXent": [], "supConSupContrast": []}

    for name, b, d, temperature in [("B4-D6-t0.5", 4, 6, 0.5), ("B6-D5-t0.1", 6, 5, 0.1)]:
        z1, z2 = tensor(gen, b, d), tensor(gen, b, d)
        loss = nt_xent(z1, z2, temperature)
        g1, g2 = torch.autograd.grad(loss, [z1, z2])
        out["ntXent"].append({"name": name, "z1": as_list(z1), "z2": as_list(z2), "temperature": temperature,
                              "loss": loss.item(), "grad_z1": as_list(g1), "grad_z2": as_list(g2)})

    supcon_cases = [
        ("V2-repeated-labels", 6, 2, 5, [0, 1, 0, 2, 1, 3], 0.1, 0.07),
        ("V1-anchors-without-positive", 8, 1, 6, [0, 0, 1, 2, 2, 3, 4, 4], 0.07, 0.07),
        ("V3", 4, 3, 4, [0, 1, 0, 2], 0.2, 0.07),
    ]
    for name, b, v, d, labels, temperature, base in supcon_cases:
        x = tensor(gen, b, v, d)
        y = torch.tensor(labels)
        loss = supcon_supcontrast(x, y, temperature, base)
        (g,) = torch.autograd.grad(loss, [x])
        same = (y[:, None] == y[None, :]).repeat(v, v) & ~torch.eye(b * v, dtype=torch.bool)
        out["supConSupContrast"].append({"name": name, "features": as_list(x), "labels": labels,
                                         "temperature": temperature, "base_temperature": base,
                                         "anchors_with_positive": int(same.any(dim=1).sum()),
                                         "loss": loss.item(), "grad": as_list(g)})

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
