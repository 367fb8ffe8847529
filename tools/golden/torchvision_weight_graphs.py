#!/usr/bin/python3
"""Golden weight graphs of the tiny MobileNet-V2, EfficientNet and DenseNet test models, from their PyTorch modules and
state dicts, independently of Analyzer and of the ONNX files (docs/method.md §1-2).

    /usr/bin/python3 tools/golden/torchvision_weight_graphs.py --out tests/Analyzer.Core.Tests/Golden

The models are rebuilt exactly as tools/export_torchvision.py --tiny builds them (same seeds); the script checks that
the classifier weights it sees equal the committed ONNX file's, so the two cannot drift apart. Each forward pass is then
replayed on symbolic tensors, module by module, with the method's rules written out for these modules: a conv or linear
layer's input channels are a node set when they come from a conv; BatchNorm before an activation scales the producing
layer's output channel, after one the reading layer's input channel; activations, pools and dropout pass channels on;
residual sums add origins; concatenation stacks channels; squeeze-and-excitation's x * gate is a product whose units are
both factors'. Edge (input unit i of layer L, unit u it reaches through output j of L) = sum over such paths of
|scale| * |W_L[j, i]| (entrywise L1 over the kernel) * |in-scale of i|.

Writes per model NAME-tiny.weights.json (node sets in order: name, units) and NAME-tiny.weights.npy: the upper
triangle's non-zero edges as rows (i, j, weight), float64.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import export_torchvision  # noqa: E402


class Units:
    """Symbolic tensor: per channel, a list of terms [layer, unit, out-scale, after-non-linearity] and an in-scale."""

    def __init__(self, channels):
        self.channels = channels

    @staticmethod
    def fresh(layer, count):
        return Units([([(layer, j, 1.0, False)], 1.0) for j in range(count)])


class Tracer:
    def __init__(self, names):
        self.layers = []  # (name, input Units, |W| as [outputs, inputs] numpy, is_conv)
        self.names = names

    def layer(self, module, x, conv):
        w = module.weight.detach().double().numpy()
        if conv:
            out_ch, per_group = w.shape[0], w.shape[1]
            groups = module.groups
            l1 = np.abs(w).sum(axis=(2, 3))
            full = np.zeros((out_ch, per_group * groups))
            per_out = out_ch // groups
            for j in range(out_ch):
                g = j // per_out
                full[j, g * per_group:(g + 1) * per_group] = l1[j]
        else:
            full = np.abs(w)
        index = len(self.layers)
        self.layers.append((self.names[module], x, full, conv))
        return Units.fresh(index, full.shape[0])

    @staticmethod
    def batchnorm(module, x):
        s = (module.weight / torch.sqrt(module.running_var + module.eps)).detach().double().numpy()
        out = []
        for c, (terms, inscale) in enumerate(x.channels):
            if any(t[3] for t in terms):
                out.append((terms, inscale * s[c]))
            else:
                out.append(([(l, u, o * s[c], a) for (l, u, o, a) in terms], inscale))
        return Units(out)

    @staticmethod
    def activate(x):
        return Units([([(l, u, o, True) for (l, u, o, a) in terms], inscale) for terms, inscale in x.channels])

    @staticmethod
    def add(a, b):
        out = []
        for (ta, sa), (tb, sb) in zip(a.channels, b.channels):
            if sa == sb:
                out.append((ta + tb, sa))
            else:
                out.append(([(l, u, o * sa, f) for (l, u, o, f) in ta] + [(l, u, o * sb, f) for (l, u, o, f) in tb], 1.0))
        return Units(out)

    @staticmethod
    def cat(parts):
        return Units([c for p in parts for c in p.channels])

    @staticmethod
    def gate(x, g):
        out = []
        for (tx, sx), (tg, sg) in zip(x.channels, g.channels):
            terms = []
            for t in tx + tg:
                if not any(t[0] == u[0] and t[1] == u[1] for u in terms):
                    terms.append(t)
            out.append(([(l, u, o, True) for (l, u, o, f) in terms], sx * sg))
        return Units(out)

    def adjacency(self):
        """Node sets (CNN rule) and the dense adjacency between them."""
        conv_layers = {i for i, layer in enumerate(self.layers) if layer[3]}
        readers = [i for i, (_, x, _, _) in enumerate(self.layers)
                   if any(t[0] in conv_layers for terms, _ in x.channels for t in terms)]
        offsets, n = {}, 0
        for i in readers:
            offsets[i] = n
            n += len(self.layers[i][1].channels)
        a = np.zeros((n, n))
        for target in readers:
            for u, (terms, _) in enumerate(self.layers[target][1].channels):
                for (layer, j, outscale, _) in terms:
                    if layer not in offsets:
                        continue
                    _, source_units, w, _ = self.layers[layer]
                    inscale = np.array([abs(s) for _, s in source_units.channels])
                    row = abs(outscale) * w[j] * inscale
                    a[offsets[layer]:offsets[layer] + len(row), offsets[target] + u] += row
        a = a + a.T
        np.fill_diagonal(a, 0)
        sets = [{"name": self.layers[i][0], "units": len(self.layers[i][1].channels)} for i in readers]
        return sets, a


def onnx_names(model):
    """The node name torch.onnx.export gives a module's operator: one scope per module level, where a child with a
    numeric key is called parent.key; e.g. features.1.conv.0.0 -> /features/features.1/conv/conv.0/conv.0.0/Conv and
    features.denseblock1.denselayer1.conv1 -> /features/denseblock1/denselayer1/conv1/Conv."""
    names = {}

    def walk(module, scopes, scope):
        for key, child in module.named_children():
            name = f"{scope}.{key}" if key.isdigit() and scope else key
            path = scopes + [name]
            op = "Conv" if isinstance(child, torch.nn.Conv2d) else "Gemm" if isinstance(child, torch.nn.Linear) else None
            if op:
                names[child] = "/" + "/".join(path) + "/" + op
            walk(child, path, name)

    walk(model, [], "")
    return names


def conv_act(tracer, block, x):
    """torchvision's Conv2dNormActivation: conv, BN, and an activation when it has one."""
    x = tracer.layer(block[0], x, conv=True)
    x = Tracer.batchnorm(block[1], x)
    return Tracer.activate(x) if len(block) > 2 else x


def mobilenet_v2(model, tracer, image):
    from torchvision.models.mobilenetv2 import InvertedResidual
    x = image
    for block in model.features:
        if isinstance(block, InvertedResidual):
            y = x
            for part in block.conv:
                if isinstance(part, torch.nn.Conv2d):
                    y = tracer.layer(part, y, conv=True)
                elif isinstance(part, torch.nn.BatchNorm2d):
                    y = Tracer.batchnorm(part, y)
                else:
                    y = conv_act(tracer, part, y)
            x = Tracer.add(x, y) if block.use_res_connect else y
        else:
            x = conv_act(tracer, block, x)
    return tracer.layer(model.classifier[1], x, conv=False)


def efficientnet(model, tracer, image):
    from torchvision.ops.misc import SqueezeExcitation
    x = image
    for stage in model.features:
        blocks = list(stage) if hasattr(stage[0], "block") else [stage]
        for block in blocks:
            if hasattr(block, "block"):
                y = x
                for part in block.block:
                    if isinstance(part, SqueezeExcitation):
                        s = tracer.layer(part.fc1, y, conv=True)  # pooling passes channels on
                        s = Tracer.activate(s)
                        s = Tracer.activate(tracer.layer(part.fc2, s, conv=True))
                        y = Tracer.gate(y, s)
                    else:
                        y = conv_act(tracer, part, y)
                x = Tracer.add(x, y) if block.use_res_connect else y
            else:
                x = conv_act(tracer, block, x)
    return tracer.layer(model.classifier[1], x, conv=False)


def densenet(model, tracer, image):
    f = model.features
    x = Tracer.activate(Tracer.batchnorm(f.norm0, tracer.layer(f.conv0, image, conv=True)))
    for name, module in f.named_children():
        if name.startswith("denseblock"):
            features = [x]
            for _, layer in module.items():
                h = Tracer.cat(features)
                h = Tracer.activate(Tracer.batchnorm(layer.norm1, h))
                h = tracer.layer(layer.conv1, h, conv=True)
                h = Tracer.activate(Tracer.batchnorm(layer.norm2, h))
                h = tracer.layer(layer.conv2, h, conv=True)
                features.append(h)
            x = Tracer.cat(features)
        elif name.startswith("transition"):
            x = Tracer.activate(Tracer.batchnorm(module.norm, x))
            x = tracer.layer(module.conv, x, conv=True)
    x = Tracer.activate(Tracer.batchnorm(f.norm5, x))
    return tracer.layer(model.classifier, x, conv=False)


FAMILIES = {"mobilenet-v2": mobilenet_v2, "efficientnet": efficientnet, "densenet": densenet}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", default=os.path.join(ROOT, "tests", "models"))
    args = parser.parse_args()
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    tiny = export_torchvision.tiny_models()
    for family, (model, _) in tiny.items():
        export_torchvision.randomise_normalisations(model, generator)  # the same draws, in the same order, as the export
    for family, replay in FAMILIES.items():
        model = tiny[family][0].eval()
        path = os.path.join(args.models, f"{family}-tiny.onnx")
        exported = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
        classifier = model.classifier[1] if isinstance(model.classifier, torch.nn.Sequential) else model.classifier
        if not any(v.shape == tuple(classifier.weight.shape) and np.allclose(v, classifier.weight.detach().numpy()) for v in exported.values()):
            sys.exit(f"{path}: its classifier weights differ from the rebuilt model's; re-export with tools/export_torchvision.py --tiny")
        tracer = Tracer(onnx_names(model))
        channels = Units([([(-1, c, 1.0, False)], 1.0) for c in range(3)])
        with torch.no_grad():
            replay(model, tracer, channels)
        sets, a = tracer.adjacency()
        i, j = np.nonzero(np.triu(a))
        edges = np.stack([i, j, a[i, j]], axis=1).astype(np.float64)
        np.save(os.path.join(args.out, f"{family}-tiny.weights.npy"), edges)
        with open(os.path.join(args.out, f"{family}-tiny.weights.json"), "w") as fh:
            json.dump({"model": f"{family}-tiny.onnx", "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
                       "n": int(a.shape[0]), "node_sets": sets}, fh, indent=1)
        print(f"{family}: {a.shape[0]} nodes, {len(sets)} node sets, {len(edges)} edges", file=sys.stderr)


if __name__ == "__main__":
    main()
