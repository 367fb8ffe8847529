#!/usr/bin/env bash
# Times every verb a user runs first on ImageNet-class models, whole process, cold, one after the other:
#   bench/architectures.sh DIR [STEPS] [NAME...]
# DIR holds .onnx files (export them with: /usr/bin/python3 tools/export_torchvision.py --out DIR). For each model:
# inspect, graph --edges weights, cluster -k 32 (network and layer scope), graph --edges activations and lesion on 40
# CIFAR-10 test images (4 per class, resized to the model's input, ImageNet normalisation), and visualize; lesion and
# visualize take one 8-unit set for each kind of reader (the first node set read by each operator type, and the last
# node set); visualize runs STEPS steps (default 10).
# NAMEs (file names without .onnx) restrict the run to those models.
# Prints a Markdown table: exit code, wall seconds and peak resident MB of each verb, and the node count.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=${1:?usage: bench/architectures.sh DIR [STEPS] [NAME...]}
steps=${2:-10}
shift $(( $# < 2 ? $# : 2 ))
models=()
if [ $# -gt 0 ]; then for n in "$@"; do models+=("$dir/$n.onnx"); done; else models=("$dir"/*.onnx); fi
out=$(mktemp -d)
./analyzer --help >/dev/null 2>&1 # build once, outside the timings
tar -xzf ../shared/data/cifar10-jpg/cifar10-test-jpg.tar.gz -C "$out" --wildcards '*/000[0-3].jpg'
data=(--data "folder:$out/cifar10-jpg/test" --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225)

run() { # run NAME ARGS...: prints "rc s MB"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" ./analyzer "$@" >"$out/$name.out" 2>"$out/$name.err"
  local rc=$?
  # GNU time writes "Command exited with non-zero status N" above its line when the command fails.
  read -r seconds kb < <(tail -n 1 "$out/$name.time" 2>/dev/null) || { seconds=?; kb=0; }
  [ "$rc" = 0 ] || sed -n '$p' "$out/$name.err" >&2
  printf '%s %s %s' "$rc" "$seconds" "$((kb / 1024))"
}

cell() { read -r rc s mb <<<"$1"; [ "$rc" = 0 ] && printf '%s s, %s MB' "$s" "$mb" || printf 'exit %s (%s s, %s MB)' "$rc" "$s" "$mb"; }

echo "| model | file MB | nodes | inspect | graph | cluster network | cluster layer | activation graph | lesion | visualize ($steps steps) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  mb=$(( $(stat -c %s "$model") / 1000000 ))
  inspect=$(run "$name-inspect" inspect "$model" --json)
  cp "$out/$name-inspect.out" "$out/$name.json"
  nodes=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['nodes'])" "$out/$name.json" 2>/dev/null || echo "?")
  graph=$(run "$name-graph" graph "$model" --edges weights --out "$out/$name-graph")
  network=$(run "$name-network" cluster "$model" --edges weights --scope network -k 32 --out "$out/$name-network.json")
  layer=$(run "$name-layer" cluster "$model" --edges weights --scope layer -k 32 --out "$out/$name-layer.json")
  /usr/bin/python3 - "$out/$name.json" "$out/$name-sets.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
readers = {l["node_set"]: l["op"] for l in doc["layers"] if l.get("node_set")}
hidden = [s for s in doc["node_sets"] if s["kind"] == "hidden"]
chosen, seen = [], set()
for s in hidden:
    kind = readers.get(s["name"], s["op"])
    if kind not in seen:
        seen.add(kind)
        chosen.append(s)
if hidden and hidden[-1] not in chosen:
    chosen.append(hidden[-1])
sets = [{"id": f"set{i}", "layer": s["name"], "units": list(range(min(8, s["units"])))} for i, s in enumerate(chosen)]
json.dump({"sets": sets}, open(sys.argv[2], "w"))
PY
  activations=$(run "$name-activations" graph "$model" --edges activations --samples 40 "${data[@]}" --out "$out/$name-activations")
  lesion=$(run "$name-lesion" lesion "$model" --sets "$out/$name-sets.json" "${data[@]}" --out "$out/$name-lesion.json" --device cpu)
  vis=$(run "$name-vis" visualize "$model" --sets "$out/$name-sets.json" --out "$out/$name-vis" --steps "$steps" --device cpu)
  rm -rf "$out/$name-graph" "$out/$name-activations" "$out/$name-vis" # an activation graph can take gigabytes of disk
  echo "| $name | $mb | $nodes | $(cell "$inspect") | $(cell "$graph") | $(cell "$network") | $(cell "$layer") | $(cell "$activations") | $(cell "$lesion") | $(cell "$vis") |"
done
rm -rf "$out"
