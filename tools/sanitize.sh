#!/usr/bin/env bash
# Reruns one lesson's tests in the sanitizer build (build-asan/: AddressSanitizer and
# UndefinedBehaviorSanitizer, -DBG_SANITIZE=ON). A test that dies with "SegFault" in the normal
# build then stops at the first bad memory access or undefined operation instead, with the call
# stack (file and line of each frame: the build has -g) where it happened and, for a use after
# free, where the memory was freed.
# The first run configures build-asan and compiles the course's engine once more, at -O1 (what
# AddressSanitizer advises: fast to build, frames not merged away; about a minute and a half on
# two cores); later runs rebuild only what changed.
# Usage: tools/sanitize.sh NN [exercises|solutions] [more ctest arguments]
#   tools/sanitize.sh 02                     # lesson 02's exercise tests (your code)
#   tools/sanitize.sh 02 exercises -R '^exercises\.lesson02\.Ex4Backward\.'
#   tools/sanitize.sh 02 solutions           # the same tests against the reference solutions
set -euo pipefail
usage="usage: tools/sanitize.sh NN [exercises|solutions] [more ctest arguments]"
nn=${1:?$usage}
shift
[[ $nn =~ ^[0-9][0-9]$ ]] || { echo "tools/sanitize.sh: the lesson is two digits (02), got '$nn'" >&2; exit 2; }
kind=exercises
if [ $# -gt 0 ] && [[ $1 == exercises || $1 == solutions ]]; then
  kind=$1
  shift
fi
cd "$(dirname "$0")/.."
[ -n "$(compgen -G "tests/${nn}_*/*.cpp")" ] || { echo "tools/sanitize.sh: lesson $nn has no exercise tests" >&2; exit 2; }
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build-asan -DBG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  "${launcher[@]}" >/dev/null
cmake --build build-asan -j2 --target "lesson${nn}_${kind}"
# Show the call stack for UBSan reports too (AddressSanitizer always shows it).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec ctest --test-dir build-asan -L "^${kind}\$" -L "^lesson${nn}\$" --output-on-failure "$@"
