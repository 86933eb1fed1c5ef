#!/usr/bin/env bash
# The same seed must give the same numbers with every compiler (CMakeLists.txt:
# -ffp-contract=off; the kernels fuse a multiply-add only in bg/kernels/muladd.h). This trains
# every model briefly, and the grouped-query ones also with 2 and with 1 key/value heads, with
# two builds of babygpt — say one made by g++ and one by clang++ with libc++ — and requires
# bit-identical results: the checkpoint's SHA-256, the printed losses, the samples and the
# eval loss.
#   tools/same_numbers.sh BUILD_A BUILD_B
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: tools/same_numbers.sh BUILD_A BUILD_B"; exit 2; }
bins=()
for b in "$1" "$2"; do
  [ -x "$b/babygpt" ] || { echo "same_numbers: $b/babygpt not found"; exit 1; }
  bins+=("$(cd "$b" && pwd)/babygpt")
done
work=$(mktemp -d "${TMPDIR:-/tmp}/babygpt-same.XXXXXX")
trap 'rm -rf "$work"' EXIT
tools/poems.sh > "$work/poems.txt"
cd "$work"

# The models the program knows, from its own help ("--model v1..v11" or "--model v1|v2|v3").
models=$("${bins[0]}" train --help | sed -n 's/^ *--model \([^ ]*\).*/\1/p')
if [[ "$models" =~ ^v([0-9]+)\.\.v([0-9]+)$ ]]; then
  models=$(seq -f 'v%g' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
else
  models=$(tr '|' ' ' <<< "$models")
fi
[ -n "$models" ] || { echo "same_numbers: cannot read the models from 'train --help'"; exit 1; }
# The first version with heads, from the help ("--n-head N  attention heads, v4+; …"): --n-head
# is given to it and to the versions after it only (the others refuse it).
heads_from=$("${bins[0]}" train --help | sed -n 's/^ *--n-head N *attention heads, v\([0-9]*\)+.*/\1/p')
[ -n "$heads_from" ] || { echo "same_numbers: cannot read the first version with heads"; exit 1; }
# Two sizes: a tiny one, and one whose products fill the gemm's whole register tiles.
sizes=("--batch-size 16 --block-size 8 --n-embed 16 --n-head 4"
       "--batch-size 8 --block-size 32 --n-embed 64 --n-head 4")
# The versions with grouped-query attention, from the help ("--n-kv-head K  …, v8, v9, …;"):
# each is also trained with 2 key/value heads and with 1 (multi-query) at the larger size.
grouped=$("${bins[0]}" train --help | sed -n 's/^ *--n-kv-head K .*heads of grouped-query attention, \(v[0-9, v]*\);.*/\1/p' | tr -d ',')
[ -n "$grouped" ] || { echo "same_numbers: cannot read the versions with grouped-query attention"; exit 1; }
runs=()
for model in $models; do
  for size in "${sizes[@]}"; do
    [ "${model#v}" -ge "$heads_from" ] || size=${size/ --n-head 4/}
    runs+=("--model $model $size")
  done
  if [[ " $grouped " == *" $model "* ]]; then
    runs+=("--model $model ${sizes[1]} --n-kv-head 2" "--model $model ${sizes[1]} --n-kv-head 1")
  fi
done
status=0
for run in "${runs[@]}"; do
  for k in 0 1; do
    # shellcheck disable=SC2086
    "${bins[$k]}" train $run --iters 60 --eval-interval 20 --eval-iters 4 \
      --data poems.txt --out "run$k" --sample-tokens 60 > "train$k.txt" 2>&1 ||
      { cat "train$k.txt"; echo "same_numbers: training failed with ${bins[$k]}"; exit 1; }
    "${bins[$k]}" eval --checkpoint "run$k/model.safetensors" --data poems.txt > "eval$k.txt" 2>&1
    # the losses as printed, without the timings
    grep '^step' "train$k.txt" | sed 's/ | [^|]* tok\/s.*//' > "losses$k.txt"
    sha256sum < "run$k/model.safetensors" | cut -d' ' -f1 > "sha$k.txt"
  done
  what="$run"
  if cmp -s sha0.txt sha1.txt && cmp -s losses0.txt losses1.txt &&
     cmp -s run0/samples.txt run1/samples.txt && cmp -s <(tail -1 eval0.txt) <(tail -1 eval1.txt); then
    echo "same: $what  sha256 $(cut -c1-16 sha0.txt)…  $(tail -1 eval0.txt)"
  else
    status=1
    echo "DIFFERENT: $what"
    echo "  sha256 $(cat sha0.txt) vs $(cat sha1.txt)"
    diff losses0.txt losses1.txt | head -6 || true
    diff <(tail -1 eval0.txt) <(tail -1 eval1.txt) || true
  fi
done
[ $status -eq 0 ] && echo "same_numbers: every run is bit-identical"
exit $status
