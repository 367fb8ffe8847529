#!/usr/bin/env bash
# Runs an analysis as a Slurm job array of N shards and a merge that waits for them; from the repository root:
#   deploy/slurm/submit.sh N OUT MODEL [analyze options...]
#   deploy/slurm/submit.sh 8 results/resnet18 resnet18.onnx --data imagenet/val --preset torchvision
# The results land in OUT/merged; each shard's log in OUT/logs. With WAIT=1 the script returns when the merge has
# finished (sbatch --wait), with its exit code. Extra sbatch options (partition, time, memory) go in SBATCH_ARGS.
set -euo pipefail
count=${1:?usage: submit.sh N OUT MODEL [analyze options...]}
out=${2:?usage: submit.sh N OUT MODEL [analyze options...]}
shift 2
here=$(dirname "${BASH_SOURCE[0]}")
read -r -a analyzer <<< "${ANALYZER:-./analyzer}"
read -r -a extra <<< "${SBATCH_ARGS:-}"
# Build once here, so that the tasks do not all build at the same time.
"${analyzer[@]}" --version >/dev/null
mkdir -p "$out/logs"
array=$(sbatch --parsable "${extra[@]}" --array="0-$((count - 1))" --output="$out/logs/shard-%a.log" \
  "$here/analyze-array.sbatch" "$out" "$@")
echo "submitted shards: job $array (array 0-$((count - 1)))"
wait=()
[ "${WAIT:-0}" = 1 ] && wait=(--wait)
merge=$(sbatch --parsable "${extra[@]}" "${wait[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$out/logs/merge.log" "$here/merge.sbatch" "$out" "$count")
echo "submitted merge: job $merge; results in $out/merged"
