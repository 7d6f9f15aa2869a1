"""Writes test/train/fixtures/optimizers.json: torch.optim SGD / Adam / AdamW trajectories.

A 2x3 parameter takes 3 steps with given gradients and a learning rate that changes every
step (set through param_groups, as a schedule does). float64 throughout.
Run: /usr/bin/python3 bench/reference/optimizer_fixture.py
"""
import json
import os

import torch

theta0 = [[0.5, -1.0, 2.0], [0.0, 1.5, -0.25]]
grads = [
    [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05]],
    [[-0.3, 0.1, 0.2], [0.2, -0.1, 0.4]],
    [[0.05, 0.3, -0.2], [0.1, 0.1, -0.3]],
]
lrs = [0.1, 0.05, 0.02]
cases = {
    "sgd": dict(cls=torch.optim.SGD, kw=dict(momentum=0.9, weight_decay=0.01)),
    "sgd_nesterov": dict(cls=torch.optim.SGD, kw=dict(momentum=0.9, weight_decay=0.01, nesterov=True)),
    "sgd_plain": dict(cls=torch.optim.SGD, kw=dict(momentum=0.0, weight_decay=0.0)),
    "adam": dict(cls=torch.optim.Adam, kw=dict(betas=(0.9, 0.999), eps=1e-8)),
    "adamw": dict(cls=torch.optim.AdamW, kw=dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
}
out = {"torch": torch.__version__, "theta0": theta0, "grads": grads, "lrs": lrs, "cases": {}}
for name, c in cases.items():
    p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = c["cls"]([p], lr=lrs[0], **c["kw"])
    trajectory = []
    for g, lr in zip(grads, lrs):
        for group in opt.param_groups:
            group["lr"] = lr
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        trajectory.append(p.detach().tolist())
    kw = {k: (list(v) if isinstance(v, tuple) else v) for k, v in c["kw"].items()}
    out["cases"][name] = {"options": kw, "after_each_step": trajectory}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "train", "fixtures", "optimizers.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print("wrote", os.path.normpath(path))
