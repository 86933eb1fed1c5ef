# Writes the golden files of tests/golden/data/ for the scripts beside it (gpt_golden.py,
# blocks_golden.py, layer_norm_golden.py); tests/support/golden.h reads them with the engine's
# safetensors reader. Regenerate every file with tests/golden/make_all.sh (README.md here).
#
# The format, written by hand (the `safetensors` package is not needed):
#   8 bytes    N, the header length, unsigned little-endian
#   N bytes    JSON: {"__metadata__": {"command": ..., "torch": ..., "kernels": ...},
#              "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...},
#              padded with spaces to a multiple of 8
#   the rest   every tensor's values as raw little-endian float32, row-major, in the order
#              given, with no gap: the C++ tests read a file's tensors in that order.
# The same inputs give the same bytes: no time stamps, the keys in a fixed order.
#
# Kernels. The last bits of a float32 result depend on the order of the sums inside the BLAS
# and ATen kernels, and so on the processor. Each script therefore runs with fixed kernels
# (use_kernels below): OpenBLAS's (Debian's libopenblas0, which python3-torch pulls in) for a
# named processor, and ATen's AVX2 ones. The files record which. Most were first made with
# OpenBLAS's Haswell kernels, which run on any x86-64 processor with AVX2; some of the oldest
# numbers (the tiny v1-v4, lesson 07's Head, lesson 08's multi-head attention) with its
# SkylakeX ones, which need AVX-512, and the files keep those numbers exactly.
import json
import os
import struct
import subprocess
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")
PYTHON = "/usr/bin/python3"  # Debian's python3-torch; written into each file's command


def use_kernels(openblas_core):
    """Runs this script again, from the start, with OpenBLAS's kernels for `openblas_core`
    ("Haswell" or "SkylakeX") and ATen's AVX2 kernels, unless it already runs with them. Call
    it before importing torch: both libraries choose their kernels when they load."""
    want = {"OPENBLAS_CORETYPE": openblas_core, "ATEN_CPU_CAPABILITY": "avx2"}
    if all(os.environ.get(k) == v for k, v in want.items()):
        return
    assert "torch" not in sys.modules, "use_kernels() must come before import torch"
    needs = {"Haswell": "avx2", "SkylakeX": "avx512f"}[openblas_core]
    with open("/proc/cpuinfo") as f:
        if needs not in f.read().split():
            sys.exit(f"{sys.argv[0]}: these numbers were made with OpenBLAS's {openblas_core} "
                     f"kernels, which need a processor with {needs}; this one has none")
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **want})


def kernels():
    return " ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "ATEN_CPU_CAPABILITY"))


def run_each(arg_lists):
    """Runs this script once per list of arguments, each in a process of its own (each may
    need other kernels); stops at the first failure."""
    for args in arg_lists:
        subprocess.run([sys.executable, sys.argv[0], *args], check=True)


def command(script, *args):
    """The command line that makes one file, as its metadata records it."""
    return " ".join([PYTHON, f"tests/golden/{script}", *args])


def _f32_bits(f):
    return struct.unpack("<I", struct.pack("<f", f))[0]


def _f32_from_bits(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


def nearest_float32(x):
    """The float32 nearest to the exact rational x (ties to even), as a Python float: what a
    C++ compiler makes of the literal `x` followed by f."""
    # The nearest double, rounded to float32: one step off at worst (a double rounding).
    f = struct.unpack("<f", struct.pack("<f", float(x)))[0]
    best = f
    for b in (_f32_bits(f) - 1, _f32_bits(f) + 1):  # its neighbours (the sign bit aside)
        if not 0 <= b <= 0xFFFFFFFF or _f32_from_bits(b) != _f32_from_bits(b) or \
                abs(_f32_from_bits(b)) == float("inf"):
            continue
        g = _f32_from_bits(b)
        diff, best_diff = abs(Fraction(g) - x), abs(Fraction(best) - x)
        if diff < best_diff or (diff == best_diff and b % 2 == 0):
            best = g
    return best


def float32_values(t, digits=9):
    """The values of t as float32, row-major: each one the float32 nearest to the value printed
    with `digits` significant digits ("%.9g").

    The tests held these numbers as C++ literals of that form before they moved to files, and
    the files keep exactly the same floats. With 9 digits a float32 value comes back unchanged;
    a float64 one (layer_norm_golden.py computes in float64) is rounded to float32 through its
    9-digit decimal (rounding it directly differs in the last bit now and then). Some of the
    oldest numbers were printed with 8 digits (their scripts pass digits=8). Either difference
    is far inside every tolerance of the tests.
    """
    import torch

    t = t.detach().cpu().contiguous()
    assert t.dtype in (torch.float32, torch.float64), t.dtype
    fmt = f"%.{digits}g"
    return [nearest_float32(Fraction(fmt % v)) for v in t.reshape(-1).tolist()]


def write(name, tensors, cmd, notes=None, digits=9):
    """Writes tests/golden/data/<name>.safetensors: `tensors` is a list of (key, tensor)."""
    import torch

    meta = {"command": cmd, "torch": torch.__version__, "kernels": kernels()}
    if notes:
        meta["notes"] = notes
    if digits != 9:
        meta["digits"] = f"every value rounded to {digits} significant digits, then to float32"
    header = {"__metadata__": meta}
    data = bytearray()
    for key, t in tensors:
        assert key not in header, f"{name}: tensor {key} given twice"
        values = float32_values(t, digits)
        chunk = struct.pack(f"<{len(values)}f", *values)
        header[key] = {"dtype": "F32", "shape": list(t.shape),
                       "data_offsets": [len(data), len(data) + len(chunk)]}
        data += chunk
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)
    os.makedirs(DATA_DIR, exist_ok=True)
    path = os.path.join(DATA_DIR, name + ".safetensors")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + bytes(data))
    os.replace(tmp, path)
    print(f"wrote tests/golden/data/{name}.safetensors: {len(tensors)} tensors, "
          f"{len(data) // 4} values ({kernels()})")
