#!/usr/bin/env bash
# Checks that the exercises are still exercises (run on a pristine checkout):
#  1. every lesson's exercise files and solution files have the same names;
#  2. they define the same set of external functions (nm `T` symbols of their objects);
#  3. every exercise test fails, and fails with the stub's not-implemented message
#     (BG_STUB_CHECK=1, see tests/support/main.cpp); none passes, none crashes.
# Every lesson with exercises must have exercise tests (tests/NN_name/*.cpp); a lesson with no
# exercises at all (lesson 00) is listed as such.
# Usage: tools/check_exercises.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: tools/check_exercises.sh BUILD_DIR}
cd "$(dirname "$0")/.."
status=0
fail() { echo "check_exercises: $*" >&2; status=1; }

for dir in lessons/[0-9][0-9]_*/; do
  lesson=$(basename "$dir")
  if [ ! -d "solutions/$lesson" ] && [ ! -d "exercises/$lesson" ]; then
    echo "lesson ${lesson:0:2}: no exercises (nothing to check)"
  fi
done

for sol in solutions/[0-9][0-9]_*/; do
  lesson=$(basename "$sol")
  nn=${lesson:0:2}
  ex=exercises/$lesson
  [ -d "$ex" ] || { fail "$lesson: exercises/$lesson is missing"; continue; }
  diff <(cd "$sol" && ls *.cpp) <(cd "$ex" && ls *.cpp) >/dev/null ||
    fail "$lesson: exercises/ and solutions/ hold different files"
  symbols() {
    find "$build/CMakeFiles/bg_$1_$nn.dir" -name '*.o' -print0 |
      xargs -0 nm --defined-only -C | awk '$2 == "T" { $1 = ""; $2 = ""; print substr($0, 3) }' |
      sort -u
  }
  if ! diff <(symbols solutions) <(symbols exercises) > /tmp/bg_symbols_$nn.diff; then
    fail "$lesson: exercises and solutions define different functions (< solutions, > exercises):"
    cat /tmp/bg_symbols_$nn.diff >&2
  fi
  if ! compgen -G "tests/$lesson/*.cpp" >/dev/null; then
    fail "lesson $nn: exercises/$lesson has exercises but tests/$lesson/ has no exercise tests"
  elif [ -x "$build/lesson${nn}_exercises" ]; then
    if ! out=$(BG_STUB_CHECK=1 "$build/lesson${nn}_exercises" 2>&1); then
      fail "lesson $nn: the stub check failed:"
      echo "$out" | grep -E 'stub check' >&2 || echo "$out" | tail -20 >&2
    else
      echo "lesson $nn: $(echo "$out" | grep 'stub check:' | sed 's/^stub check: //')"
    fi
  else
    fail "lesson $nn: $build/lesson${nn}_exercises was not built"
  fi
done
exit $status
