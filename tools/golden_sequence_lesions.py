#!/usr/bin/python3
"""Golden lesions of the tiny recurrent models (tests/models/families, tools/export_families.py) computed by PyTorch:
a node set's units are zeroed where the next layer reads them (a forward pre-hook multiplying the layer's input by a 0/1
mask on its unit axis), as Analyzer's lesion does in the ONNX graph.

    /usr/bin/python3 tools/golden_sequence_lesions.py --models tests/models/families

Writes, beside the models:
  sequence-data.npz  x float32 [32, 12, 6], y int64 [32] (seeded): the LSTM and GRU classifiers' data
  crnn-data.npz      x float32 [16, 1, 8, 20]: text lines of width 20 (the model's width is free; the data fix it)
  sequence-lesions.json  per model: the labels used and, per set (id, layer, units), the lesioned accuracy and the mean
                     output change (KL of the lesioned softmax from the intact one, per position)
The classifiers are scored against y; the CRNN against its own predictions at each of its 20 steps.
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn

from lesion_hooks import lesioned, score
from export_families import CRNN, SequenceClassifier


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    golden = {}

    x = rng.standard_normal((32, 12, 6)).astype(np.float32)
    y = rng.integers(0, 4, 32).astype(np.int64)
    np.savez(os.path.join(args.models, "sequence-data.npz"), x=x, y=y)
    for name, cell in (("lstm", nn.LSTM), ("gru", nn.GRU)):
        model = SequenceClassifier(cell)
        model.load_state_dict(torch.load(os.path.join(args.models, f"{name}.pt")))
        model.eval()
        run = lambda m: m(torch.from_numpy(x))
        with torch.no_grad():
            intact = run(model)
        labels = torch.from_numpy(y)
        golden[name] = {"labels": "data", "data": "sequence-data.npz", "baseline": score(intact, intact, labels)[0], "sets": []}
        for set_id, units in (("first-half", list(range(5))), ("odd", [1, 3, 5, 7, 9]), ("one", [6])):
            accuracy, change = score(intact, lesioned(model, run, model.fc, units, 10), labels)
            golden[name]["sets"].append({"id": set_id, "layer": f"/rnn/{cell.__name__}", "units": units,
                                         "accuracy": accuracy, "output_change": change})

    crnn = CRNN()
    crnn.load_state_dict(torch.load(os.path.join(args.models, "crnn.pt")))
    crnn.eval()
    lines = rng.standard_normal((16, 1, 8, 20)).astype(np.float32)
    np.savez(os.path.join(args.models, "crnn-data.npz"), x=lines)
    run = lambda m: m(torch.from_numpy(lines))
    with torch.no_grad():
        intact = run(crnn)
    labels = intact.argmax(-1)
    golden["crnn"] = {"labels": "model", "data": "crnn-data.npz", "sets": []}
    # conv.3 reads conv.0's 8 channels (NCHW: the mask on axis 1); the LSTM reads conv.3's 12 channels per step and
    # the classifier the LSTM's 20 units (both on the last axis).
    for set_id, layer, module, units, width in (("conv-half", "/conv/conv.3/Conv", crnn.conv[3], [0, 2, 4, 6], 8),
                                                 ("rnn-input", "/rnn/LSTM", crnn.rnn, list(range(3, 9)), 12),
                                                 ("backward", "/fc/MatMul", crnn.fc, list(range(10, 20)), 20),
                                                 ("mixed", "/fc/MatMul", crnn.fc, [0, 1, 2, 15, 16], 20)):
        accuracy, change = score(intact, lesioned(crnn, run, module, units, width), labels)
        golden["crnn"]["sets"].append({"id": set_id, "layer": layer, "units": units, "accuracy": accuracy, "output_change": change})

    with open(os.path.join(args.models, "sequence-lesions.json"), "w") as f:
        json.dump({"generator": "tools/golden_sequence_lesions.py", "torch": torch.__version__, **golden}, f, indent=1)
    print(json.dumps(golden)[:1500])


if __name__ == "__main__":
    main()
