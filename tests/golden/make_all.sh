#!/usr/bin/env bash
# Regenerates every golden file of tests/golden/data/ (the expected values of the C++ tests)
# with PyTorch. Run from anywhere:
#   tests/golden/make_all.sh
# Needs PyTorch 1.13 for /usr/bin/python3 (Debian: apt-get install python3-torch) or
# PYTHON=/path/to/python3. The build and the tests never run Python: the files are committed.
# Regenerating on the same PyTorch gives byte-identical files (git status shows no change);
# see tests/golden/README.md.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-/usr/bin/python3}
"$python" gpt_golden.py --all
"$python" ops_golden.py --all
"$python" blocks_golden.py --all
"$python" layer_norm_golden.py
