#!/usr/bin/env bash
# Tests of tools/check_translations.sh: a small English/Chinese pair in a scratch tree passes;
# each kind of drift, made on one side only, fails with the file and the first difference.
# Usage: tools/test_check_translations.sh
set -euo pipefail
check="$(cd "$(dirname "$0")" && pwd)/check_translations.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

make_tree() {
  rm -rf "$work/t"
  mkdir -p "$work/t/lessons/01_x" "$work/t/lessons/02_y" "$work/t/exercises/01_x"
  cat > "$work/t/lessons/01_x/README.md" <<'EOF'
English | [中文](README.zh.md)

# Lesson 01 — X

Run `ctest --test-dir build -L lesson01` to see it fail; see [below](#exercise-1).
Undo with `git checkout
exercises/01_x/` (a command split over two lines).

<a id="exercise-1"></a>
## Exercise 1 — `f`

```sh
cmake --build build -j2 && ctest --test-dir build -R F --output-on-failure
```

    cp a b          # copy it

## Next

[Lesson 02](../02_y/README.md#exercise-2)
EOF
  cat > "$work/t/lessons/01_x/README.zh.md" <<'EOF'
[English](README.md) | 中文

# 第 01 课 — X

运行 `ctest --test-dir build -L lesson01`，看它失败；见[下文](#exercise-1)。
用 `git checkout exercises/01_x/` 撤销（同一条命令，写在一行里）。

<a id="exercise-1"></a>
## 练习 1 — `f`

```sh
cmake --build build -j2 && ctest --test-dir build -R F --output-on-failure
```

    cp a b          # 复制

## 下一课

[第 02 课](../02_y/README.md#exercise-2)
EOF
  cat > "$work/t/lessons/02_y/README.md" <<'EOF'
# Lesson 02

## Exercise 2
EOF
  echo 'void f() { bg::not_implemented(1, 1, "f"); }' > "$work/t/exercises/01_x/x.cpp"
}

# expect_fail DESCRIPTION PATTERN SED-SCRIPT FILE: edit FILE, the check must fail and print PATTERN.
expect_fail() {
  local what=$1 pattern=$2 script=$3 file=$4 out
  make_tree
  [ -f "$work/t/$file" ] || echo > "$work/t/$file"
  sed -i "$script" "$work/t/$file"
  if out=$("$check" "$work/t" 2>&1); then
    echo "FAIL: $what: the check passed"
    failures=$((failures + 1))
  elif ! grep -qF -- "$pattern" <<< "$out"; then
    echo "FAIL: $what: the message lacks '$pattern':"
    echo "$out"
    failures=$((failures + 1))
  else
    echo "ok: $what -> $(grep -F -m1 -- "$pattern" <<< "$out")"
  fi
}

make_tree
if out=$("$check" "$work/t" 2>&1); then
  echo "ok: a matching pair passes"
else
  echo "FAIL: a matching pair fails:"
  echo "$out"
  failures=$((failures + 1))
fi

zh=lessons/01_x/README.zh.md
en=lessons/01_x/README.md
expect_fail "code block changed in the Chinese page only" "fenced code block 1 differs" 's/-R F --output/-R G --output/' $zh
expect_fail "code block changed in the English page only" "lessons/01_x/README.md:13: cmake --build build -j2 && ctest --test-dir build -R G" 's/-R F --output/-R G --output/' $en
expect_fail "fence info string changed" "fenced code block 1 differs" 's/^```sh$/```bash/' $zh
expect_fail "code block missing" "fenced code block 1 of lessons/01_x/README.md (line 12) is missing" '/^```sh$/,/^```$/d' $zh
expect_fail "a section more" "sections differ" '$a\\n## 多出来的一节' $zh
expect_fail "heading level changed" "heading 2 is level 2 in one and 3 in the other" 's/^## 练习 1/### 练习 1/' $zh
expect_fail "indented command changed" "command 3 differs" 's/^    cp a b/    cp a c/' $zh
expect_fail "inline command changed" "command 2 differs" 's/git checkout exercises/git checkout exercise/' $zh
expect_fail "exercise anchor missing" "explicit anchor 1 of lessons/01_x/README.md is missing" '/<a id="exercise-1">/d' $zh
expect_fail "language line missing (Chinese)" "README.zh.md:1: the first line must be the language line" '1d' $zh
expect_fail "language line missing (English)" "README.md:1: the first line must be the language line" '1d' $en
expect_fail "broken in-page link" "has no anchor #exercise-9" 's/(#exercise-1)/(#exercise-9)/' $zh
expect_fail "link to a missing file" "lessons/02_y/NOTES.md does not exist" 's|../02_y/README.md|../02_y/NOTES.md|' $zh
expect_fail "stub's anchor missing on both sides" "no anchor #exercise-1, but an exercise stub" 's/exercise-1/exercise-one/g' $en
expect_fail "Chinese page links to an English page that has a twin" "goes to the English page; its Chinese twin is lessons/02_y/README.zh.md" \
  '1i[English](README.md) | 中文' lessons/02_y/README.zh.md  # 02 gets a twin; 01's Chinese page links to ../02_y/README.md

# A link to a lesson that is announced (exercises/99_later exists) but not written yet is a note,
# not an error; with --strict it is an error; without exercises/99_later (a typo) it is an error.
make_tree
mkdir -p "$work/t/exercises/99_later"
sed -i 's|^\[Lesson 02\](../02_y/README.md#exercise-2)|[Lesson 02](../02_y/README.md#exercise-2), [Lesson 99](../99_later/README.md)|' "$work/t/lessons/01_x/README.md"
sed -i 's|^\[第 02 课\](../02_y/README.md#exercise-2)|[第 02 课](../02_y/README.md#exercise-2)，[第 99 课](../99_later/README.md)|' "$work/t/lessons/01_x/README.zh.md"
if out=$("$check" "$work/t" 2>&1) && grep -qF "links to lessons/99_later/README.md, which is not written yet" <<< "$out"; then
  echo "ok: a lesson not written yet is a note"
else
  echo "FAIL: a lesson not written yet:"; echo "$out"; failures=$((failures + 1))
fi
if out=$("$check" --strict "$work/t" 2>&1); then
  echo "FAIL: --strict passes a link to a lesson not written yet"; failures=$((failures + 1))
else
  echo "ok: --strict -> $(grep -F -m1 'does not exist' <<< "$out")"
fi

rmdir "$work/t/exercises/99_later"
if out=$("$check" "$work/t" 2>&1); then
  echo "FAIL: a link to a lesson nobody announced passes"; failures=$((failures + 1))
else
  echo "ok: unannounced lesson -> $(grep -F -m1 'does not exist' <<< "$out")"
fi

if [ $failures -gt 0 ]; then
  echo "test_check_translations: $failures FAILED"
  exit 1
fi
echo "test_check_translations: all passed"
