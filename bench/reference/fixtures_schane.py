"""SCHaNe fixtures from the authors' own function: test/fixtures/schane.json.

The reference is `SCHaNe(..., estimator='hard')` in `CL_tools/losses.py` of GLA-IR/SCHaNe
(the file last changed in commit 3521fb0). Their code is NOT part of hardneg: fetch a copy
outside the project and pass its path (the directory holding CL_tools/):

    git clone https://github.com/GLA-IR/SCHaNe /tmp/schane-upstream
    /usr/bin/python3 bench/reference/fixtures_schane.py /tmp/schane-upstream

For each case: seeded float64 raw features [B, V, D], labels, τ, β; the features are
L2-normalised with F.normalize (as their CL_framework/engine.py does before calling the loss),
their function computes the loss, and autograd gives the gradient with respect to the raw
features. Every case has, for every anchor, a positive and a negative (their code divides by
zero otherwise).
"""
import json
import os
import subprocess
import sys

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "schane.json")


def load_upstream(path):
    if not os.path.isfile(os.path.join(path, "CL_tools", "losses.py")):
        sys.exit(f"fixtures_schane.py: {path} has no CL_tools/losses.py (pass the root of a GLA-IR/SCHaNe checkout)")
    sys.path.insert(0, path)
    from CL_tools.losses import SCHaNe  # noqa: E402  (their code, imported at generation time only)

    try:
        commit = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return SCHaNe, commit


def labels_for(gen, b, classes, v):
    """Seeded labels over `classes` classes; with one view every class gets >= 2 members."""
    while True:
        y = torch.randint(0, classes, (b,), generator=gen)
        counts = torch.bincount(y, minlength=classes)
        present = counts[counts > 0]
        if len(present) >= 2 and (v > 1 or bool((present >= 2).all())):
            return y


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fixtures_schane.py <path of a GLA-IR/SCHaNe checkout>")
    SCHaNe, commit = load_upstream(sys.argv[1])
    gen = torch.Generator().manual_seed(1313)
    # name, B, V, D, classes (None: every sample its own class), τ, β
    specs = [
        ("V2-B8-C3-t0.1-b1", 8, 2, 6, 3, 0.1, 1.0),
        ("V2-B8-C3-t0.1-b0", 8, 2, 6, 3, 0.1, 0.0),
        ("V2-B12-C4-t0.07-b1", 12, 2, 8, 4, 0.07, 1.0),
        ("V2-B16-C6-t0.5-b2", 16, 2, 5, 6, 0.5, 2.0),
        ("V2-B6-C2-t0.2-b0.5", 6, 2, 4, 2, 0.2, 0.5),
        ("V2-B10-unique-t0.1-b1", 10, 2, 6, None, 0.1, 1.0),
        ("V2-B5-unique-t0.5-b0", 5, 2, 4, None, 0.5, 0.0),
        ("V1-B8-C2-t0.1-b1", 8, 1, 6, 2, 0.1, 1.0),
        ("V1-B12-C3-t0.07-b0.5", 12, 1, 8, 3, 0.07, 0.5),
        ("V1-B16-C4-t0.2-b2", 16, 1, 5, 4, 0.2, 2.0),
        ("V1-B6-C2-t0.5-b0", 6, 1, 4, 2, 0.5, 0.0),
    ]
    cases = []
    for name, b, v, d, classes, temperature, beta in specs:
        y = torch.arange(b) if classes is None else labels_for(gen, b, classes, v)
        x = torch.randn(b, v, d, generator=gen, dtype=torch.float64).requires_grad_(True)
        loss = SCHaNe(F.normalize(x, dim=-1), 0.1, b, beta, "hard", temperature, labels=y, device="cpu")
        (g,) = torch.autograd.grad(loss, [x])
        assert torch.isfinite(loss) and torch.isfinite(g).all(), name
        cases.append({"name": name, "features": x.detach().tolist(), "labels": y.tolist(), "temperature": temperature,
                      "beta": beta, "loss": loss.item(), "grad": g.tolist()})
    out = {"generator": "bench/reference/fixtures_schane.py",
           "reference": f"GLA-IR/SCHaNe CL_tools/losses.py SCHaNe(estimator='hard') at {commit}",
           "torch": torch.__version__, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
