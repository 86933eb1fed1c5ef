#!/usr/bin/env bash
# The pages quote numbers from seeded runs: a fresh build must still give them. This reruns
# the quotes that are cheap enough (6 min 17 s on the course's 2 cores while other work kept
# them busy, almost all of it three training runs) and fails, naming the page and the number,
# when one has changed.
#
# Checked here:
#   0. lesson 05's demo, `lesson05_train DATA` (v1, seed 1337, 5,000 steps, under a minute):
#      its estimated losses at steps 0 and 5,000 (8.91 / 8.93, 4.98 / 5.43, lesson 05) and v1's
#      validation estimate in lesson 06 (5.43).
#   1. `lesson10_grad_flow` (deterministic, a second): its whole table, as printed in
#      lessons/10_residual_connections/README.md and README.zh.md.
#   2. v4 with the course's defaults (`babygpt train`, seed 1337, 5,000 steps, 1 to 2.5
#      minutes): the loss lines the root README shows, then `babygpt eval` on the validation
#      split: 5.3957 in README.md, lessons 08, 09 and 12; 5.396 in lessons 11 and 12 (both
#      languages each).
#   3. the CPU-sized v11, the root README's second command (seed 1337, 1,500 steps, about
#      2-4 minutes): the loss lines it prints (README.md and README.zh.md show them), its
#      estimated validation losses at steps 500 to 1,500 (lesson 12 §5) and `babygpt eval`
#      on the validation split: 5.0844 in README.md and lesson 12.
#   4. `babygpt heads` on that v11 (about 4 minutes): lesson 14's table of head roles, the lines
#      it prints, the losses as heads are removed, and `eval --prune-heads` of the six dearest.
# Too long to check here (each a training run of 1 to 5 minutes, or hours): lesson 06's v2;
# v5, v6, v7, v8, v9 and v10 with the course's defaults (lessons 09-12, the training-log
# values quoted there, and lesson 09's ReLU activity, which needs the v5 and v6
# checkpoints); the CPU-sized v11 with seed 42 and the two-seed mean (lesson 12 §5); lesson
# 13's runs; lesson 14's head-count runs (ten trainings, §5); the full v11. Not checkable at
# all: the PyTorch columns (they need PyTorch), the samples' text, and every time.
#
#   tools/check_quoted_numbers.sh BUILD_DIR [DATA]
# BUILD_DIR: a Release build (the pages' numbers come from one); the script builds the three
# programs it needs there. DATA: the corpus (default data/ci.txt, from
# `./build/babygpt prepare-data`). Without it the check is skipped (exit 0) — unless the
# environment variable CI is set, where a missing corpus is an error. No network.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: tools/check_quoted_numbers.sh BUILD_DIR [DATA]"
  exit 2
fi
build=$1
data=${2:-data/ci.txt}

if [ ! -f "$data" ]; then
  if [ -n "${CI:-}" ]; then
    echo "check_quoted_numbers: $data not found (CI is set, so this is an error:" \
      "run './build/babygpt prepare-data' first, or pass the corpus as DATA)"
    exit 1
  fi
  echo "check_quoted_numbers: skipped: $data not found (./build/babygpt prepare-data writes it)"
  exit 0
fi
data=$(cd "$(dirname "$data")" && pwd)/$(basename "$data")

[ -f "$build/CMakeCache.txt" ] || { echo "check_quoted_numbers: $build is not a CMake build directory"; exit 1; }
type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[ "$type" = Release ] || {
  echo "check_quoted_numbers: $build is a '$type' build; the quoted numbers come from Release builds"
  exit 1
}
cmake --build "$build" -j2 --target babygpt lesson05_train lesson10_grad_flow > /dev/null
bin=$(cd "$build" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/babygpt-quoted.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "DIFFERENT: $*"; failures=$((failures + 1)); }
# quoted PAGE LITERAL MEASURED WHAT: the page must quote LITERAL, and MEASURED rounded to
# LITERAL's decimals must be LITERAL.
quoted() {
  local page=$1 literal=$2 measured=$3 what=$4 decimals=0 fraction rounded
  if [[ "$literal" == *.* ]]; then
    fraction=${literal#*.}
    decimals=${#fraction}
  fi
  rounded=$(LC_ALL=C printf '%.*f' "$decimals" "${measured:-0}")
  if [ -z "$measured" ]; then
    fail "$page quotes $literal for $what; the fresh run printed no such number (its output changed?)"
  elif ! grep -qFw -- "$literal" "$page"; then
    fail "$page no longer quotes $literal ($what); update tools/check_quoted_numbers.sh"
  elif [ "$rounded" != "$literal" ]; then
    fail "$page quotes $literal for $what; a fresh run gives $measured"
  else
    echo "same: $page: $what $literal"
  fi
}
# the lines starting with 'step ' of a training log (or of a page), without the speed and times
losses() { grep -E '^step [0-9]+/[0-9]+ \|' "$1" | sed 's/ | [^|]* tok\/s.*//'; }
val_loss() { sed -n 's/^val loss \([0-9.]*\)$/\1/p' "$1"; }
# same_lines PAGE STEPS LOG WHAT: every 'step N/STEPS' line the page shows is one the run printed
same_lines() {
  local page=$1 steps=$2 log=$3 what=$4
  losses "$page" | grep -E "^step [0-9]+/$steps \|" > "$work/page.txt" || true
  if [ ! -s "$work/page.txt" ]; then
    fail "$page no longer shows $what; update tools/check_quoted_numbers.sh"
  elif grep -vxFf <(losses "$log") "$work/page.txt" > "$work/diff.txt"; then
    fail "$page shows $what that a fresh run does not print:"
    cat "$work/diff.txt"
    echo "  the fresh run printed:"
    losses "$log" | grep -E "^step [0-9]+/$steps \|" | sed 's/^/  /'
  else
    echo "same: $page: $what"
  fi
}

# ---- 0. lesson 05's demo (v1)
echo "training v1 with lesson 05's demo (under a minute)"
"$bin/lesson05_train" "$data" > "$work/v1.txt" 2>&1 ||
  { cat "$work/v1.txt"; echo "check_quoted_numbers: lesson05_train failed"; exit 1; }
# "step  5000  train 4.9751  val 5.4340" -> the two numbers
v1_at() { awk -v s="$1" -v k="$2" '$1 == "step" && $2 == s { for (i = 3; i < NF; i++) if ($i == k) print $(i + 1) }' "$work/v1.txt"; }
for page in lessons/05_language_model/README.md lessons/05_language_model/README.zh.md; do
  quoted "$page" 8.91 "$(v1_at 0 train)" "v1's estimated training loss at step 0"
  quoted "$page" 8.93 "$(v1_at 0 val)" "v1's estimated validation loss at step 0"
  quoted "$page" 4.98 "$(v1_at 5000 train)" "v1's estimated training loss at step 5,000"
  quoted "$page" 5.43 "$(v1_at 5000 val)" "v1's estimated validation loss at step 5,000"
done
for page in lessons/06_position_embedding/README.md lessons/06_position_embedding/README.zh.md; do
  quoted "$page" 5.43 "$(v1_at 5000 val)" "v1's estimated validation loss at step 5,000"
done

# ---- 1. lesson 10's gradient-flow table
"$bin/lesson10_grad_flow" > "$work/grad_flow.txt"
for page in lessons/10_residual_connections/README.md lessons/10_residual_connections/README.zh.md; do
  awk '/^gradient norm of each block/ { p = 1 } p && /^```/ { exit } p' "$page" > "$work/page.txt"
  if [ ! -s "$work/page.txt" ]; then
    fail "$page no longer shows lesson10_grad_flow's table; update tools/check_quoted_numbers.sh"
  elif diff "$work/page.txt" "$work/grad_flow.txt" > "$work/diff.txt"; then
    echo "same: $page: lesson10_grad_flow's table"
  else
    fail "$page: lesson10_grad_flow's table differs (< page, > fresh run):"
    cat "$work/diff.txt"
  fi
done

cd "$work"
# ---- 2. v4, the course's defaults
echo "training v4 with the course's defaults (a few minutes)"
"$bin/babygpt" train --model v4 --data "$data" --out v4 > v4.train.txt 2>&1 ||
  { cat v4.train.txt; echo "check_quoted_numbers: training v4 failed"; exit 1; }
"$bin/babygpt" eval --checkpoint v4/model.safetensors --data "$data" > v4.eval.txt 2>&1 ||
  { cat v4.eval.txt; echo "check_quoted_numbers: babygpt eval of v4 failed"; exit 1; }
v4=$(val_loss v4.eval.txt)
cd "$root"
for page in README.md README.zh.md; do
  same_lines "$page" 5000 "$work/v4.train.txt" "v4's loss lines"
done
for page in README.md README.zh.md lessons/08_multi_head_attention/README.md \
  lessons/08_multi_head_attention/README.zh.md lessons/09_feed_forward_and_blocks/README.md \
  lessons/09_feed_forward_and_blocks/README.zh.md lessons/12_dropout_and_scaling/README.md \
  lessons/12_dropout_and_scaling/README.zh.md; do
  quoted "$page" 5.3957 "$v4" "v4's validation loss (course defaults)"
done
for page in lessons/11_layer_normalization/README.md lessons/11_layer_normalization/README.zh.md \
  lessons/12_dropout_and_scaling/README.md lessons/12_dropout_and_scaling/README.zh.md; do
  quoted "$page" 5.396 "$v4" "v4's validation loss (course defaults)"
done

# ---- 3. the CPU-sized v11 (the root README's second command)
cd "$work"
echo "training the CPU-sized v11 (a few minutes)"
"$bin/babygpt" train --model v11 --batch-size 32 --block-size 32 --n-embed 128 --n-head 4 \
  --n-layer 4 --lr 1e-3 --dropout 0.1 --iters 1500 --eval-interval 250 --eval-iters 50 \
  --data "$data" --out v11-small > v11.train.txt 2>&1 ||
  { cat v11.train.txt; echo "check_quoted_numbers: training the CPU-sized v11 failed"; exit 1; }
"$bin/babygpt" eval --checkpoint v11-small/model.safetensors --data "$data" > v11.eval.txt 2>&1 ||
  { cat v11.eval.txt; echo "check_quoted_numbers: babygpt eval of the CPU-sized v11 failed"; exit 1; }
v11=$(val_loss v11.eval.txt)
losses v11.train.txt > v11.losses.txt
cd "$root"
for page in README.md README.zh.md; do
  same_lines "$page" 1500 "$work/v11.train.txt" "the CPU-sized v11's loss lines"
  quoted "$page" 5.0844 "$v11" "the CPU-sized v11's validation loss (seed 1337)"
done
for page in lessons/12_dropout_and_scaling/README.md lessons/12_dropout_and_scaling/README.zh.md; do
  quoted "$page" 5.0844 "$v11" "the CPU-sized v11's validation loss (seed 1337)"
done
# lesson 12 §5: "ours 5.5526, 5.3787, … at steps 500 to 1,500" (the Chinese page lists them with 、)
estimates=$(sed -n 's/^step \(500\|750\|1000\|1250\|1500\)\/1500 | train [0-9.]* | val \([0-9.]*\)$/\2/p' \
  "$work/v11.losses.txt")
[ "$(wc -l <<< "$estimates")" -eq 5 ] || fail "the CPU-sized v11's log lacks the estimates at steps 500 to 1,500"
for page in lessons/12_dropout_and_scaling/README.md lessons/12_dropout_and_scaling/README.zh.md; do
  sep=", "
  [[ "$page" == *.zh.md ]] && sep="、"
  list=$(awk -v s="$sep" 'NR > 1 { printf "%s", s } { printf "%s", $0 }' <<< "$estimates")
  if grep -qF -- "$list" "$page"; then
    echo "same: $page: the CPU-sized v11's estimated validation losses $list"
  else
    fail "$page does not quote the CPU-sized v11's estimated validation losses at steps 500 to" \
      "1,500 as a fresh run gives them: $list"
  fi
done

# ---- 4. lesson 14: babygpt heads on the CPU-sized v11 (about 4 minutes)
echo "measuring the CPU-sized v11's heads (a few minutes)"
"$bin/babygpt" heads --checkpoint "$work/v11-small/model.safetensors" --data "$data" \
  > "$work/heads.txt" 2>&1 ||
  { cat "$work/heads.txt"; echo "check_quoted_numbers: babygpt heads failed"; exit 1; }
dearest=0.3,1.1,0.0,1.3,3.1,3.0  # lesson 14 §4: the six heads that cost most alone
"$bin/babygpt" eval --checkpoint "$work/v11-small/model.safetensors" --data "$data" \
  --prune-heads "$dearest" > "$work/pruned.eval.txt" 2>&1 ||
  { cat "$work/pruned.eval.txt"; echo "check_quoted_numbers: eval --prune-heads failed"; exit 1; }
heads_dir=$work/v11-small/heads
# the row of §3's pruning table (after its label): the loss with 0, 1, … 6, 8, 12 and 16 heads
# removed
pruned_row="| $(sed -n 's/^Validation loss over the whole split.*kept: \([0-9.]*\)$/\1/p' \
  "$heads_dir/ablation.md")"
for k in 1 2 3 4 5 6 8 12 16; do
  pruned_row+=" | $(awk -F' [|] ' -v k="$k" '$1 == "| " k { print $4 }' "$heads_dir/ablation.md")"
done
pruned_row+=" |"
for page in lessons/14_attention_heads/README.md lessons/14_attention_heads/README.zh.md; do
  rows_ok=yes
  while IFS= read -r row; do
    grep -qxF -- "$row" "$page" || { rows_ok=no; fail "$page lacks the head roles row a fresh run gives: $row"; }
  done < <(grep -E '^[|] [0-9]+[.][0-9]+ [|]' "$heads_dir/roles.md")
  [ $rows_ok = yes ] && echo "same: $page: the 16 rows of the head roles table"
  for line in "validation loss" "least costly head alone" "heads that can go"; do
    printed=$(grep "^$line" "$work/heads.txt")
    if grep -qxF -- "$printed" "$page"; then
      echo "same: $page: $printed"
    else
      fail "$page does not show the line babygpt heads prints: $printed"
    fi
  done
  if grep -qF -- "$pruned_row" "$page"; then
    echo "same: $page: the losses as heads are removed"
  else
    fail "$page does not show the losses as heads are removed as a fresh run gives them: $pruned_row"
  fi
  quoted "$page" 5.2497 "$(val_loss "$work/pruned.eval.txt")" \
    "the validation loss without heads $dearest"
done

if [ "$failures" -gt 0 ]; then
  echo "check_quoted_numbers: $failures quoted number(s) differ from a fresh run (see DIFFERENT above)"
  exit 1
fi
echo "check_quoted_numbers: every checked quote matches a fresh run"
