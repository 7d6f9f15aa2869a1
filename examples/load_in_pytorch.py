"""Rebuild a model exported by `hardneg export` in PyTorch, load its weights and print embeddings.

    python3 examples/load_in_pytorch.py model.json [inputs.npy] [--head] [--out embeddings.npy]

model.json is the description `hardneg export -o model.safetensors` writes beside the weights.
inputs.npy holds images [n, H, W, C] in [0, 1] (hardneg's layout; uint8 is divided by 255) or
vectors [n, D] for an adapter; without it, two random inputs are embedded. --head gives the
projection head's output instead of the backbone's features. Needs torch (and numpy for .npy
files); uses the `safetensors` package when installed, else reads the format itself.
"""
import json
import os
import struct
import sys

import torch
from torch import nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}


def load_safetensors(path):
    """The tensors of a safetensors file: u64 LE header length, JSON header, raw LE data."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[t["dtype"]]).reshape(t["shape"]) if raw else torch.zeros(t["shape"], dtype=DTYPES[t["dtype"]])
    return out


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        widths = [c["inputDim"], *c["hidden"], c["outputDim"]]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for i, layer in enumerate(self.linears):
            x = layer(x)
            if i < len(self.linears) - 1:
                x = F.relu(x)
        return x


class Block(nn.Module):
    def __init__(self, width, bn):
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1, bias=not bn)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=not bn)
        self.bn1 = nn.BatchNorm2d(width) if bn else nn.Identity()
        self.bn2 = nn.BatchNorm2d(width) if bn else nn.Identity()

    def forward(self, x):
        return F.relu(x + self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class Stage(nn.Module):
    def __init__(self, cin, width, blocks, bn, pool):
        super().__init__()
        self.pool = pool
        self.conv = nn.Conv2d(cin, width, 3, padding=1, bias=not bn)
        self.bn = nn.BatchNorm2d(width) if bn else nn.Identity()
        self.blocks = nn.ModuleList(Block(width, bn) for _ in range(blocks))

    def forward(self, x):
        if self.pool:
            x = F.avg_pool2d(x, 2)
        x = F.relu(self.bn(self.conv(x)))
        for block in self.blocks:
            x = block(x)
        return x


class CNN(nn.Module):
    """hardneg's models/cnn.ts: stages of [avgpool 2x2] conv3x3 [BN] ReLU + residual blocks, global average pooling."""

    def __init__(self, c):
        super().__init__()
        cin = c["inputShape"][2]
        stages = []
        for s, width in enumerate(c["widths"]):
            stages.append(Stage(cin, width, c["blocks"], c["batchNorm"], s > 0))
            cin = width
        self.stages = nn.ModuleList(stages)

    def forward(self, x):  # x: [n, C, H, W]
        for stage in self.stages:
            x = stage(x)
        return x.mean(dim=(2, 3))


class Head(nn.Module):
    def __init__(self, features, c):
        super().__init__()
        self.fc1 = nn.Linear(features, c["hiddenDim"])
        self.fc2 = nn.Linear(c["hiddenDim"], c["outputDim"])

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        b = config["backbone"]
        self.backbone = MLP(b) if b["kind"] == "mlp" else CNN(b)
        features = b["outputDim"] if b["kind"] == "mlp" else b["widths"][-1]
        self.head = Head(features, config["head"]) if "head" in config else None
        self.channels_last = b["kind"] == "cnn"

    def forward(self, images, head=False):  # images: [n, H, W, C] (hardneg's layout)
        x = images.permute(0, 3, 1, 2) if self.channels_last else images
        f = self.backbone(x)
        return self.head(f) if head else f


class Adapter(nn.Module):
    """hardneg's models/adapter.ts: normalize(linear(x)) or normalize(x + fc2(relu(fc1(x))))."""

    def __init__(self, c):
        super().__init__()
        self.kind = c["kind"]
        if self.kind == "linear":
            self.linear = nn.Linear(c["dim"], c["dim"])
        else:
            self.fc1 = nn.Linear(c["dim"], c["hidden"])
            self.fc2 = nn.Linear(c["hidden"], c["dim"])

    def forward(self, x, head=False):
        y = self.linear(x) if self.kind == "linear" else x + self.fc2(F.relu(self.fc1(x)))
        return F.normalize(y, dim=1)


def load_model(description_path):
    with open(description_path) as f:
        description = json.load(f)
    if description["kind"] not in ("encoder", "adapter"):
        sys.exit(f"{description_path}: a {description['kind']} (this script rebuilds encoders and adapters)")
    model = Encoder(description["architecture"]) if description["kind"] == "encoder" else Adapter(description["architecture"])
    weights = load_safetensors(os.path.join(os.path.dirname(description_path), description["weights"]))
    model.load_state_dict(weights, strict=True)
    return model.eval(), description


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    head = "--head" in argv
    out = argv[argv.index("--out") + 1] if "--out" in argv else None
    if out in args:
        args.remove(out)
    model, description = load_model(args[0])
    if len(args) > 1:
        import numpy as np
        array = np.load(args[1])
        x = torch.from_numpy(array.astype(np.float32) / (255.0 if array.dtype == np.uint8 else 1.0))
    else:
        shape = description["architecture"]["backbone"]["inputShape"] if description["kind"] == "encoder" and description["architecture"]["backbone"]["kind"] == "cnn" else description["input"]["shape"]
        x = torch.rand(2, *shape, generator=torch.Generator().manual_seed(0))
    if description["kind"] == "encoder" and description["architecture"]["backbone"]["kind"] == "mlp":
        x = x.reshape(x.shape[0], -1)
    with torch.no_grad():
        y = model(x, head=head)
    if out:
        import numpy as np
        np.save(out, y.numpy().astype(np.float32))
    print(f"{tuple(y.shape)} embeddings; first row: {[round(v, 4) for v in y[0, :8].tolist()]}")


if __name__ == "__main__":
    main(sys.argv[1:])
