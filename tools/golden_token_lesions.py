#!/usr/bin/python3
"""Golden lesions of the tiny language models (tests/models/families, tools/export_families.py) computed by PyTorch:
the units of a node set are zeroed where the next layer reads them (a forward pre-hook multiplying the layer's input by
a 0/1 mask), exactly what Analyzer's lesion does in the ONNX graph.

    /usr/bin/python3 tools/golden_token_lesions.py --models tests/models/families

Writes, beside the models:
  gpt-data.npz    input_ids int64 [32, 16] (seeded)
  bert-data.npz   input_ids and attention_mask int64 [32, 16] (the last 4 positions of every other example padded),
                  y int64 [32] (seeded class labels)
  token-lesions.json  per model: the labels used, and per set (id, layer, units) the lesioned accuracy and the mean
                  output change (KL of the lesioned softmax from the intact one, per position)
GPT is scored against its own predictions at every position (--labels model) and against the next token (--labels
next-token, gpt-next-token); BERT against y (--labels data).
"""
import argparse
import json
import os

import numpy as np
import torch

from lesion_hooks import lesioned, score
from export_families import Bert, Gpt


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(24)
    golden = {}

    gpt = Gpt()
    gpt.load_state_dict(torch.load(os.path.join(args.models, "gpt.pt")))
    gpt.eval()
    ids = rng.integers(0, 50, (32, 16)).astype(np.int64)
    np.savez(os.path.join(args.models, "gpt-data.npz"), input_ids=ids)
    run = lambda m: m(torch.from_numpy(ids))
    with torch.no_grad():
        intact = run(gpt)
    labels = intact.argmax(-1)
    sets = [("b0-first-half", "/blocks.0/fc2/MatMul", gpt.blocks[0].fc2, list(range(64))),
            ("b0-every-third", "/blocks.0/fc2/MatMul", gpt.blocks[0].fc2, list(range(0, 128, 3))),
            ("b1-block", "/blocks.1/fc2/MatMul", gpt.blocks[1].fc2, list(range(40, 104)))]
    # Next-token labels: position t is labelled with token t + 1; the last position is not scored.
    next_tokens = torch.full((32, 16), -1, dtype=torch.int64)
    next_tokens[:, :-1] = torch.from_numpy(ids[:, 1:])
    golden["gpt"] = {"labels": "model", "sets": []}
    golden["gpt-next-token"] = {"labels": "next-token", "baseline": score(intact, intact, next_tokens)[0], "sets": []}
    for name, layer, module, units in sets:
        logits = lesioned(gpt, run, module, units, 128)
        accuracy, change = score(intact, logits, labels)
        golden["gpt"]["sets"].append({"id": name, "layer": layer, "units": units, "accuracy": accuracy, "output_change": change})
        accuracy, change = score(intact, logits, next_tokens)
        golden["gpt-next-token"]["sets"].append({"id": name, "layer": layer, "units": units, "accuracy": accuracy, "output_change": change})

    bert = Bert()
    bert.load_state_dict(torch.load(os.path.join(args.models, "bert.pt")))
    bert.eval()
    ids = rng.integers(0, 50, (32, 16)).astype(np.int64)
    mask = np.ones((32, 16), dtype=np.int64)
    mask[::2, 12:] = 0
    y = rng.integers(0, 3, 32).astype(np.int64)
    np.savez(os.path.join(args.models, "bert-data.npz"), input_ids=ids, attention_mask=mask, y=y)
    run = lambda m: m(torch.from_numpy(ids), torch.from_numpy(mask))
    with torch.no_grad():
        intact = run(bert)
    sets = [("b0-half", "/blocks.0/fc2/MatMul", bert.blocks[0].fc2, list(range(0, 128, 2)), 128),
            ("b1-most", "/blocks.1/fc2/MatMul", bert.blocks[1].fc2, list(range(100)), 128),
            ("pooler", "/cls/Gemm", bert.cls, list(range(8, 24)), 32)]
    golden["bert"] = {"labels": "data", "baseline": score(intact, intact, torch.from_numpy(y))[0], "sets": []}
    for name, layer, module, units, width in sets:
        accuracy, change = score(intact, lesioned(bert, run, module, units, width), torch.from_numpy(y))
        golden["bert"]["sets"].append({"id": name, "layer": layer, "units": units, "accuracy": accuracy, "output_change": change})

    with open(os.path.join(args.models, "token-lesions.json"), "w") as f:
        json.dump({"generator": "tools/golden_token_lesions.py", "torch": torch.__version__, **golden}, f, indent=1)
    print(json.dumps(golden, indent=1)[:2000])


if __name__ == "__main__":
    main()
