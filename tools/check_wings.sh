#!/usr/bin/env bash
# The engine's wings include one another one way only (ARCHITECTURE.md):
#
#   program (bg/cli/, engine/src/cli/)  ->  everything below
#   fast    (bg/fast/, engine/src/fast/) ->  course, kernels
#   io      (bg/io/, engine/src/io/)     ->  course, kernels
#   course  (bg/*.h, engine/src/*.cpp, exercises/, solutions/)  ->  kernels
#   kernels (bg/kernels/, engine/src/kernels/)  ->  nothing of the engine
#
# Prints every #include that goes the wrong way, with its file and line, and fails if there
# is one.   tools/check_wings.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bad=0
# check WING FORBIDDEN_REGEX FILES...: no file of WING includes a header matching the regex.
check() {
  local wing=$1 forbidden=$2
  shift 2
  local hits
  hits=$(grep -HnE "^#include \"bg/($forbidden)" "$@" 2>/dev/null || true)
  if [ -n "$hits" ]; then
    echo "check_wings: the $wing wing includes what it must not (see ARCHITECTURE.md):"
    echo "$hits" | sed 's/^/  /'
    bad=1
  fi
}

shopt -s nullglob
course=(engine/include/bg/*.h engine/src/*.cpp exercises/*/*.cpp exercises/*/*.h
        solutions/*/*.cpp solutions/*/*.h)
check course 'fast/|io/|cli' "${course[@]}"
check kernels '[a-z_]+\.h|fast/|io/|cli' engine/include/bg/kernels/*.h engine/src/kernels/*.cpp
check io 'fast/|cli' engine/include/bg/io/*.h engine/src/io/*.cpp
check fast 'io/|cli' engine/include/bg/fast/*.h engine/src/fast/*.cpp

if [ "$bad" -ne 0 ]; then
  exit 1
fi
echo "check_wings: every include goes the allowed way (course, kernels, io, fast, program)"
