#!/usr/bin/env bash
# A fixed set of runs whose files a refactoring must leave byte for byte as they were: analyze of the Fashion-MNIST MLP
# and CNN with all measures, a 2-model screen, compare, aggregate, reproduce --fast of one family and a 3-shard merge
# (small options, so the set takes minutes). Prints one "sha256  path" line per file. Run it before and after a change
# and diff the two lists:
#   tools/output_fingerprint.sh [OUT]      (OUT: results/fingerprint; run from the repository root)
# Each verb's --help is printed too (help texts may change on purpose; say so).
# reproduction.json and reproduction.md hold the invocation's wall time; their lines are printed with that time blanked.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-results/fingerprint}
rm -rf "$out"
mkdir -p "$out"
run() { echo "+ ./analyzer $*" >&2; ./analyzer "$@" >/dev/null 2>>"$out/log.txt"; }

small=(--examples 500 --samples 300 --max-subclusters 2 --random 9)
run analyze onnx-models/fmnist-mlp.onnx --data fashion-mnist "${small[@]}" --out "$out/mlp"
run analyze onnx-models/fmnist-cnn.onnx --data fashion-mnist "${small[@]}" --edges weights --out "$out/cnn"
cat > "$out/screen.json" <<JSON
{
  "models": [
    {"model": "../../onnx-models/fmnist-mlp.onnx", "data": "fashion-mnist"},
    {"model": "../../onnx-models/replicates/fmnist-mlp-2.onnx", "data": "fashion-mnist", "name": "mlp-2"}
  ],
  "edges": ["weights"], "scope": ["network"], "measures": ["acc-drop", "class-range", "vis-score"],
  "max-subclusters": 3, "examples": 500, "random": 9, "clusterability": 3
}
JSON
run screen "$out/screen.json" --out "$out/screen"
run compare "$out/mlp" "$out/cnn" --out "$out/compare"
run aggregate "$out/screen/fmnist-mlp" "$out/screen/mlp-2" --out "$out/aggregate"
run reproduce --fast --families mnist-mlp --out "$out/reproduce"
for i in 0 1 2; do
  run analyze onnx-models/fmnist-mlp.onnx --data fashion-mnist "${small[@]}" --edges weights --shard "$i/3" --out "$out/shard-$i"
done
run merge "$out"/shard-0 "$out"/shard-1 "$out"/shard-2 --out "$out/merged"
mkdir -p "$out/help"
for verb in inspect graph cluster clusterability lesion visualize analyze aggregate reproduce report compare screen merge; do
  ./analyzer "$verb" --help > "$out/help/$verb.txt"
done

cd "$out"
find . -type f \( -name results.json -o -name table.md -o -name report.html -o -name 'comparison.*' -o -name clusterability.json -o -path './help/*' \) \
  -not -path './shard-*' | sort | xargs sha256sum
for f in reproduce/reproduction.json reproduce/reproduction.md; do
  printf '%s  %s (wall time blanked)\n' \
    "$(sed -E 's/"seconds": [0-9.]+/"seconds": _/; s/Wall time [0-9.]+ (s|min)/Wall time _/' "$f" | sha256sum | cut -d' ' -f1)" "./$f"
done
