#!/usr/bin/python3
"""Exports torchvision's classification architectures to ONNX, as a user of the tool would (torch.onnx.export).

    /usr/bin/python3 tools/export_torchvision.py --out artifacts/torchvision [--opset 13] [--dtype fp16] [MODEL ...]
    /usr/bin/python3 tools/export_torchvision.py --tiny --out tests/models

Full size (default): every architecture listed in FULL (or the ones named), ImageNet input (224 x 224; Inception-V3
299 x 299), 1000 classes, random weights (weights=None; seeded). These files are large and are not committed; they
serve the closing-note measurements and the optional end-to-end checks.

--tiny: one small model per family (a few kB to a few hundred kB) with the family's structure, 10 classes and a
32 x 32 input (ViT: 32 x 32 with patch 8), written as FAMILY-tiny.onnx plus FAMILY-tiny.pt (the state dict, for the
golden weight graphs of tools/golden/torchvision_weight_graphs.py) and a manifest. These are committed as test models.

--dtype fp16 converts the exported float32 model to float16 throughout (initializers, constants, inputs, outputs,
casts), which is what a half-precision export or onnxconverter-common's float16 conversion produces.
BatchNorm is exported in eval mode; with torch's default do_constant_folding it is folded into the preceding conv
wherever PyTorch can (which is almost everywhere in these architectures).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper
from torchvision import models as tvm

FULL = [
    "alexnet", "vgg16", "vgg19", "vgg16_bn", "resnet18", "resnet50", "wide_resnet50_2", "resnext50_32x4d",
    "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0", "efficientnet_v2_s",
    "mnasnet1_0", "regnet_x_400mf", "regnet_y_400mf", "densenet121", "googlenet", "inception_v3",
    "shufflenet_v2_x1_0", "squeezenet1_0", "squeezenet1_1", "convnext_tiny", "vit_b_16", "swin_t", "maxvit_t",
]


def full_model(name):
    kwargs = {}
    if name in ("googlenet", "inception_v3"):
        kwargs = {"aux_logits": False, "init_weights": True}
    model = tvm.get_model(name, weights=None, **kwargs) if hasattr(tvm, "get_model") else getattr(tvm, name)(weights=None, **kwargs)
    size = 299 if name == "inception_v3" else 224
    return model, size


class TinyResNet(torch.nn.Module):
    """torchvision's ResNet layout (stem conv-BN-ReLU-maxpool, stages of torchvision blocks, global average pool, fc)
    at toy widths: one block per stage, the second stage strided with a 1x1 projection shortcut."""

    def __init__(self, block, widths, groups=1, width_per_group=64):
        super().__init__()
        from torchvision.models import resnet
        self.conv1 = torch.nn.Conv2d(3, widths[0], 3, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(widths[0])
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.MaxPool2d(3, 2, 1)
        stages, inplanes = [], widths[0]
        for i, width in enumerate(widths):
            stride = 1 if i == 0 else 2
            out = width * block.expansion
            down = None
            if stride != 1 or inplanes != out:
                down = torch.nn.Sequential(torch.nn.Conv2d(inplanes, out, 1, stride, bias=False), torch.nn.BatchNorm2d(out))
            stages.append(block(inplanes, width, stride, down, groups, width_per_group))
            inplanes = out
        self.stages = torch.nn.Sequential(*stages)
        self.avgpool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(inplanes, 10)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.avgpool(self.stages(x)), 1))


class TinySqueezeNet(torch.nn.Module):
    """SqueezeNet 1.1's layout (conv, max pools with ceil_mode, Fire modules, conv classifier read as [N, 10, 1, 1]
    and flattened) at toy widths."""

    def __init__(self):
        super().__init__()
        from torchvision.models.squeezenet import Fire
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, stride=2), torch.nn.ReLU(inplace=True),
            torch.nn.MaxPool2d(3, 2, ceil_mode=True), Fire(8, 4, 8, 8), Fire(16, 4, 8, 8),
            torch.nn.MaxPool2d(3, 2, ceil_mode=True), Fire(16, 6, 12, 12))
        self.classifier = torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Conv2d(24, 10, 1), torch.nn.ReLU(inplace=True),
                                              torch.nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


def tiny_mnasnet():
    """MNASNet (its forward: layers, mean over space, classifier) with the stem and two of its stacks, 1 block each,
    and a 64-channel head instead of the fixed 1280."""
    from torchvision.models import mnasnet
    model = mnasnet.MNASNet(0.25, num_classes=10)
    bn = mnasnet._BN_MOMENTUM
    model.layers = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1, stride=2, bias=False), torch.nn.BatchNorm2d(8, momentum=bn), torch.nn.ReLU(inplace=True),
        torch.nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), torch.nn.BatchNorm2d(8, momentum=bn), torch.nn.ReLU(inplace=True),
        torch.nn.Conv2d(8, 8, 1, bias=False), torch.nn.BatchNorm2d(8, momentum=bn),
        mnasnet._stack(8, 16, 3, 2, 3, 2, bn), mnasnet._stack(16, 24, 5, 2, 6, 1, bn),
        torch.nn.Conv2d(24, 64, 1, bias=False), torch.nn.BatchNorm2d(64, momentum=bn), torch.nn.ReLU(inplace=True))
    model.classifier = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(64, 10))
    return model


class TinyGoogLeNet(torch.nn.Module):
    """GoogLeNet's layout (BasicConv2d stem, max pool, Inception blocks of four concatenated branches, average pool,
    fc) at toy widths, built from torchvision's own blocks."""

    def __init__(self):
        super().__init__()
        from torchvision.models.googlenet import BasicConv2d, Inception
        self.stem = torch.nn.Sequential(BasicConv2d(3, 8, kernel_size=3, padding=1), torch.nn.MaxPool2d(3, 2, ceil_mode=True))
        self.a = Inception(8, 4, 4, 8, 2, 4, 4)
        self.pool = torch.nn.MaxPool2d(3, 2, ceil_mode=True)
        self.b = Inception(20, 8, 4, 8, 2, 4, 4)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(24, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.b(self.pool(self.a(self.stem(x))))), 1))


class TinyInceptionV3(torch.nn.Module):
    """Inception-V3's factorised 7x1/1x7 block (torchvision's InceptionC, whose 1x1 branches are 192 wide) behind a
    strided BasicConv2d stem, then average pool and fc."""

    def __init__(self):
        super().__init__()
        from torchvision.models.inception import BasicConv2d, InceptionC
        self.stem = BasicConv2d(3, 8, kernel_size=3, stride=2)
        self.c = InceptionC(8, channels_7x7=4)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(768, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.c(self.stem(x))), 1))


def tiny_models():
    """One small model per family: the family's own building blocks at toy widths. Returns {family: (model, size)}."""
    from torchvision.models import densenet, efficientnet, mobilenetv2, mobilenetv3, mnasnet, regnet, resnet
    from torchvision.models import shufflenetv2, squeezenet, convnext, vision_transformer, googlenet, inception, vgg
    from functools import partial

    tiny = {}
    tiny["vgg-bn"] = (vgg.VGG(vgg.make_layers([8, "M", 16, "M", 16, "M"], batch_norm=True), num_classes=10,
                              init_weights=True), 56)
    # VGG's classifier reads a 7x7 map (adaptive pool, exportable when 7 divides the map: 56 / 8); smaller dense layers.
    tiny["vgg-bn"][0].classifier = torch.nn.Sequential(torch.nn.Linear(16 * 7 * 7, 24), torch.nn.ReLU(True),
                                                       torch.nn.Dropout(), torch.nn.Linear(24, 10))
    tiny["resnet"] = (TinyResNet(resnet.BasicBlock, [8, 16]), 32)
    tiny["resnext"] = (TinyResNet(resnet.Bottleneck, [8, 16], groups=4, width_per_group=8), 32)
    tiny["mobilenet-v2"] = (mobilenetv2.MobileNetV2(num_classes=10, width_mult=0.25,
                                                    inverted_residual_setting=[[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 1, 2]]), 32)
    settings, last = mobilenetv3._mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25)
    tiny["mobilenet-v3"] = (mobilenetv3.MobileNetV3(settings[:4], 64, num_classes=10), 32)
    b0 = efficientnet.MBConvConfig
    bneck = partial(b0, width_mult=0.25, depth_mult=0.5)
    tiny["efficientnet"] = (efficientnet.EfficientNet([bneck(1, 3, 1, 32, 16, 1), bneck(6, 3, 2, 16, 24, 2),
                                                      bneck(6, 5, 2, 24, 40, 2)], dropout=0.2, num_classes=10,
                                                     last_channel=64), 32)
    tiny["mnasnet"] = (tiny_mnasnet(), 32)
    tiny["regnet"] = (regnet.RegNet(regnet.BlockParams.from_init_params(depth=4, w_0=8, w_a=8.0, w_m=2.0, group_width=4,
                                                                       se_ratio=0.25), num_classes=10,
                                    stem_width=8), 32)
    tiny["densenet"] = (densenet.DenseNet(growth_rate=4, block_config=(2, 2, 2), num_init_features=8, bn_size=2,
                                          num_classes=10), 32)
    tiny["shufflenet-v2"] = (shufflenetv2.ShuffleNetV2([2, 1, 1], [8, 16, 32, 64, 64], num_classes=10), 32)
    tiny["squeezenet"] = (TinySqueezeNet(), 32)
    tiny["convnext"] = (convnext.ConvNeXt([convnext.CNBlockConfig(8, 16, 1), convnext.CNBlockConfig(16, None, 1)],
                                          layer_scale=0.5, num_classes=10), 32)
    tiny["googlenet"] = (TinyGoogLeNet(), 32)
    tiny["inception-v3"] = (TinyInceptionV3(), 32)
    tiny["vit"] = (vision_transformer.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                                                       hidden_dim=16, mlp_dim=24, num_classes=10), 32)
    return tiny


def randomise_normalisations(model, generator):
    """Random BatchNorm statistics and affine parameters (some scales negative), LayerNorm scales and layer scales, so
    that folding them into the weight graph is visible in tests; a freshly initialised network has γ = 1, μ = 0, σ² = 1."""
    for module in model.modules():
        if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.LayerNorm, torch.nn.GroupNorm)):
            with torch.no_grad():
                if getattr(module, "weight", None) is not None:
                    sign = torch.where(torch.rand(module.weight.shape, generator=generator) < 0.1, -1.0, 1.0)
                    module.weight.copy_(sign * (0.5 + torch.rand(module.weight.shape, generator=generator)))
                    module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=generator))
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.running_mean.copy_(0.1 * torch.randn(module.running_mean.shape, generator=generator))
                    module.running_var.copy_(0.5 + torch.rand(module.running_var.shape, generator=generator))
        if hasattr(module, "layer_scale") and isinstance(module.layer_scale, torch.nn.Parameter):
            with torch.no_grad():
                module.layer_scale.copy_(0.2 + torch.rand(module.layer_scale.shape, generator=generator))


def to_fp16(model):
    """Float32 -> float16 everywhere a tensor type is named (what onnxconverter-common's float16 conversion does)."""
    f32, f16 = onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16
    graph = model.graph
    for i, t in enumerate(graph.initializer):
        if t.data_type == f32:
            half = numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name)
            graph.initializer[i].CopyFrom(half)
    for node in graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == f32:
                a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
            if node.op_type == "Cast" and a.name == "to" and a.i == f32:
                a.i = f16
            if node.op_type == "ConstantOfShape" and a.name == "value" and a.t.data_type == f32:
                a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
    for v in list(graph.input) + list(graph.output) + list(graph.value_info):
        if v.type.tensor_type.elem_type == f32:
            v.type.tensor_type.elem_type = f16
    return model


def export(model, size, path, opset, dtype, dynamic_batch):
    model.eval()
    x = torch.rand(1, 3, size, size)
    axes = {"input": {0: "N"}, "logits": {0: "N"}} if dynamic_batch else None
    # Not under torch.no_grad(): there torch 1.13's attention takes a fused fast path that has no ONNX export.
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes=axes, do_constant_folding=True)
    if dtype == "fp16":
        onnx.save(to_fp16(onnx.load(path)), path)
    return x


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--dtype", choices=["fp32", "fp16"], default="fp32")
    parser.add_argument("--dynamic-batch", action="store_true", help="symbolic batch dimension (default: batch 1, as torch exports by default)")
    parser.add_argument("--tiny", action="store_true", help="the small per-family test models instead of the full ones")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    suffix = "" if (args.opset == 13 and args.dtype == "fp32") else f"-op{args.opset}" + ("-fp16" if args.dtype == "fp16" else "")
    manifest = []
    if args.tiny:
        torch.manual_seed(0)
        generator = torch.Generator().manual_seed(1)
        for family, (model, size) in tiny_models().items():
            randomise_normalisations(model, generator)
            if args.models and family not in args.models:
                continue
            path = os.path.join(args.out, f"{family}-tiny{suffix}.onnx")
            export(model, size, path, args.opset, args.dtype, dynamic_batch=True)
            if not suffix:
                torch.save(model.state_dict(), os.path.join(args.out, f"{family}-tiny.pt"))
            params = sum(p.numel() for p in model.parameters())
            manifest.append({"file": os.path.basename(path), "family": family, "input": [1, 3, size, size],
                             "parameters": params, "opset": args.opset, "dtype": args.dtype,
                             "torch": torch.__version__, "torchvision": torchvision.__version__, "seed": 0,
                             "sha256": sha256(path)})
            print(f"{path}: {params} parameters, {os.path.getsize(path)} bytes", file=sys.stderr)
        with open(os.path.join(args.out, f"manifest{suffix}.json"), "w") as f:
            json.dump({"models": manifest}, f, indent=2)
            f.write("\n")
        return
    for name in args.models or FULL:
        torch.manual_seed(0)
        try:
            model, size = full_model(name)
            path = os.path.join(args.out, f"{name}{suffix}.onnx")
            export(model, size, path, args.opset, args.dtype, args.dynamic_batch)
            print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB", file=sys.stderr)
        except Exception as e:  # keep going: report which architectures this torch cannot export
            print(f"{name}: export failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)


if __name__ == "__main__":
    main()
