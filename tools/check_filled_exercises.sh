#!/usr/bin/env bash
# The other half of the exercise check: with every solution copied over its exercise (what
# a learner who finished the course has), every exercise test passes and babygpt_mine — the
# program built from exercises/ alone — trains, samples and evaluates end to end, every
# version from v4 to v11 (tools/e2e.sh).
# Works on a copy of the tree, so exercises/ here stays untouched.
#   tools/check_filled_exercises.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/babygpt-filled.XXXXXX")}
mkdir -p "$work/tree"
tar --exclude='./build*' --exclude='./data' --exclude='./runs' --exclude='./.git' -cf - . |
  tar -xf - -C "$work/tree"
cd "$work/tree"
for sol in solutions/[0-9][0-9]_*/; do
  cp "$sol"*.cpp "exercises/$(basename "$sol")/"
done
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" > /dev/null
targets=(babygpt_mine)
missing=()
for sol in solutions/[0-9][0-9]_*/; do
  lesson=$(basename "$sol")
  if compgen -G "tests/$lesson/*.cpp" >/dev/null; then
    targets+=("lesson${lesson:0:2}_exercises")
  else
    missing+=("$lesson")
  fi
done
cmake --build build -j2 --target "${targets[@]}"
ctest --test-dir build -L exercises -j2 --output-on-failure
echo "lessons whose filled-in exercises passed their tests: ${targets[*]:1}"
tools/e2e.sh build babygpt_mine
if [ ${#missing[@]} -gt 0 ]; then
  echo "check_filled_exercises: these lessons have exercises but no exercise tests: ${missing[*]}" >&2
  exit 1
fi
echo "filled exercises: every exercise test passes and babygpt_mine runs end to end"
