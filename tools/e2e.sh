#!/usr/bin/env bash
# End-to-end check of the babygpt program on a small text made here (no network):
# train -> sample -> eval -> attention for v4, then the same for v5 … v11 at small sizes, heads
# (lesson 14), bench,
# then the error paths (each must exit non-zero with a message, never crash).
#   tools/e2e.sh [BUILD_DIR [PROGRAM]]   (default: build babygpt; needs BUILD_DIR/PROGRAM)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$(cd "$build" && pwd)/${2:-babygpt}
[ -x "$bin" ] || { echo "e2e: $bin not found (cmake --build $build --target babygpt)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/babygpt-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "e2e FAILED: $*"; exit 1; }
# expect CODE CMD...: runs CMD, checks its exit status, keeps stdout/stderr in out.txt/err.txt
expect() {
  local want=$1; shift
  set +e; "$@" >out.txt 2>err.txt; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat out.txt err.txt; fail "exit $got (wanted $want): $*"; }
}
# expect_error CODE WORDS CMD...: a failure with a message on stderr that contains WORDS
expect_error() {
  local want=$1 words=$2; shift 2
  expect "$want" "$@"
  grep -qF -- "$words" err.txt || { cat err.txt; fail "message lacks '$words': $*"; }
  echo "ok: exit $want, $(head -1 err.txt)"
}

# ---- a few KB of pseudo-poetry: lines of 5 or 7 characters from a fixed set, a fixed LCG
awk 'BEGIN {
  n = split("春 江 花 月 夜 往 事 风 雨 山 水 人 归 去 来 时 红 楼 梦 秋 声 明 寒 烟 柳", c, " ")
  s = 12345
  for (l = 0; l < 400; l++) {
    s = (s * 1103515245 + 12345) % 2147483648; len = (s % 2) ? 7 : 5
    line = ""
    for (i = 0; i < len; i++) { s = (s * 1103515245 + 12345) % 2147483648; line = line c[int(s / 65536) % n + 1] }
    printf "%s%s\n", line, (l % 4 == 3) ? "。\n" : "，"
  }
}' > poems.txt
[ "$(wc -c < poems.txt)" -gt 4000 ] || fail "the generated text is too small"

# ---- the happy path
expect 0 "$bin" --help
expect 0 "$bin" train --help
grep -qF -- "--block-size" out.txt || fail "train --help lacks --block-size"
expect 0 "$bin" train --model v4 --iters 200 --eval-interval 50 --eval-iters 10 \
  --batch-size 16 --n-embed 16 --n-head 4 --data poems.txt --out run --sample-tokens 40
grep -q "step 200/200 | train" out.txt || { cat out.txt; fail "train printed no final estimate"; }
for f in model.safetensors loss.svg samples.txt; do
  [ -s "run/$f" ] || fail "train did not write run/$f"
done
grep -q "^--- 春江" run/samples.txt || fail "samples.txt lacks the 春江 sample"
echo "ok: train ($(grep '^trained' out.txt))"

expect 0 "$bin" sample --checkpoint run/model.safetensors --prompt 春 --prompt 秋风 --tokens 50 \
  --temperature 0.8 --top-k 5 --seed 3
grep -q "^秋风" out.txt || fail "sample did not continue the prompt 秋风"
cp out.txt sample1.txt
expect 0 "$bin" sample --checkpoint run/model.safetensors --prompt 春 --prompt 秋风 --tokens 50 \
  --temperature 0.8 --top-k 5 --seed 3
cmp -s out.txt sample1.txt || fail "sample is not deterministic for a seed"
grep -q "tokens/s" err.txt || fail "sample did not report tokens/s"
echo "ok: sample"

expect 0 "$bin" eval --checkpoint run/model.safetensors --data poems.txt
loss=$(tail -1 out.txt)
[[ "$loss" =~ ^val\ loss\ [0-9]+\.[0-9]+$ ]] || fail "eval's last line is '$loss'"
expect 0 "$bin" eval --checkpoint=run/model.safetensors --data=poems.txt --split=val
[ "$(tail -1 out.txt)" = "$loss" ] || fail "eval is not deterministic"
echo "ok: eval ($loss)"

expect 0 "$bin" attention --checkpoint run/model.safetensors --prompt 春江花月夜往事秋风寒 \
  --out pics/attention.svg
grep -q "<svg" pics/attention.svg || fail "attention wrote no SVG"
grep -q "head 3" pics/attention.svg || fail "attention.svg lacks head 3"
echo "ok: attention"

# ---- v5 … v11 at small sizes: train, eval (twice: deterministic), sample, attention
for model in v5 v6 v7 v8 v9 v10 v11; do
  args=(--model "$model" --iters 30 --eval-interval 15 --eval-iters 4 --data poems.txt
        --out "run_$model" --sample-tokens 20 --n-embed 16 --n-head 4 --batch-size 8)
  case $model in
    v5) ;;
    v10) args+=(--n-layer 2 --dropout 0.1) ;;
    v11) args+=(--n-layer 2 --block-size 16 --lr 0.003) ;;  # v11 defaults to block 256, 6 layers
    *) args+=(--n-layer 2) ;;
  esac
  expect 0 "$bin" train "${args[@]}"
  head -1 out.txt > header.txt
  grep -q "step 30/30 | train" out.txt || { cat out.txt; fail "$model: no final estimate"; }
  if [ "$model" != v5 ]; then
    grep -q "n_layer 2" header.txt || { cat header.txt; fail "$model: the header lacks n_layer"; }
  fi
  case $model in v10 | v11)
    grep -q "dropout" header.txt || { cat header.txt; fail "$model: the header lacks dropout"; } ;;
  esac
  [ -s "run_$model/model.safetensors" ] || fail "$model: no checkpoint"
  expect 0 "$bin" eval --checkpoint "run_$model/model.safetensors" --data poems.txt
  loss=$(tail -1 out.txt)
  [[ "$loss" =~ ^val\ loss\ [0-9]+\.[0-9]+$ ]] || fail "$model: eval's last line is '$loss'"
  expect 0 "$bin" eval --checkpoint "run_$model/model.safetensors" --data poems.txt
  [ "$(tail -1 out.txt)" = "$loss" ] || fail "$model: eval is not deterministic"
  expect 0 "$bin" sample --checkpoint "run_$model/model.safetensors" --prompt 春江 --tokens 20 \
    --seed 3
  grep -q "^春江" out.txt || fail "$model: sample did not continue the prompt"
  expect 0 "$bin" attention --checkpoint "run_$model/model.safetensors" --prompt 春江花月夜 \
    --out "pics/attention_$model.svg"
  grep -q "head 3" "pics/attention_$model.svg" || fail "$model: attention lacks head 3"
  if [ "$model" != v5 ]; then
    grep -q ">layer 1<" "pics/attention_$model.svg" || fail "$model: attention lacks layer 1"
  fi
  echo "ok: $(sed 's/^training //' header.txt); $loss"
done

# ---- sample with the KV cache (the default) and without it (lesson 13): the same text, far
# past block_size (v4: block 8, v10/v11: block 8/16, several layers, dropout off when sampling)
for ckpt in run run_v10 run_v11; do
  expect 0 "$bin" sample --checkpoint "$ckpt/model.safetensors" --prompt 春 --tokens 100 --seed 4
  grep -q "with the KV cache" err.txt || fail "$ckpt: sample does not say it used the KV cache"
  cp out.txt cached.txt
  expect 0 "$bin" sample --checkpoint "$ckpt/model.safetensors" --prompt 春 --tokens 100 \
    --seed 4 --no-kv-cache
  grep -q "without the KV cache" err.txt || fail "$ckpt: sample --no-kv-cache used the cache"
  cmp -s out.txt cached.txt || fail "$ckpt: other text with the KV cache than without"
done
expect_error 2 "--no-kv-cache" "$bin" sample --checkpoint run/model.safetensors --no-kv-cache=yes
echo "ok: sample --no-kv-cache (same text)"

# ---- lesson 14: the heads of the small v11 (roles, ablation, pruning), and --prune-heads
expect 0 "$bin" heads --checkpoint run_v11/model.safetensors --data poems.txt --out heads
for f in roles.md roles.svg ablation.md pruning.svg; do
  [ -s "heads/$f" ] || fail "heads did not write heads/$f"
done
grep -q "^| 1\.3 |" heads/roles.md || fail "heads/roles.md lacks head 1.3"
grep -q "within +0.02 nats" out.txt || fail "heads does not say how many heads can go"
expect 0 "$bin" sample --checkpoint run_v11/model.safetensors --prompt 春 --tokens 60 --seed 4 \
  --prune-heads 0.0,1.2
cp out.txt pruned.txt
expect 0 "$bin" sample --checkpoint run_v11/model.safetensors --prompt 春 --tokens 60 --seed 4 \
  --prune-heads 0.0,1.2 --no-kv-cache
cmp -s out.txt pruned.txt || fail "sample --prune-heads: other text with the KV cache than without"
expect_error 1 "no head 2.0" "$bin" eval --checkpoint run_v11/model.safetensors --data poems.txt \
  --prune-heads 2.0
expect_error 1 "W^O" "$bin" heads --checkpoint run/model.safetensors --data poems.txt
echo "ok: heads, and sample --prune-heads (same text with and without the KV cache)"

# ---- lesson 14: grouped-query attention (--n-kv-head): K = n_head is the same run, bit for bit;
# K = 1 (multi-query) trains, evaluates, and samples the same text with and without its cache,
# which holds 4 times fewer bytes per token
gqa=(--model v11 --iters 30 --eval-interval 15 --eval-iters 4 --data poems.txt --sample-tokens 20
     --n-embed 16 --n-head 4 --batch-size 8 --n-layer 2 --block-size 16 --lr 0.003)
expect 0 "$bin" train "${gqa[@]}" --n-kv-head 4 --out run_v11_k4
cmp -s run_v11/model.safetensors run_v11_k4/model.safetensors ||
  fail "--n-kv-head 4 (= --n-head) trained other bits than without the flag"
expect 0 "$bin" train "${gqa[@]}" --n-kv-head 1 --out run_v11_k1
grep -q "n_head 4, n_kv_head 1" out.txt || fail "train --n-kv-head 1: the header lacks n_kv_head"
expect 0 "$bin" eval --checkpoint run_v11_k1/model.safetensors --data poems.txt
[[ "$(tail -1 out.txt)" =~ ^val\ loss\ [0-9]+\.[0-9]+$ ]] || fail "eval of the K = 1 model"
expect 0 "$bin" sample --checkpoint run_v11/model.safetensors --prompt 春 --tokens 40 --seed 4
full=$(grep -o "[0-9,]* bytes per token" err.txt)
for cache in "" --no-kv-cache; do
  expect 0 "$bin" sample --checkpoint run_v11_k1/model.safetensors --prompt 春 --tokens 40 \
    --seed 4 $cache
  cp out.txt "k1$cache.txt"
  [ -z "$cache" ] && one=$(grep -o "[0-9,]* bytes per token" err.txt)
done
cmp -s k1.txt k1--no-kv-cache.txt || fail "K = 1: other text with the KV cache than without"
[ "$full" = "256 bytes per token" ] && [ "$one" = "64 bytes per token" ] ||
  fail "KV cache per token: '$full' with 4 key/value heads, '$one' with 1"
expect_error 2 "--n-kv-head applies to v8" "$bin" train --model v7 --n-kv-head 1
echo "ok: --n-kv-head (K = n_head same bits; K = 1: $one instead of $full, same text cached)"

expect 0 "$bin" bench --model v11 --data poems.txt --iters 3 --warmup 1 --threads 1 \
  --batch-size 4 --block-size 16 --n-embed 16 --n-head 4 --n-layer 2
grep -qF "GFLOP/s" out.txt || { cat out.txt; fail "bench --model v11 does not report GFLOP/s"; }
echo "ok: bench v11 ($(grep 'ms/step' out.txt))"

expect 0 "$bin" bench --data poems.txt --iters 5 --warmup 1 --batch-size 8 --n-embed 16 \
  --n-head 4
for figure in "ms/step: median" "tokens/s:" "forward" "GFLOP/s" "peak resident memory:" "threads:"; do
  grep -qF -- "$figure" out.txt || { cat out.txt; fail "bench does not report '$figure'"; }
done
echo "ok: bench ($(grep 'ms/step' out.txt))"

# ---- error paths
expect_error 2 "unknown flag --iterz" "$bin" train --iterz 3
expect_error 2 "--iters needs a value" "$bin" train --iters
expect_error 2 "expects an integer" "$bin" train --iters many
expect_error 2 "not divisible" "$bin" train --n-embed 30 --n-head 4
expect_error 2 "--model must be one of" "$bin" train --model v12
expect_error 2 "--n-layer must be at least 1" "$bin" train --model v9 --n-layer 0
expect_error 2 "--n-layer applies to v6" "$bin" train --model v4 --n-layer 2
expect_error 2 "--n-head applies to v4" "$bin" train --model v3 --n-head 2
expect_error 2 "--dropout must be in [0, 1)" "$bin" train --model v10 --dropout 1.5
expect_error 2 "--dropout applies to v10" "$bin" train --model v9 --dropout 0.2
expect_error 2 "not divisible" "$bin" train --model v9 --n-embed 30 --n-head 4
expect_error 2 "--n-embed 32 is not divisible by --n-head 6" "$bin" train --model v11 --n-embed 32
expect_error 2 "--dropout must be in [0, 1)" "$bin" bench --model v11 --dropout 1
expect_error 2 "unknown command" "$bin" fly
expect_error 1 "missing.safetensors" "$bin" sample --checkpoint missing.safetensors
head -c 2000 run/model.safetensors > truncated.safetensors
expect_error 1 "truncated.safetensors" "$bin" eval --checkpoint truncated.safetensors --data poems.txt
printf '春江花月夜\n\xc3\x28往事\n' > bad.txt
expect_error 1 "invalid UTF-8 at byte 16" "$bin" train --data bad.txt --out bad
expect_error 1 "not in the vocabulary" "$bin" sample --checkpoint run/model.safetensors --prompt "abc"
printf '春江花月夜' > short.txt
expect_error 1 "shorter than a block" "$bin" train --data short.txt --out short
expect_error 1 "does not exist" "$bin" eval --checkpoint run/model.safetensors --data nothing.txt

echo "e2e: all passed"
