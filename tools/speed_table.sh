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

# name | model | B T C H L | dropout and lr, when not the version's defaults (both sides)
configs=(
  "v4-course|v4|32 8 32 4 0|"
  "v9-course|v9|32 8 32 4 3|"
  "v11-cpu|v11|32 32 128 4 4|--dropout 0.1 --lr 1e-3"
  "v11-full|v11|64 256 384 6 6|"
)

# Peak RSS in MB of a command, from GNU time; its stdout goes to $out.
peak_mb() {
  local out=$1; shift
  local status=0
  /usr/bin/time -f '%M' -o "$out.rss" "$@" > "$out" 2>&1 || status=$?
  awk '{ last = $1 } END { printf "%.0f", last / 1024 }' "$out.rss"
  return $status
}

printf '%-10s | %10s %10s %8s %12s | %10s %10s %8s %3s | %6s\n' configuration "ours ms" \
  "ours tok/s" "ours MB" "GFLOP/s" "torch ms" "torch tok" "torch MB" thr "speed"
work=$(mktemp -d "${TMPDIR:-/tmp}/babygpt-speed.XXXXXX")
trap 'rm -rf "$work"' EXIT
for config in "${configs[@]}"; do
  IFS='|' read -r name model dims extra <<< "$config"
  [ -n "${ONLY:-}" ] && [ "$ONLY" != "${name%%-*}" ] && [ "$ONLY" != "$name" ] && continue
  read -r B T C H L <<< "$dims"
  n=$iters
  [ "$name" = v11-full ] && n=3
  layers=()
  [ "${model#v}" -ge 6 ] && layers=(--n-layer "$L")
  # ours: the fastest thread count is chosen by bench itself (--threads 0)
  ours_mb=$(peak_mb "$work/ours" "$babygpt" bench --model "$model" --data "$corpus" \
    --batch-size "$B" --block-size "$T" --n-embed "$C" --n-head "$H" "${layers[@]}" $extra \
    --iters "$n" --warmup 1 --threads 0) || { cat "$work/ours"; exit 1; }
  ours_ms=$(sed -n 's/^ms\/step: median \([0-9.]*\).*/\1/p' "$work/ours")
  ours_tps=$(sed -n 's/^tokens\/s: \([0-9]*\).*/\1/p' "$work/ours")
  # "-> 68.4 GFLOP/s, 25% of this machine's peak": the counted FLOPs per second and the share
  # of the peak bench measured on its threads
  ours_gf=$(sed -n 's/.*-> \([0-9.]*\) GFLOP\/s, \([0-9]*\)% of.*/\1 (\2%)/p' "$work/ours")
  # PyTorch: each thread count, keep the fastest. Its script reports the mean over all its
  # steps, the first (slower: allocations) included; to compare steady states as ours does,
  # it runs n + 1 steps and 1 step, and the difference gives the mean of steps 2 … n + 1.
  torch_run() {  # threads iters output
    OPENBLAS_NUM_THREADS=$1 peak_mb "$3" "$python" "$reference" "$corpus" \
      --model "$model" --iters "$2" --threads "$1" --batch "$B" --block "$T" --embed "$C" \
      --heads "$H" --layers "$L" $extra || { cat "$3"; exit 1; }
  }
  best_ms="" best_tps="" best_mb="" best_t=""
  for t in $threads; do
    mb=$(torch_run "$t" $((n + 1)) "$work/torch")
    all_ms=$(sed -n 's/^train_ms_per_iter \([0-9.]*\) .*/\1/p' "$work/torch")
    torch_run "$t" 1 "$work/torch1" > /dev/null
    first_ms=$(sed -n 's/^train_ms_per_iter \([0-9.]*\) .*/\1/p' "$work/torch1")
    ms=$(awk -v a="$all_ms" -v f="$first_ms" -v n="$n" 'BEGIN { printf "%.3f", ((n + 1) * a - f) / n }')
    tps=$(awk -v ms="$ms" -v b="$B" -v t="$T" 'BEGIN { printf "%.0f", b * t / (ms / 1000) }')
    if [ -z "$best_ms" ] || awk -v a="$ms" -v b="$best_ms" 'BEGIN { exit !(a < b) }'; then
      best_ms=$ms best_tps=$tps best_mb=$mb best_t=$t
    fi
  done
  ratio=$(awk -v a="$ours_tps" -v b="$best_tps" 'BEGIN { printf "%.2fx", a / b }')
  printf '%-10s | %10s %10s %8s %12s | %10s %10s %8s %3s | %6s\n' "$name" "$ours_ms" \
    "$ours_tps" "$ours_mb" "$ours_gf" "$best_ms" "$best_tps" "$best_mb" "$best_t" "$ratio"
done
echo "(ms per training step: ours the median of the measured steps after a warm-up one, PyTorch"
echo " the mean of its steps after the first. MB: peak resident set of the whole process."
echo " GFLOP/s: ours, counted matrix-product FLOPs, and their share of the machine's peak as"
echo " babygpt bench measures it: independent fused multiply-adds on the same threads.)"
