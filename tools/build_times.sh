#!/usr/bin/env bash
# How long a learner waits for the build, measured from fresh clones, and printed as a table:
#   test line     the README's test line: configure, build everything, run the reference suite
#   first lesson  configure, build lessonNN_exercises alone, run its tests (they fail: stubs)
#   edit cycle    after that, change one exercise file, rebuild the lesson, run its tests again
#   sanitizer     tools/sanitize.sh NN: the first AddressSanitizer build and run of the lesson
# Each column is one git revision (default: HEAD), cloned afresh into a temporary folder, with
# no compiler cache (ccache is switched off), so the numbers are what a first clone costs. The
# revisions take turns step by step, so a slow stretch of a shared machine hits all of them.
#
# Usage: tools/build_times.sh [REV ...]         e.g. tools/build_times.sh 4fc1d77 HEAD
# Environment: LESSON=09 (the lesson of the three lesson rows; default 01), JOBS=2,
#              SKIP_SANITIZER=1 (leave out the slowest row).
# Wall-clock seconds; the whole run takes about ten minutes per revision on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
lesson=${LESSON:-01}
jobs=${JOBS:-2}
[[ $lesson =~ ^[0-9][0-9]$ ]] || { echo "build_times.sh: LESSON is two digits (01), got '$lesson'" >&2; exit 2; }
revs=("$@")
[ ${#revs[@]} -gt 0 ] || revs=(HEAD)
declare -A hash
for rev in "${revs[@]}"; do
  hash[$rev]=$(git rev-parse --verify -q "$rev^{commit}") || { echo "build_times.sh: no revision '$rev'" >&2; exit 2; }
done

export CCACHE_DISABLE=1
unset CMAKE_CXX_COMPILER_LAUNCHER CMAKE_C_COMPILER_LAUNCHER
work=$(mktemp -d /tmp/bg_build_times.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=${TMPDIR:-/tmp}/bg_build_times.log  # every command's output, kept after the run
: >"$log"

clone() {  # clone REV DIR
  git clone -q --no-hardlinks "$repo" "$2"
  git -C "$2" checkout -q "${hash[$1]}"
}
seconds() {  # seconds COMMAND...: runs it in the current folder, prints the wall time
  local start end status=0
  start=$(date +%s.%N)
  "$@" >>"$log" 2>&1 || status=$?
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }'
  # The lesson's exercise tests fail on purpose (stubs); anything else must succeed.
  [ "$status" -eq 0 ] || [ "$1" = first_lesson ] || [ "$1" = edit_cycle ] || [ "$1" = sanitizer ] ||
    printf " (FAILED, see the log)"
}
test_line() {
  cmake -S . -B build && cmake --build build -j"$jobs" &&
    ctest --test-dir build -L solutions -j"$jobs" --output-on-failure
}
first_lesson() {
  cmake -S . -B build && cmake --build build -j"$jobs" --target "lesson${lesson}_exercises" &&
    ctest --test-dir build -L exercises -L "lesson$lesson"
}
edit_cycle() {
  local file
  file=$(ls exercises/"${lesson}"_*/*.cpp | head -1)
  echo "// an edit" >>"$file"
  cmake --build build -j"$jobs" --target "lesson${lesson}_exercises" &&
    ctest --test-dir build -L exercises -L "lesson$lesson"
}
sanitizer() { tools/sanitize.sh "$lesson" exercises; }

declare -A result
for i in "${!revs[@]}"; do clone "${revs[$i]}" "$work/test_line_$i"; done
for i in "${!revs[@]}"; do clone "${revs[$i]}" "$work/lesson_$i"; done
for i in "${!revs[@]}"; do
  echo "first lesson, ${revs[$i]}" >&2
  result[first,$i]=$(cd "$work/lesson_$i" && seconds first_lesson)
done
for i in "${!revs[@]}"; do
  echo "edit cycle, ${revs[$i]}" >&2
  result[edit,$i]=$(cd "$work/lesson_$i" && seconds edit_cycle)
done
if [ -z "${SKIP_SANITIZER:-}" ]; then
  for i in "${!revs[@]}"; do
    echo "sanitizer, ${revs[$i]}" >&2
    result[asan,$i]=$(cd "$work/lesson_$i" && seconds sanitizer)
  done
fi
for i in "${!revs[@]}"; do
  echo "test line, ${revs[$i]}" >&2
  result[line,$i]=$(cd "$work/test_line_$i" && seconds test_line)
done

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown)
isa=AVX2
grep -qw avx512f /proc/cpuinfo 2>/dev/null && isa=AVX-512
grep -qw avx2 /proc/cpuinfo 2>/dev/null || [ "$isa" = AVX-512 ] || isa="no AVX2"
echo
echo "$cpu, $(nproc) cores ($isa), load average $(cut -d' ' -f1-3 /proc/loadavg), $(c++ --version | head -1)"
echo "wall-clock seconds from a fresh clone, no compiler cache, -j$jobs, lesson $lesson (log: $log)"
echo
header="| step |"
rule="|---|"
for rev in "${revs[@]}"; do
  header+=" $rev (${hash[$rev]:0:7}) |"
  rule+="---|"
done
echo "$header"
echo "$rule"
row() {  # row KEY LABEL
  local line="| $2 |"
  for i in "${!revs[@]}"; do line+=" ${result[$1,$i]:--} s |"; done
  echo "$line"
}
row line "README test line (configure, build all, reference suite)"
row first "first lesson (configure, build lesson${lesson}_exercises, its tests)"
row edit "edit one exercise file, rebuild, its tests"
[ -n "${SKIP_SANITIZER:-}" ] || row asan "tools/sanitize.sh $lesson (first sanitizer build and run)"
