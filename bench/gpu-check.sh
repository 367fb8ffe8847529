#!/usr/bin/env bash
# The GPU check: every ILGPU kernel compared with its CPU kernel on the GPU and timed beside PyTorch CUDA doing the
# same work, in one table. Two halves, because the GPU machine has no .NET:
#
#   bench/gpu-check.sh prepare   here: publishes bench/Analyzer.GpuCheck self-contained for linux-x64 into
#                                artifacts/gpu-check and packs it as artifacts/gpu-check.tar.gz (checked to stay
#                                under 60 MB, so that it can travel; not trimmed, since ILGPU reflects on the runtime)
#   bench/gpu-check.sh run       on the GPU machine: runs the publish and bench/peers/torch_gpu_check.py, prints the table
#   bench/gpu-check.sh           both, on a machine with .NET and a GPU
#   bench/gpu-check.sh --cpu     both, on ILGPU's CPU accelerator and PyTorch's CPU at reduced sizes: checks the script
#                                and the comparisons where there is no GPU
#
# Exit 0 when every kernel agrees with its CPU kernel (max relative error 1e-4 for float32, 1e-9 for float64), 1 when
# one does not, 2 when no CUDA device is visible.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=artifacts/gpu-check
mode="${1:-all}"
flag=() peer_flag=()
if [ "$mode" = --cpu ]; then mode=all; flag=(--cpu-accelerator); peer_flag=(--cpu); fi

prepare() {
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  dotnet publish bench/Analyzer.GpuCheck -c Release -r linux-x64 --self-contained true -p:DebugType=none \
    -o "$out" -nologo -v q >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
  tar -czf "$out.tar.gz" -C "$(dirname "$out")" "$(basename "$out")"
  local mb
  mb=$(du -m "$out.tar.gz" | cut -f1)
  echo "gpu-check: published $out and $out.tar.gz ($mb MB)" >&2
  [ "$mb" -lt 60 ] || { echo "gpu-check: the packed publish is $mb MB, too large to travel" >&2; exit 1; }
}

run() {
  [ -x "$out/Analyzer.GpuCheck" ] || [ ! -f "$out.tar.gz" ] || tar -xzf "$out.tar.gz" -C "$(dirname "$out")"
  [ -x "$out/Analyzer.GpuCheck" ] || { echo "gpu-check: $out/Analyzer.GpuCheck is missing; run 'bench/gpu-check.sh prepare' first" >&2; exit 1; }
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true
  local ours peer status=0
  ours=$("$out/Analyzer.GpuCheck" "${flag[@]}") || status=$?
  [ "$status" -eq 0 ] || exit "$status"
  # The first python with PyTorch (the GPU machine's python3; Debian's /usr/bin/python3 here).
  local py=""
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c "import torch" 2>/dev/null; then py=$candidate; break; fi
  done
  [ -n "$py" ] || echo "gpu-check: no python with PyTorch; the PyTorch column stays empty" >&2
  peer=$([ -n "$py" ] && "$py" bench/peers/torch_gpu_check.py "${peer_flag[@]}" || true)
  OURS="$ours" PEER="$peer" python3 - <<'PY'
import json, os, sys
ours = [json.loads(line) for line in os.environ["OURS"].splitlines() if line.strip()]
peer = {r["kernel"]: r["torch_seconds"] for r in (json.loads(l) for l in os.environ["PEER"].splitlines() if l.strip())}
def ms(s): return f"{s * 1000:.2f} ms" if s is not None else "n/a"
device = next((r["device"] for r in ours if r["device"]), "?")
print(f"ILGPU device: {device}\n")
print("| kernel | size | max error vs CPU kernel | ILGPU | CPU kernel | PyTorch | ILGPU vs PyTorch |")
print("|---|---|---|---|---|---|---|")
failed = False
for r in ours:
    limit = 1e-9 if r["kernel"].startswith("spearman") else 1e-4
    ok = r["max_error"] <= limit
    failed |= not ok
    t = peer.get(r["kernel"])
    ratio = f"{t / r['ilgpu_seconds']:.2f}x" if t else "n/a"
    print(f"| {r['kernel']} | {r['size']} | {r['max_error']:.2e} {'ok' if ok else 'FAILS'} | {ms(r['ilgpu_seconds'])} | "
          f"{ms(r['cpu_seconds'])} | {ms(t)} | {ratio} |")
sys.exit(1 if failed else 0)
PY
}

case "$mode" in
  prepare) prepare ;;
  run) run ;;
  all) prepare; run ;;
  *) echo "usage: bench/gpu-check.sh [prepare|run|--cpu]" >&2; exit 3 ;;
esac
