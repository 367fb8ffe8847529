#!/usr/bin/python3
"""Exports one tiny model per family of "models that are not image classifiers" (issue 24) with Debian's PyTorch, as a
user of the tool would (torch.onnx.export), for the tests and for finding what breaks:

    /usr/bin/python3 tools/export_families.py --out tests/models/families [FAMILY ...]

Families (random, seeded weights; a few kB each):
  unet       a U-Net: Conv, MaxPool, ConvTranspose, Resize (bilinear), Concat; per-pixel classes [N, 3, 16, 16]
  crnn       a CRNN text recogniser: convs over a [N, 1, 8, W] line (W dynamic), a BiLSTM over the width, classes per step
  lstm       an LSTM sequence classifier over [N, 12, 6] features
  gru        a GRU sequence classifier over [N, 12, 6] features
  kws        a keyword-spotting MLP over 40 features with one sigmoid output
  gpt        a causal language model: int64 ids [N, 16], vocabulary 50, 2 blocks, next-token logits [N, 16, 50]
  gpt-dynamic the same architecture exported with a free number of tokens [N, T] (T up to 16)
  bert       an encoder with a classification head: ids and an attention mask [N, 16], 3 classes
  cnn-opset7 a small CNN exported at opset 7 (as CNTK and the older zoo wrote them)
Writes FAMILY.onnx (and FAMILY.pt, the state dict) and manifest.json with each file's opset, inputs and sha256.
"""
import argparse
import hashlib
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1), nn.ReLU())
        self.side = nn.Conv2d(16, 8, 1)
        self.head = nn.Conv2d(16, 3, 1)

    def forward(self, x):
        a = self.enc1(x)
        b = self.enc2(F.max_pool2d(a, 2))
        u = self.dec(torch.cat([self.up(b), a], 1))
        s = F.interpolate(self.side(b), scale_factor=2, mode="bilinear", align_corners=False)
        return self.head(torch.cat([u, s], 1))


class CRNN(nn.Module):
    def __init__(self, classes=12):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d((2, 1)),
                                  nn.Conv2d(8, 12, 3, padding=1), nn.ReLU(), nn.MaxPool2d((4, 1)))
        self.rnn = nn.LSTM(12, 10, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(20, classes)

    def forward(self, x):
        f = self.conv(x).squeeze(2).permute(0, 2, 1)  # [N, W, 12]
        h, _ = self.rnn(f)
        return self.fc(h)  # [N, W, classes]


class SequenceClassifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = cell(6, 10, batch_first=True)
        self.fc = nn.Linear(10, 4)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.fc(torch.relu(h[:, -1]))


class KeywordSpotter(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(40, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self, d, heads, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, mask=None):
        n, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.reshape(n, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        if self.causal:
            scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        if mask is not None:
            scores = scores + (1.0 - mask[:, None, None, :].float()) * -10000.0
        a = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(n, t, d)
        x = x + self.proj(a)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab=50, d=32, t=16):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(t, d)
        self.blocks = nn.ModuleList([Block(d, 4, causal=True) for _ in range(2)])
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln(x))


class Bert(nn.Module):
    def __init__(self, vocab=50, d=32, t=16, classes=3):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(t, d)
        self.ln = nn.LayerNorm(d)
        self.blocks = nn.ModuleList([Block(d, 4, causal=False) for _ in range(2)])
        self.pool, self.cls = nn.Linear(d, d), nn.Linear(d, classes)

    def forward(self, ids, mask):
        x = self.ln(self.tok(ids) + self.pos(torch.arange(ids.shape[1])))
        for b in self.blocks:
            x = b(x, mask)
        return self.cls(torch.tanh(self.pool(x[:, 0])))


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 8, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Sequential(nn.Linear(8 * 5 * 5, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


def families():
    ids = torch.randint(0, 50, (2, 16))
    return {
        "unet": (UNet(), (torch.randn(2, 3, 16, 16),), ["image"], ["classes"], {"image": {0: "batch"}}, 13),
        "crnn": (CRNN(), (torch.randn(2, 1, 8, 24),), ["line"], ["logits"], {"line": {0: "batch", 3: "width"}, "logits": {0: "batch", 1: "steps"}}, 13),
        "lstm": (SequenceClassifier(nn.LSTM), (torch.randn(2, 12, 6),), ["x"], ["y"], {"x": {0: "batch"}}, 13),
        "gru": (SequenceClassifier(nn.GRU), (torch.randn(2, 12, 6),), ["x"], ["y"], {"x": {0: "batch"}}, 13),
        "kws": (KeywordSpotter(), (torch.randn(2, 40),), ["features"], ["wake"], {"features": {0: "batch"}}, 13),
        "gpt": (Gpt(), (ids,), ["input_ids"], ["logits"], {"input_ids": {0: "batch"}}, 14),
        "bert": (Bert(), (ids, torch.ones(2, 16, dtype=torch.int64)), ["input_ids", "attention_mask"], ["logits"],
                 {"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}}, 14),
        "cnn-opset7": (SmallCnn(), (torch.randn(2, 1, 28, 28),), ["input"], ["output"], {"input": {0: "batch"}}, 7),
        # Last, so that the seeds of the families above (1000 + position) stay those their files were exported with.
        "gpt-dynamic": (Gpt(), (ids,), ["input_ids"], ["logits"], {"input_ids": {0: "batch", 1: "tokens"}}, 14),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("families", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {"models": {}}
    for i, (name, (model, example, inputs, outputs, axes, opset)) in enumerate(families().items()):
        if args.families and name not in args.families:
            continue
        torch.manual_seed(1000 + i)
        for p in model.parameters():  # seeded weights, whatever the constructor drew
            nn.init.uniform_(p, -0.5, 0.5) if p.dim() < 2 else nn.init.xavier_uniform_(p)
        model.eval()
        path = os.path.join(args.out, f"{name}.onnx")
        torch.onnx.export(model, example, path, opset_version=opset, input_names=inputs, output_names=outputs, dynamic_axes=axes)
        torch.save(model.state_dict(), os.path.join(args.out, f"{name}.pt"))
        sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
        manifest["models"][name] = {"file": f"{name}.onnx", "opset": opset, "inputs": inputs, "outputs": outputs,
                                    "sha256": sha, "torch": torch.__version__}
        print(f"{path}: opset {opset}, {os.path.getsize(path)} bytes")
    json.dump(manifest, open(manifest_path, "w"), indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
