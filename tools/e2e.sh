#!/usr/bin/env bash
# End-to-end check of the babygpt program on a small text made here (no network):
# train -> sample -> eval -> attention, then the error paths (each must exit non-zero with a
# message, never crash).
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

# ---- sample with the KV cache (the default) and without it (lesson 13): the same text,
# past block_size too (300 characters from a block of 8)
expect 0 "$bin" sample --checkpoint run/model.safetensors --prompt 春 --tokens 300 --seed 4
grep -q "with the KV cache" err.txt || fail "sample does not say it used the KV cache"
cp out.txt cached.txt
expect 0 "$bin" sample --checkpoint run/model.safetensors --prompt 春 --tokens 300 --seed 4 \
  --no-kv-cache
grep -q "without the KV cache" err.txt || fail "sample --no-kv-cache still used the cache"
cmp -s out.txt cached.txt || fail "sample writes other text with the KV cache than without"
expect_error 2 "--no-kv-cache" "$bin" sample --checkpoint run/model.safetensors --no-kv-cache=yes
echo "ok: sample --no-kv-cache (same text)"

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
