#!/usr/bin/python3
"""Exports a wide Fashion-MNIST-shaped CNN for the activation-graph memory benchmark (bench/whole-process.sh row
wide-activations), with Debian's PyTorch and random seeded weights:

    /usr/bin/python3 tools/export_wide_cnn.py OUT.onnx [CHANNELS]

[N, 1, 28, 28] -> conv 3x3 stride 4 to CHANNELS (default 10 000), then three depthwise 3x3 convs, each followed by a
ReLU, global average pool, a linear layer to 10 classes. Four node sets of CHANNELS units: 40 000 units for the
activation graph with few weights (about 0.5 MB), so that the graph, not the model, is what is large.
"""
import sys

import torch
import torch.nn as nn


class WideCnn(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, stride=4, padding=1)
        self.depthwise = nn.ModuleList(nn.Conv2d(channels, channels, 3, padding=1, groups=channels) for _ in range(3))
        self.fc = nn.Linear(channels, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        for conv in self.depthwise:
            x = torch.relu(conv(x))
        return self.fc(x.mean(dim=(2, 3)))


def main():
    out = sys.argv[1]
    channels = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    torch.manual_seed(0)
    model = WideCnn(channels).eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), out, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    print(f"wrote {out}: {4 * channels} units in four node sets")


if __name__ == "__main__":
    main()
