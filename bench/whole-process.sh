#!/usr/bin/env bash
# What a user waits for: each row runs the whole ./analyzer process, cold, beside the whole peer process a user would
# script instead (Python start-up and imports included), one after the other on this machine, and reports wall seconds,
# peak resident memory and the ratio. Inputs a row needs but does not time (an adjacency.npy for the scikit-learn
# peer, an exported torchvision model) are prepared before its timings.
#   bench/whole-process.sh [ROW...]     rows: mlp-cluster vgg16-cluster resnet18-cluster mlp-activations mlp-lesions
#                                             cnn-lesions inspect cnn-analyze zoo-cluster (default: all)
# Writes the Markdown table to stdout and to artifacts/bench/whole-process.md.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=/usr/bin/python3
threads=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p artifacts/bench artifacts/tv
./analyzer --help >/dev/null 2>&1 # build once, outside the timings
# The compiler servers a build leaves behind keep working for a while; the first timing after a build ran about 20 %
# slow with them.
dotnet build-server shutdown >/dev/null 2>&1 || true
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(mlp-cluster vgg16-cluster resnet18-cluster mlp-activations mlp-lesions cnn-lesions inspect cnn-analyze zoo-cluster)

timed() { # timed NAME COMMAND...: runs it, prints "rc seconds MB"
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
  local rc=$?
  read -r seconds kb < <(tail -n 1 "$work/$name.time") || { seconds=0; kb=0; }
  [ "$rc" = 0 ] || { echo "$name failed (exit $rc):" >&2; tail -n 3 "$work/$name.err" >&2; }
  echo "$rc $seconds $((kb / 1024))"
}
cell() { read -r rc s mb <<<"$1"; [ "$rc" = 0 ] && printf '%s s, %s MB' "$s" "$mb" || printf 'exit %s' "$rc"; }
ratio() { read -r _ a _ <<<"$1"; read -r _ b _ <<<"$2"; $py -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{b / a:.1f}x' if a > 0 else '?')" "$a" "$b"; }
json() { $py -c "import json, sys; print(json.load(open(sys.argv[1]))$2)" "$1" 2>/dev/null || echo "?"; }
model_of() { # model_of NAME: the torchvision export, made once
  [ -f "artifacts/tv/$1.onnx" ] || $py tools/export_torchvision.py --out artifacts/tv "$1" >&2
  echo "artifacts/tv/$1.onnx"
}

table="$work/table.md"
{
  echo "Whole process, cold, $threads cores, one run ($(date -u +%Y-%m-%d))."
  echo
  echo "Ratio: peer's whole process over Analyzer's. In-process seconds are the peer's own timing of its computation."
  echo
  echo "| work | Analyzer | peer | peer time | ratio | notes |"
  echo "|---|---|---|---|---|---|"
} >"$table"
row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |" | tee -a "$table" >&2; }

cluster_row() { # cluster_row LABEL MODEL K
  local label=$1 model=$2 k=$3 name
  name=$(basename "$model" .onnx)
  ./analyzer graph "$model" --edges weights --format dense --out "$work/$name-graph" >/dev/null 2>&1
  local ours peer
  ours=$(timed "$name-cluster" ./analyzer cluster "$model" --edges weights --scope network -k "$k" --threads "$threads" --out "$work/$name-cluster.json")
  peer=$(timed "$name-sklearn" $py bench/peers/sklearn_spectral.py "$work/$name-graph/adjacency.npy" "$k" 1)
  row "$label" "$(cell "$ours")" "scikit-learn SpectralClustering (arpack, n_init 10) from adjacency.npy" "$(cell "$peer")" "$(ratio "$ours" "$peer")" \
    "method's defaults (25/100 restarts, Hartigan, lowest cut); n-cut $(json "$work/$name-cluster.json" "['ncut']" | cut -c1-7) vs $(json "$work/$name-sklearn.out" "['ncut']" | cut -c1-7); peer in-process $(json "$work/$name-sklearn.out" "['seconds'][0]" | cut -c1-5) s"
  # As many restarts as the peer (10), each refined with Hartigan's moves and the lowest cut chosen, as the method does.
  local same
  same=$(timed "$name-cluster-10" ./analyzer cluster "$model" --edges weights --scope network -k "$k" --restarts 10 --threads "$threads" --out "$work/$name-cluster-10.json")
  row "$label, as many restarts as the peer (\`--restarts 10\`)" "$(cell "$same")" "the same peer run" "$(cell "$peer")" "$(ratio "$same" "$peer")" \
    "n-cut $(json "$work/$name-cluster-10.json" "['ncut']" | cut -c1-7) vs $(json "$work/$name-sklearn.out" "['ncut']" | cut -c1-7)"
  # The peer's exact work: 10 Lloyd restarts, the lowest inertia wins (the n-cut then depends on the draws).
  local lloyd
  lloyd=$(timed "$name-cluster-lloyd" ./analyzer cluster "$model" --edges weights --scope network -k "$k" --restarts 10 --kmeans lloyd --threads "$threads" --out "$work/$name-cluster-lloyd.json")
  row "$label, the peer's work (\`--restarts 10 --kmeans lloyd\`)" "$(cell "$lloyd")" "the same peer run" "$(cell "$peer")" "$(ratio "$lloyd" "$peer")" \
    "n-cut $(json "$work/$name-cluster-lloyd.json" "['ncut']" | cut -c1-7) vs $(json "$work/$name-sklearn.out" "['ncut']" | cut -c1-7)"
}

for r in "${rows[@]}"; do
  case "$r" in
    mlp-cluster) cluster_row "\`cluster -k 16\`, Fashion-MNIST MLP (1818 nodes)" onnx-models/fmnist-mlp.onnx 16 ;;
    vgg16-cluster) cluster_row "\`cluster -k 32\`, VGG-16 (4224 nodes)" "$(model_of vgg16)" 32 ;;
    resnet18-cluster) cluster_row "\`cluster -k 32\`, ResNet-18 (4352 nodes)" "$(model_of resnet18)" 32 ;;
    mlp-activations)
      ours=$(timed act ./analyzer graph onnx-models/fmnist-mlp.onnx --edges activations --samples 10000 --data fashion-mnist --threads "$threads" --out "$work/act")
      peer=$(timed act-peer $py bench/peers/torch_activation_graph.py onnx-models/fmnist-mlp.onnx 10000 "$work/act-peer.npy" "$threads")
      row "\`graph --edges activations\`, MLP, 10 000 images" "$(cell "$ours")" "PyTorch hooks + scipy.stats.spearmanr, adjacency.npy saved" "$(cell "$peer")" "$(ratio "$ours" "$peer")" "1024 hidden units; peer in-process $(json "$work/act-peer.out" "['seconds']" | cut -c1-5) s" ;;
    mlp-lesions)
      $py - "$work" <<'PY'
import json, random, sys
rng = random.Random(0)
layers = ["/fc1/Gemm", "/fc2/Gemm", "/fc3/Gemm", "/fc4/Gemm"]
sets = [{"id": f"s{i}", "layer": rng.choice(layers), "units": sorted(rng.sample(range(256), rng.randint(4, 64)))} for i in range(500)]
json.dump({"sets": sets}, open(f"{sys.argv[1]}/sets.json", "w"))
json.dump({"model": "onnx-models/fmnist-mlp.onnx", "sets": sets}, open(f"{sys.argv[1]}/peer-sets.json", "w"))
PY
      ours=$(timed lesions ./analyzer lesion onnx-models/fmnist-mlp.onnx --sets "$work/sets.json" --data fashion-mnist --threads "$threads" --out "$work/lesions.json")
      peer=$(timed lesions-peer $py bench/peers/pytorch_lesions.py "$work/peer-sets.json" "$threads")
      row "lesion sweep, MLP, 500 lesions x 10 000 test images" "$(cell "$ours")" "PyTorch, one lesion at a time with forward pre-hooks" "$(cell "$peer")" "$(ratio "$ours" "$peer")" "random sets of 4-64 units, seed 0; peer's lesion loop $(json "$work/lesions-peer.out" "['seconds']" | cut -c1-5) s" ;;
    cnn-lesions)
      # The CNN's three node sets, 20 random channel sets each of 6, 4 and 3 channels (the sizes bench cnn-lesions draws).
      $py - "$work" <<'PY'
import json, random, sys
rng = random.Random(0)
sets = [{"id": f"{layer}/{i}", "layer": layer, "units": sorted(rng.sample(range(64), size))}
        for layer, size in (("/conv2/Conv", 6), ("/conv3/Conv", 4), ("/fc1/Gemm", 3)) for i in range(20)]
json.dump({"sets": sets}, open(f"{sys.argv[1]}/cnn-sets.json", "w"))
json.dump({"model": "onnx-models/fmnist-cnn.onnx", "sets": sets}, open(f"{sys.argv[1]}/cnn-peer-sets.json", "w"))
PY
      ours=$(timed cnn-lesions ./analyzer lesion onnx-models/fmnist-cnn.onnx --sets "$work/cnn-sets.json" --data fashion-mnist --threads "$threads" --out "$work/cnn-lesions.json")
      peer=$(timed cnn-lesions-peer $py bench/peers/pytorch_cnn_lesions.py "$work/cnn-peer-sets.json" "$threads")
      row "lesion sweep, CNN, 60 channel sets x 10 000 test images" "$(cell "$ours")" "PyTorch, one lesion at a time with forward pre-hooks" "$(cell "$peer")" "$(ratio "$ours" "$peer")" "20 random sets of 6, 4 and 3 channels per node set, seed 0; peer's lesion loop $(json "$work/cnn-lesions-peer.out" "['seconds']" | cut -c1-5) s" ;;
    inspect)
      for name in vgg16 resnet50; do
        model=$(model_of "$name")
        ours=$(timed "inspect-$name" ./analyzer inspect "$model")
        row "\`inspect\`, $name ($(( $(stat -c %s "$model") / 1000000 )) MB file)" "$(cell "$ours")" "—" "" "" "target < 5 s, < 1.5x file + 300 MB"
      done ;;
    cnn-analyze)
      # All partitionings and measures; a first look (2 subclusters per partitioning, 2000 test examples), since the full
      # sweep takes hours on 2 cores: the peak memory is set by the chunks and sessions, not by those counts.
      ours=$(timed analyze ./analyzer analyze onnx-models/fmnist-cnn.onnx --data fashion-mnist --threads "$threads" \
        --max-subclusters 2 --examples 2000 --out "$work/analyze")
      row "\`analyze\`, Fashion-MNIST CNN, all partitionings and measures (--max-subclusters 2 --examples 2000)" "$(cell "$ours")" "—" "" "" "target < 2 GiB peak" ;;
    zoo-cluster)
      for model in ../shared/data/onnx-light/*.onnx "$(model_of googlenet)" "$(model_of resnet50)" "$(model_of densenet121)"; do
        [ -f "$model" ] || continue
        name=$(basename "$model" .onnx)
        ours=$(timed "zoo-$name" ./analyzer cluster "$model" --edges weights --scope network -k 32 --threads "$threads" --out "$work/zoo-$name.json")
        row "\`cluster -k 32\`, $name ($(( $(stat -c %s "$model") / 1000 )) kB file)" "$(cell "$ours")" "—" "" "" "GoogLeNet target < 60 s; all < 2 GiB"
      done ;;
    *) echo "unknown row '$r'" >&2; exit 2 ;;
  esac
done
cp "$table" artifacts/bench/whole-process.md
cat "$table"
