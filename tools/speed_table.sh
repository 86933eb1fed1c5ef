#!/usr/bin/env bash
# Side-by-side training speed: this engine (babygpt bench) against the PyTorch reference
# (../shared/reference/babygpt_torch.py) on the same corpus and configurations, one after the
# other in one run, so both see the same machine. Prints one table: ms/step and tokens/s of
# each side (PyTorch at its fastest thread count), their ratio, and each side's peak RSS.
#   tools/speed_table.sh [BABYGPT [CORPUS]]     (default build/babygpt data/ci.txt)
# Environment: PYTHON (default /usr/bin/python3, which must have torch), ITERS (steps measured
# per configuration, default 30; the full v11 shape always runs 3), THREADS (PyTorch thread
# counts to try, default "1 2"), ONLY (a configuration name to run alone, e.g. v9).
# The machine must be otherwise idle for the numbers to mean anything: quote medians of
# several runs, never one.
set -euo pipefail
cd "$(dirname "$0")/.."
babygpt=${1:-build/babygpt}
corpus=${2:-data/ci.txt}
python=${PYTHON:-/usr/bin/python3}
iters=${ITERS:-30}
threads=${THREADS:-"1 2"}
reference=../shared/reference/babygpt_torch.py
[ -x "$babygpt" ] || { echo "speed_table: $babygpt not found (build it first)"; exit 1; }
[ -f "$corpus" ] || { echo "speed_table: $corpus not found (babygpt prepare-data)"; exit 1; }
[ -f "$reference" ] || { echo "speed_table: $reference not found"; exit 1; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "speed_table: $python has no torch (Debian: apt-get install python3-torch)"; exit 1; }

# name | model | B T C H L | our flags
configs=(
  "v4-course|v4|32 8 32 4 0"
  "v9-course|v9|32 8 32 4 3"
  "v11-cpu|v11|32 32 128 4 4"
  "v11-full|v11|64 256 384 6 6"
)

# Peak RSS in MB of a command, from GNU time; its stdout goes to $out.
peak_mb() {
  local out=$1; shift
  local status=0
  /usr/bin/time -f '%M' -o "$out.rss" "$@" > "$out" 2>&1 || status=$?
  awk '{ last = $1 } END { printf "%.0f", last / 1024 }' "$out.rss"
  return $status
}

printf '%-10s | %10s %10s %8s | %10s %10s %8s %3s | %6s\n' configuration "ours ms" "ours tok/s" \
  "ours MB" "torch ms" "torch tok" "torch MB" thr "speed"
work=$(mktemp -d "${TMPDIR:-/tmp}/babygpt-speed.XXXXXX")
trap 'rm -rf "$work"' EXIT
for config in "${configs[@]}"; do
  IFS='|' read -r name model dims <<< "$config"
  [ -n "${ONLY:-}" ] && [ "$ONLY" != "${name%%-*}" ] && [ "$ONLY" != "$name" ] && continue
  read -r B T C H L <<< "$dims"
  n=$iters
  [ "$name" = v11-full ] && n=3
  layers=()
  [ "${model#v}" -ge 6 ] && layers=(--n-layer "$L")
  # ours: the fastest thread count is chosen by bench itself (--threads 0)
  ours_mb=$(peak_mb "$work/ours" "$babygpt" bench --model "$model" --data "$corpus" \
    --batch-size "$B" --block-size "$T" --n-embed "$C" --n-head "$H" "${layers[@]}" \
    --iters "$n" --warmup 1 --threads 0) || { cat "$work/ours"; exit 1; }
  ours_ms=$(sed -n 's/^ms\/step: median \([0-9.]*\).*/\1/p' "$work/ours")
  ours_tps=$(sed -n 's/^tokens\/s: \([0-9]*\).*/\1/p' "$work/ours")
  # PyTorch: each thread count, keep the fastest
  best_ms="" best_tps="" best_mb="" best_t=""
  for t in $threads; do
    mb=$(OPENBLAS_NUM_THREADS=$t peak_mb "$work/torch" "$python" "$reference" "$corpus" \
      --model "$model" --iters "$n" --threads "$t" --batch "$B" --block "$T" --embed "$C" \
      --heads "$H" --layers "$L") || { cat "$work/torch"; exit 1; }
    ms=$(sed -n 's/^train_ms_per_iter \([0-9.]*\) .*/\1/p' "$work/torch")
    tps=$(sed -n 's/.*tokens_per_s \([0-9]*\).*/\1/p' "$work/torch")
    if [ -z "$best_ms" ] || awk -v a="$ms" -v b="$best_ms" 'BEGIN { exit !(a < b) }'; then
      best_ms=$ms best_tps=$tps best_mb=$mb best_t=$t
    fi
  done
  ratio=$(awk -v a="$ours_tps" -v b="$best_tps" 'BEGIN { printf "%.2fx", a / b }')
  printf '%-10s | %10s %10s %8s | %10s %10s %8s %3s | %6s\n' "$name" "$ours_ms" "$ours_tps" \
    "$ours_mb" "$best_ms" "$best_tps" "$best_mb" "$best_t" "$ratio"
done
echo "(ms per training step: ours the median of the measured steps, PyTorch the mean; PyTorch's"
echo " includes its first, slower step. MB: peak resident set of the whole process.)"
