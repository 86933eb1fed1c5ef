#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (build-fuzz: -DBG_FUZZ=ON, ASan +
# UBSan) and runs each one for SECONDS, starting from the seeds in tests/fuzz/seeds/<target>/
# (plus small checkpoints of every model made with BABYGPT when it is given). A crash, a
# sanitizer report, a leak, an allocation over 512 MB or more than 2 GB in use stops the
# fuzzer, which leaves the input in build-fuzz/findings/ and this script fails.
#   tools/fuzz.sh [SECONDS [BABYGPT]]      (default 25 s each; e.g. BABYGPT=build/babygpt)
# Run one target longer by hand:
#   build-fuzz/fuzz_json -max_total_time=600 build-fuzz/corpus/fuzz_json tests/fuzz/seeds/fuzz_json
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-25}
babygpt=${2:-}
root=$(pwd)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DBG_FUZZ=ON -DBG_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > build-fuzz.log 2>&1 || { cat build-fuzz.log; exit 1; }
rm -f build-fuzz.log
cmake --build build-fuzz -j2 --target fuzz_targets

# Checkpoints of every model as seeds for the checkpoint loader (tiny: a few KB each).
if [ -n "$babygpt" ]; then
  bin=$(cd "$(dirname "$babygpt")" && pwd)/$(basename "$babygpt")
  seeds="$root/build-fuzz/corpus/fuzz_checkpoint"
  mkdir -p "$seeds"
  work=$(mktemp -d "${TMPDIR:-/tmp}/babygpt-fuzz.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  for i in 1 2 3; do printf '春江花月夜。\n往事知多少。\n'; done > "$work/tiny.txt"
  models=$("$bin" train --help | sed -n 's/^ *--model \([^ ]*\).*/\1/p')
  if [[ "$models" =~ ^v([0-9]+)\.\.v([0-9]+)$ ]]; then
    models=$(seq -f 'v%g' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
  else
    models=$(tr '|' ' ' <<< "$models")
  fi
  for model in $models; do
    # --n-layer and --n-head only where the version has them (the others refuse them)
    "$bin" train --model "$model" --data "$work/tiny.txt" --out "$work/$model" --iters 1 \
      --eval-interval 1 --eval-iters 1 --batch-size 1 --block-size 2 --n-embed 4 --n-head 2 \
      --n-layer 1 --sample-tokens 1 > /dev/null 2>&1 ||
      "$bin" train --model "$model" --data "$work/tiny.txt" --out "$work/$model" --iters 1 \
        --eval-interval 1 --eval-iters 1 --batch-size 1 --block-size 2 --n-embed 4 --n-head 2 \
        --sample-tokens 1 > /dev/null 2>&1 ||
      "$bin" train --model "$model" --data "$work/tiny.txt" --out "$work/$model" --iters 1 \
        --eval-interval 1 --eval-iters 1 --batch-size 1 --block-size 2 --n-embed 4 \
        --sample-tokens 1 > /dev/null
    cp "$work/$model/model.safetensors" "$seeds/$model.st"
  done
fi

status=0
for target in build-fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus="build-fuzz/corpus/$name"
  findings="build-fuzz/findings/$name"
  mkdir -p "$corpus" "$findings"
  seeds=()
  [ -d "tests/fuzz/seeds/$name" ] && seeds+=("tests/fuzz/seeds/$name")
  echo "== $name for ${seconds}s"
  if "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "${seeds[@]}" \
      > "build-fuzz/$name.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "build-fuzz/$name.log" | tail -2
  else
    status=1
    tail -40 "build-fuzz/$name.log"
    echo "fuzz: $name FAILED; the input is in $findings/ (rerun: $target FILE)"
  fi
done
[ $status -eq 0 ] && echo "fuzz: every target ran ${seconds}s without a finding"
exit $status
