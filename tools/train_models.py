#!/usr/bin/python3
"""Train the small reference models in onnx-models/ and write onnx-models/manifest.json.

Run with Debian's Python (apt-get install python3-torch python3-onnx dataset-fashion-mnist):
    /usr/bin/python3 tools/train_models.py [--only NAME ...] [--threads 2]

Each model is trained on Fashion-MNIST from /usr/share/datasets/fashion-mnist with a fixed seed and exported with
torch.onnx.export (opset 13). The manifest records the recipe, the seed, the test accuracy measured here in PyTorch and
the sha256 of the ONNX file, so that a test can tell when a file no longer matches its recipe.
"""
import argparse
import gzip
import hashlib
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "onnx-models")
DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(DATA, f"{prefix}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(DATA, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


class Mlp(nn.Module):
    """The paper's MLP: 4 hidden layers of 256 ReLU units."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(784, 256), nn.Linear(256, 256)
        self.fc3, self.fc4 = nn.Linear(256, 256), nn.Linear(256, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        for fc in (self.fc1, self.fc2, self.fc3, self.fc4):
            x = F.relu(fc(x))
        return self.out(x)


class SmallCnn(nn.Module):
    """The paper's small CNN: three 3x3 convs of 64 channels, 2x2 max-pool after the 2nd and 3rd, dense 128."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 3, padding=1)
        self.conv2 = nn.Conv2d(64, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.out(x)


class VggBn(nn.Module):
    """A VGG-style CNN with BatchNorm, including one BN placed after its ReLU (folded into the next layer's inputs)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32)
        self.conv2, self.bn2 = nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32)
        self.conv3, self.bn3 = nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64)
        self.conv4, self.bn4 = nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.max_pool2d(self.bn4(F.relu(self.conv4(x))), 2)  # BN after the ReLU, on purpose
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.out(x)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class SmallResNet(nn.Module):
    """A small ResNet-style CNN: a stem, one identity block and one block with a 1x1 projection shortcut."""

    def __init__(self):
        super().__init__()
        self.stem, self.bn = nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.block1 = Block(32, 32, 1)
        self.block2 = Block(32, 64, 2)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.block2(self.block1(x))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.out(torch.flatten(x, 1))


RECIPES = {
    "fmnist-mlp": dict(cls=Mlp, epochs=20, batch=128, lr=1e-3, seed=1,
                       recipe="MLP 784-256-256-256-256-10, ReLU; Adam lr 1e-3, 20 epochs, batch 128; Fashion-MNIST"),
    "fmnist-cnn": dict(cls=SmallCnn, epochs=10, batch=64, lr=1e-3, seed=2,
                       recipe="CNN conv3x3(64)-conv3x3(64)-pool2-conv3x3(64)-pool2-dense128-dense10, ReLU, padding 1; "
                              "Adam lr 1e-3, 10 epochs, batch 64; Fashion-MNIST"),
    "fmnist-vgg-bn": dict(cls=VggBn, epochs=2, batch=64, lr=1e-3, seed=3,
                          recipe="VGG-style conv32-BN-conv32-BN-pool-conv64-BN-conv64-ReLU-BN-pool-dense128-dense10; "
                                 "Adam lr 1e-3, 2 epochs, batch 64; Fashion-MNIST; exported unfolded (BN nodes kept) "
                                 "and folded (exporter's Conv+BN fusion)"),
    "fmnist-resnet": dict(cls=SmallResNet, epochs=2, batch=64, lr=1e-3, seed=4,
                          recipe="ResNet-style stem conv32-BN, identity block (32), projection block (64, stride 2, 1x1 "
                                 "shortcut), global average pool, dense10; Adam lr 1e-3, 2 epochs, batch 64; Fashion-MNIST"),
}


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return float((pred == y).float().mean())


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def export(model, path, preserve_bn=False):
    model.eval()
    kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=13,
                  dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    if preserve_bn:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE  # no Conv+BN fusion in eval mode
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, **kwargs)


def fit(name, model, opt, xtr, ytr, epochs, batch, gen):
    """Minibatch training with cross-entropy, the examples reshuffled by gen every epoch."""
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(xtr), generator=gen)
        start = time.time()
        total = 0.0
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        # The epoch's mean training loss (the last batch alone is a few dozen examples and noisy).
        print(f"{name} epoch {epoch + 1}/{epochs} loss {total / len(order):.4f} ({time.time() - start:.0f} s)", flush=True)


def train(name, spec, xtr, ytr, xte, yte):
    torch.manual_seed(spec["seed"])
    np.random.seed(spec["seed"])
    model = spec["cls"]()
    opt = torch.optim.Adam(model.parameters(), lr=spec["lr"])
    fit(name, model, opt, xtr, ytr, spec["epochs"], spec["batch"], torch.Generator().manual_seed(spec["seed"]))
    acc = accuracy(model, xte, yte)
    entries = []
    files = [(f"{name}.onnx", False)]
    if name == "fmnist-vgg-bn":
        files = [(f"{name}.onnx", True), (f"{name}-folded.onnx", False)]
    for file, preserve in files:
        path = os.path.join(OUT, file)
        export(model, path, preserve_bn=preserve)
        entries.append(dict(file=file, recipe=spec["recipe"], seed=spec["seed"], dataset="fashion-mnist",
                            input="[N,1,28,28], pixels/255", test_accuracy=round(acc, 4),
                            bn="unfolded" if preserve else "as exported (eval-mode fusion)",
                            torch=torch.__version__, sha256=sha256(path)))
        print(f"{file}: test accuracy {acc:.4f}", flush=True)
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=list(RECIPES))
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(OUT, exist_ok=True)
    xtr, ytr = load("train")
    xte, yte = load("test")
    manifest_path = os.path.join(OUT, "manifest.json")
    manifest = {"models": []}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    for name in args.only:
        entries = train(name, RECIPES[name], xtr, ytr, xte, yte)
        files = {e["file"] for e in entries}
        manifest["models"] = [m for m in manifest["models"] if m["file"] not in files] + entries
        manifest["models"].sort(key=lambda m: m["file"])
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
