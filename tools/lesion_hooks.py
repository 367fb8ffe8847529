"""PyTorch lesions as Analyzer defines them, shared by the golden scripts: a node set's units are zeroed where the next
layer reads them, and the lesioned outputs are scored per position against labels (-1: not scored)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def lesioned(model, run, module, units, width):
    """run(model) with the units zeroed at the module's input: channels (axis 1) of a conv, the last axis otherwise."""
    mask = torch.ones(width)
    mask[units] = 0
    if isinstance(module, nn.Conv2d):
        mask = mask.view(1, width, 1, 1)
    handle = module.register_forward_pre_hook(lambda m, inputs: (inputs[0] * mask,) + inputs[1:])
    try:
        with torch.no_grad():
            return run(model)
    finally:
        handle.remove()


def score(intact, logits, labels):
    """Accuracy over scored positions (label >= 0) and mean KL(softmax(intact) || softmax(logits)) over positions."""
    c = intact.shape[-1]
    p, q = F.log_softmax(intact.reshape(-1, c).double(), -1), F.log_softmax(logits.reshape(-1, c).double(), -1)
    kl = (p.exp() * (p - q)).sum(-1).clamp(min=0).mean().item()
    predicted = logits.reshape(-1, c).argmax(-1)
    flat = labels.reshape(-1)
    scored = flat >= 0
    return (predicted[scored] == flat[scored]).double().mean().item(), kl
