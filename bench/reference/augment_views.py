"""Two augmented views of a [256, 1, 28, 28] batch in PyTorch, for timing beside `bench/augment.ts`.

The same work as hardneg's default digit views (data/augment/config.ts), vectorised over the
batch: random resized crop (scale [0.3, 1], ratio [3/4, 4/3]) composed with a rotation of up to
15 degrees (p = 0.5) into one affine grid, sampled bilinearly (grid_sample, zeros outside);
brightness/contrast jitter 0.4/0.4 (p = 0.8, clamped); Gaussian blur 3x3 with sigma in [0.1, 2]
(p = 0.5, reflected borders) as a grouped convolution. The crop draw is simplified to one try
with clamping (no rejection loop). Prints the median ms for both views; with --json one line.

Pin threads from the environment BEFORE Python starts:
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 augment_views.py --threads 1
"""
import argparse
import json
import math

from timing import time_calls
import torch
import torch.nn.functional as F


def view(x: torch.Tensor) -> torch.Tensor:
    b, _, h, w = x.shape
    area = torch.empty(b).uniform_(0.3, 1.0)
    ratio = torch.exp(torch.empty(b).uniform_(math.log(3 / 4), math.log(4 / 3)))
    cw = torch.sqrt(area * ratio).clamp(max=1.0)  # crop width / image width
    ch = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (torch.rand(b) * 2 - 1) * (1 - cw)  # crop centre in [-1, 1] coordinates
    cy = (torch.rand(b) * 2 - 1) * (1 - ch)
    angle = torch.where(torch.rand(b) < 0.5, (torch.rand(b) * 2 - 1) * math.radians(15), torch.zeros(b))
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cw * cos, cw * sin, cx], 1), torch.stack([-ch * sin, ch * cos, cy], 1)], 1)
    grid = F.affine_grid(theta, [b, 1, h, w], align_corners=False)
    y = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    jit = (torch.rand(b) < 0.8).view(b, 1, 1, 1)
    bright = torch.empty(b, 1, 1, 1).uniform_(0.6, 1.4)
    contrast = torch.empty(b, 1, 1, 1).uniform_(0.6, 1.4)
    yb = (y * bright).clamp(max=1.0)
    yc = (contrast * yb + (1 - contrast) * yb.mean(dim=(1, 2, 3), keepdim=True)).clamp(0.0, 1.0)
    y = torch.where(jit, yc, y)

    blur = (torch.rand(b) < 0.5).view(b, 1, 1, 1)
    sigma = torch.empty(b, 1).uniform_(0.1, 2.0)
    taps = torch.exp(-torch.tensor([1.0, 0.0, 1.0]).view(1, 3) / (2 * sigma**2))
    taps = taps / taps.sum(1, keepdim=True)
    z = F.pad(y.view(1, b, h, w), (1, 1, 1, 1), mode="reflect")
    z = F.conv2d(z, taps.view(b, 1, 1, 3), groups=b)
    z = F.conv2d(z, taps.view(b, 1, 3, 1), groups=b).view(b, 1, h, w)
    return torch.where(blur, z, y)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--reps", type=int, default=50)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(a.batch, 1, 28, 28)
    ms, times, _ = time_calls(lambda: (view(x), view(x)), 5, a.reps)
    if a.json:
        print(json.dumps({"bench": "augment-views", "torch": torch.__version__, "batch": a.batch, "ms_two_views": ms, "ms_min": min(times)}))
    else:
        print(f"torch {torch.__version__}: {ms:.2f} ms for two views of {a.batch} images")


if __name__ == "__main__":
    main()
