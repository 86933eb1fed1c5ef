#!/usr/bin/env bash
# Drift check for the Chinese pages: every README.md that has a README.zh.md twin beside it,
# and ARCHITECTURE.md with ARCHITECTURE.zh.md,
# must match it in everything that is not prose. For each pair, in this order, it compares
#   1. the language line: line 1 is `English | [中文](README.zh.md)` in the English page and
#      `[English](README.md) | 中文` in the Chinese one;
#   2. the sections: the sequence of heading levels (# … ######), so both pages have the same
#      number of sections at every level, in the same order;
#   3. every fenced code block (``` or ~~~), fence lines included, byte for byte, in order;
#   4. the commands outside fenced blocks, byte for byte, in order: lines of indented code
#      blocks and inline `code` spans that start with a program the course runs (cmake, ctest,
#      git, cp, ./build/…, babygpt, tools/…); a trailing `# comment` on such a line is prose
#      and may be translated;
#   5. the explicit anchors (<a id="…"></a>), in order; and every #exercise-N anchor of the
#      English page — explicit, or made by GitHub from a heading — exists in the Chinese one;
#   6. the links of both pages: relative targets exist, #fragments name an anchor of the
#      target page, and a Chinese page links to the Chinese twin of a page when there is one.
#      A link to the page of a lesson that is announced (exercises/NN_name exists) but not
#      written yet is only a note, unless --strict.
# It reports the first difference of each pair (file, line numbers, both lines) and exits 1.
# It also checks that every exercise stub's link (lessons/NN_*/README.md#exercise-K, from
# bg::not_implemented(NN, K, …) in exercises/) names an anchor of that README and its twin,
# and the links of lessons/GLOSSARY.md.
#
# Anchors: GitHub gives every heading an id made from its text (lower-cased; punctuation
# removed except - and _; each space becomes -; the n-th repeat gets -n), and keeps explicit
# <a id="x"></a> elements; a link #x finds either. "## Exercise 1 — `numel`" becomes
# exercise-1--numel, so the pages mark exercises with explicit <a id="exercise-1"></a>.
# This script computes heading ids the same way for ASCII, CJK and common punctuation
# (it does not lower-case non-ASCII letters).
#
# The course's English pages (README.md, lessons/*/README.md) without a twin are listed as
# notes; with --strict they are errors.
# Usage: tools/check_translations.sh [--strict] [REPO_DIR]     (no Python; bash + POSIX awk)
set -euo pipefail
strict=0
if [ "${1:-}" = "--strict" ]; then strict=1; shift; fi
cd "${1:-$(dirname "$0")/..}"
export LC_ALL=C # awk works on bytes: UTF-8 is decoded by hand where it matters

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every Markdown file of the tree (tracked or new, not ignored), so links can be resolved.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files --cached --others --exclude-standard -- '*.md' | sort -u > "$tmp/md"
else
  find . -name '*.md' -not -path './build*' | sed 's|^\./||' | sort > "$tmp/md"
fi
: > "$tmp/pairs"
: > "$tmp/checked"
notes=()
while IFS= read -r f; do
  [ -f "$f" ] || continue
  case "$f" in
    README.md | */README.md)
      zh="${f%README.md}README.zh.md"
      if [ -f "$zh" ]; then
        printf '%s\t%s\n' "$f" "$zh" >> "$tmp/pairs"
        printf '%s\n%s\n' "$f" "$zh" >> "$tmp/checked"
      else
        case "$f" in README.md | lessons/*/README.md) notes+=("$f") ;; esac # the course's pages
      fi
      ;;
    README.zh.md | */README.zh.md)
      [ -f "${f%README.zh.md}README.md" ] || printf '%s\t%s\n' "${f%README.zh.md}README.md" "$f" >> "$tmp/pairs"
      ;;
    ARCHITECTURE.md)
      printf '%s\t%s\n' "$f" ARCHITECTURE.zh.md >> "$tmp/pairs"
      printf '%s\n%s\n' "$f" ARCHITECTURE.zh.md >> "$tmp/checked"
      ;;
    lessons/GLOSSARY*.md) printf '%s\n' "$f" >> "$tmp/checked" ;;
  esac
done < "$tmp/md"

# Exercise stubs: "lessons/NN_x/README.md<TAB>K" for every bg::not_implemented(NN, K, ...).
: > "$tmp/stubs"
for ex in exercises/[0-9][0-9]_*/; do
  [ -d "$ex" ] || continue
  { grep -ohE 'not_implemented\( *[0-9]+ *, *[0-9]+' "$ex"*.cpp 2>/dev/null || true; } |
    sed -E 's/not_implemented\( *([0-9]+) *, *([0-9]+)/\1 \2/' |
    while read -r nn k; do
      for readme in lessons/"$(printf '%02d' "$((10#$nn))")"_*/README.md; do
        if [ -f "$readme" ]; then printf '%s\t%s\n' "$readme" "$k"; fi
      done
    done
done | sort -u > "$tmp/stubs"

# Pass 1: one record per fact of every Markdown file, tab-separated:
#   FILE  KIND  LINE  VALUE [TEXT]
# KIND: first (line 1), heading (VALUE level, TEXT), id (an anchor: explicit or from a
# heading), xid (explicit anchor), open/code/close (fenced blocks), cmd, link.
read -r -d '' extract <<'AWK' || true
BEGIN {
  T = "\t"
  for (i = 1; i < 256; i++) ORD[sprintf("%c", i)] = i
  CMD = "^(cmake|ctest|git|npm|sudo|apt-get|apt|cp|mv|rm|export|bash|sh|babygpt|\\.ci/run|(\\./)?(build[^ /]*|tools)/[^ ]+)"
}
function out(kind, value, text) { print FILENAME T kind T FNR T value (text == "" ? "" : T text) }
# A fence run at the start of l (after spaces): "`3", "~4" or "" if none; sets REST.
function fence_run(l,   sp, c, n) {
  sp = 0
  while (substr(l, sp + 1, 1) == " ") sp++
  c = substr(l, sp + 1, 1)
  if (c != "`" && c != "~") return ""
  n = 0
  while (substr(l, sp + 1 + n, 1) == c) n++
  if (n < 3) return ""
  REST = substr(l, sp + 1 + n)
  return c n
}
# Unicode code points GitHub keeps in a heading id (letters, marks, numbers, connector
# punctuation); the rest of the punctuation and symbols blocks are dropped.
function keep(cp) {
  if (cp < 192) return cp == 170 || cp == 178 || cp == 179 || cp == 181 || cp == 185 || cp == 186 || (cp >= 188 && cp <= 190)
  if (cp == 215 || cp == 247) return 0                                  # × ÷
  if (cp >= 8192 && cp <= 8303) return cp == 8255 || cp == 8256 || cp == 8276  # general punctuation
  if (cp >= 8304 && cp <= 8351) return !((cp >= 8314 && cp <= 8318) || (cp >= 8330 && cp <= 8334))  # super/subscripts
  if (cp >= 8352 && cp <= 8399) return 0                                # currency
  if (cp >= 8592 && cp <= 11263) return (cp >= 9312 && cp <= 9471) || (cp >= 10102 && cp <= 10131)  # arrows, maths, shapes
  if (cp >= 12288 && cp <= 12351) return (cp >= 12293 && cp <= 12295) || (cp >= 12321 && cp <= 12329) || (cp >= 12337 && cp <= 12341) || cp == 12347 || cp == 12348  # CJK punctuation
  if (cp >= 65072 && cp <= 65103) return cp == 65075 || cp == 65076 || (cp >= 65101 && cp <= 65103)  # CJK compatibility forms
  if (cp >= 65280 && cp <= 65381) return (cp >= 65296 && cp <= 65305) || (cp >= 65313 && cp <= 65338) || (cp >= 65345 && cp <= 65370) || cp == 65343  # full-width forms
  if (cp >= 126976) return 0                                            # emoji and pictographs
  return 1
}
function slug(text,   s, o, i, n, c, b, cp, k, inner) {
  s = text
  while (match(s, /\[[^]]*\]\([^)]*\)/)) {  # [text](url) -> text
    inner = substr(s, RSTART + 1, RLENGTH - 1)
    sub(/\]\(.*$/, "", inner)
    s = substr(s, 1, RSTART - 1) inner substr(s, RSTART + RLENGTH)
  }
  gsub(/<[^>]*>/, "", s)
  o = ""
  n = length(s)
  for (i = 1; i <= n;) {
    c = substr(s, i, 1)
    b = ORD[c]
    if (b < 128) {
      if (c == " ") o = o "-"
      else if (c ~ /[A-Za-z0-9_-]/) o = o tolower(c)
      i++
      continue
    }
    k = b >= 240 ? 4 : b >= 224 ? 3 : b >= 192 ? 2 : 1
    cp = k == 4 ? b - 240 : k == 3 ? b - 224 : k == 2 ? b - 192 : b
    for (j = 1; j < k; j++) cp = cp * 64 + ORD[substr(s, i + j, 1)] - 128
    if (keep(cp)) o = o substr(s, i, k)
    i += k
  }
  return o
}
function first_word_is_command(s) { return s ~ (CMD "( |$)") && s !~ /^[^ ]+ +=/ }
FNR == 1 { flush(); fence = ""; split("", seen) }
{
  line = $0
  sub(/\r$/, "", line)
  if (fence != "") {
    r = fence_run(line)
    if (r != "" && substr(r, 1, 1) == substr(fence, 1, 1) && substr(r, 2) + 0 >= substr(fence, 2) + 0 && REST ~ /^[ \t]*$/) {
      out("close", line)
      fence = ""
    } else out("code", line)
    next
  }
  if (FNR == 1) out("first", line)
  r = fence_run(line)
  if (r != "" && !(substr(r, 1, 1) == "`" && index(REST, "`"))) {
    flush()
    out("open", line)
    fence = r
    next
  }
  if (line ~ /^#+([ \t]|$)/) {
    flush()
    match(line, /^#+/)
    level = RLENGTH
    if (level <= 6) {
      text = substr(line, level + 1)
      sub(/^[ \t]+/, "", text); sub(/[ \t]+#+[ \t]*$/, "", text); sub(/[ \t]+$/, "", text)
      out("heading", level, text)
      s = slug(text)
      if (s in seen) s = s "-" (++seen[s]); else seen[s] = 0
      out("id", s)
    }
  }
  # Indented code: a command line keeps everything but a trailing "   # comment".
  if (line ~ /^    /) {
    s = line
    sub(/^ +/, "", s); sub(/[ \t]+#.*$/, "", s)
    if (first_word_is_command(s)) out("cmd", s)
  }
  # Reference-style link definitions: one per line.
  if (match(line, /^ *\[[^]]+\]:[ \t]+[^ \t]+/)) {
    t = substr(line, RSTART, RLENGTH)
    sub(/^[^]]*\]:[ \t]+/, "", t)
    out("link", t)
  }
  # Prose: collected per paragraph (an inline code span or a link may continue on the next
  # line), and read when the paragraph ends.
  if (line ~ /^[ \t]*$/) flush()
  else { if (para == "") { para_file = FILENAME; para_line = FNR } else para = para " "; para = para line }
  if (line ~ /^#+([ \t]|$)/) flush()     # a heading is a paragraph of its own
}
END { flush() }
# Inline code spans: commands (with arguments); then blank them out, and read the anchors and
# links of what is left.
function flush(   s, prose, span, a, t) {
  if (para == "") return
  s = para
  para = ""
  prose = ""
  while (match(s, /`[^`]+`/)) {
    span = substr(s, RSTART + 1, RLENGTH - 2)
    gsub(/  +/, " ", span)
    if (span ~ / / && first_word_is_command(span)) para_out("cmd", span)
    prose = prose substr(s, 1, RSTART - 1) "``"
    s = substr(s, RSTART + RLENGTH)
  }
  prose = prose s
  s = prose
  while (match(s, /<a[ \t]+(id|name)="[^"]*"/)) {
    a = substr(s, RSTART, RLENGTH)
    sub(/^[^"]*"/, "", a); sub(/"$/, "", a)
    para_out("xid", a)
    para_out("id", a)
    s = substr(s, RSTART + RLENGTH)
  }
  s = prose
  while (match(s, /\]\([^)]*\)/)) {
    t = substr(s, RSTART + 2, RLENGTH - 3)
    sub(/^[ \t]*</, "", t); sub(/>[ \t]*$/, "", t); sub(/[ \t].*$/, "", t)
    para_out("link", t)
    s = substr(s, RSTART + RLENGTH)
  }
  s = prose
  while (match(s, /(href|src)="[^"]*"/)) {
    t = substr(s, RSTART, RLENGTH)
    sub(/^[^"]*"/, "", t); sub(/"$/, "", t)
    para_out("link", t)
    s = substr(s, RSTART + RLENGTH)
  }
}
function para_out(kind, value) { print para_file T kind T para_line T value }
AWK

# Pass 2: compare the records of each pair; check links and stub anchors.
read -r -d '' compare <<'AWK' || true
BEGIN { FS = "\t" }
function base(p) { sub(/.*\//, "", p); return p }
FILENAME == PAIRS { pair_en[++npairs] = $1; pair_zh[npairs] = $2; next }
FILENAME == STUBS { stub_file[++nstubs] = $1; stub_k[nstubs] = $2; next }
FILENAME == CHECKED { checked[++nchecked] = $1; next }
{
  f = $1; kind = $2; ln = $3; v = substr($0, length($1) + length($2) + length($3) + 4)
  have[f] = 1
  if (kind == "first") first[f] = v
  else if (kind == "heading") { n = ++nh[f]; hl[f, n] = $4; ht[f, n] = $5; hln[f, n] = ln }
  else if (kind == "id") ids[f, v] = 1
  else if (kind == "xid") { n = ++nx[f]; xv[f, n] = v; xln[f, n] = ln }
  else if (kind == "open") { b = ++nb[f]; nbl[f, b] = 0; bl[f, b, 0] = v; bln[f, b, 0] = ln }
  else if (kind == "code" || kind == "close") { b = nb[f]; j = ++nbl[f, b]; bl[f, b, j] = v; bln[f, b, j] = ln }
  else if (kind == "cmd") { n = ++nc[f]; cv[f, n] = v; cln[f, n] = ln }
  else if (kind == "link") { n = ++nl[f]; lv[f, n] = v; lln[f, n] = ln }
}
function fail(msg) { print msg > "/dev/stderr"; failed++ }
function levels(f,   i, c, s, k) {
  split("", c)
  for (i = 1; i <= nh[f]; i++) c[hl[f, i]]++
  s = ""
  for (k = 1; k <= 6; k++) if (c[k]) s = s (s == "" ? "" : ", ") c[k] " h" k
  return s == "" ? "no headings" : s
}
function compare_headings(en, zh,   i, n) {
  n = nh[en] > nh[zh] ? nh[en] : nh[zh]
  for (i = 1; i <= n; i++) {
    if (i > nh[en]) return sprintf("%s: sections differ (%s has %s; %s has %s):\n  %s:%d has heading %d (level %d) with no counterpart: %s", zh, en, levels(en), zh, levels(zh), zh, hln[zh, i], i, hl[zh, i], ht[zh, i])
    if (i > nh[zh]) return sprintf("%s: sections differ (%s has %s; %s has %s):\n  %s:%d has heading %d (level %d) with no counterpart: %s", zh, en, levels(en), zh, levels(zh), en, hln[en, i], i, hl[en, i], ht[en, i])
    if (hl[en, i] != hl[zh, i]) return sprintf("%s: sections differ (%s has %s; %s has %s): heading %d is level %d in one and %d in the other:\n  %s:%d: %s\n  %s:%d: %s", zh, en, levels(en), zh, levels(zh), i, hl[en, i], hl[zh, i], en, hln[en, i], ht[en, i], zh, hln[zh, i], ht[zh, i])
  }
  return ""
}
function compare_code(en, zh,   b, j, n, m, w) {
  n = nb[en] > nb[zh] ? nb[en] : nb[zh]
  for (b = 1; b <= n; b++) {
    if (b > nb[en]) return sprintf("%s: fenced code block %d (line %d) has no counterpart in %s (%d blocks there, %d here)", zh, b, bln[zh, b, 0], en, nb[en], nb[zh])
    if (b > nb[zh]) return sprintf("%s: fenced code block %d of %s (line %d) is missing (%d blocks there, %d here)", zh, b, en, bln[en, b, 0], nb[en], nb[zh])
    m = nbl[en, b] > nbl[zh, b] ? nbl[en, b] : nbl[zh, b]
    for (j = 0; j <= m; j++) {
      if (j > nbl[en, b] || j > nbl[zh, b] || bl[en, b, j] != bl[zh, b, j]) {
        w = sprintf("%s: fenced code block %d differs from %s (its line %d):", zh, b, en, j + 1)
        w = w "\n  " en ":" (j > nbl[en, b] ? bln[en, b, nbl[en, b]] " (block ends)" : bln[en, b, j] ": " bl[en, b, j])
        w = w "\n  " zh ":" (j > nbl[zh, b] ? bln[zh, b, nbl[zh, b]] " (block ends)" : bln[zh, b, j] ": " bl[zh, b, j])
        return w
      }
    }
  }
  return ""
}
function compare_list(en, zh, what, cnt, val, lno,   i, n) {
  n = cnt[en] > cnt[zh] ? cnt[en] : cnt[zh]
  for (i = 1; i <= n; i++) {
    if (i > cnt[en]) return sprintf("%s: %s %d has no counterpart in %s:\n  %s:%d: %s", zh, what, i, en, zh, lno[zh, i], val[zh, i])
    if (i > cnt[zh]) return sprintf("%s: %s %d of %s is missing:\n  %s:%d: %s", zh, what, i, en, en, lno[en, i], val[en, i])
    if (val[en, i] != val[zh, i]) return sprintf("%s: %s %d differs:\n  %s:%d: %s\n  %s:%d: %s", zh, what, i, en, lno[en, i], val[en, i], zh, lno[zh, i], val[zh, i])
  }
  return ""
}
function exercise_ids(en, zh,   key, parts, id) {
  for (key in ids) {
    split(key, parts, SUBSEP)
    if (parts[1] != en) continue
    id = parts[2]
    if (id ~ /^exercise-[0-9]+$/ && !((zh, id) in ids)) return sprintf("%s: anchor #%s of %s is missing (the stub messages link to it)", zh, id, en)
  }
  return ""
}
function dirname(p) { return p ~ /\// ? substr(p, 1, match(p, /\/[^\/]*$/) - 1) : "." }
function normalize(p,   parts, n, i, o, k, st) {
  n = split(p, parts, "/")
  k = 0
  for (i = 1; i <= n; i++) {
    if (parts[i] == "" || parts[i] == ".") continue
    if (parts[i] == "..") { if (k > 0 && st[k] != "..") k--; else st[++k] = ".."; continue }
    st[++k] = parts[i]
  }
  o = ""
  for (i = 1; i <= k; i++) o = o (i > 1 ? "/" : "") st[i]
  return o == "" ? "." : o
}
function check_links(f,   i, t, path, frag, target, twin) {
  for (i = 1; i <= nl[f]; i++) {
    t = lv[f, i]
    if (t ~ /^[a-zA-Z][a-zA-Z0-9+.-]*:/ || t ~ /^\/\//) continue  # https:, mailto: ...
    path = t; frag = ""
    if (index(t, "#")) { path = substr(t, 1, index(t, "#") - 1); frag = substr(t, index(t, "#") + 1) }
    target = path == "" ? f : normalize(dirname(f) "/" path)
    if (path != "" && system("test -e '" target "'") != 0) {
      # A lesson that is announced (road map, exercises/NN_name exists) whose page is not
      # written yet: a note, unless --strict.
      if (!STRICT && target ~ /^lessons\/[^\/]+\/README(\.zh)?\.md$/ && system("test -d 'exercises/" substr(dirname(target), 9) "'") == 0) {
        printf "note: %s:%d: links to %s, which is not written yet\n", f, lln[f, i], target
        continue
      }
      fail(sprintf("%s:%d: link %s: %s does not exist", f, lln[f, i], t, target)); return
    }
    if (frag != "" && target ~ /\.md$/ && !((target, frag) in ids)) { fail(sprintf("%s:%d: link %s: %s has no anchor #%s", f, lln[f, i], t, target, frag)); return }
    own = f; sub(/\.zh\.md$/, ".md", own)  # the zh page's own English twin (its language line)
    if (f ~ /\.zh\.md$/ && target ~ /(^|\/)(README|ARCHITECTURE)\.md$/ && target != own && is_checked[target]) {
      twin = target; sub(/\.md$/, ".zh.md", twin)
      fail(sprintf("%s:%d: link %s goes to the English page; its Chinese twin is %s", f, lln[f, i], t, twin)); return
    }
  }
}
END {
  for (i = 1; i <= nchecked; i++) is_checked[checked[i]] = 1
  for (p = 1; p <= npairs; p++) {
    en = pair_en[p]; zh = pair_zh[p]
    if (!(en in have)) { fail(sprintf("%s: has no English page %s", zh, en)); continue }
    msg = ""
    EN_LANG = "English | [中文](" base(zh) ")"; ZH_LANG = "[English](" base(en) ") | 中文"
    if (first[en] != EN_LANG) msg = sprintf("%s:1: the first line must be the language line\n  want: %s\n  have: %s", en, EN_LANG, first[en])
    else if (first[zh] != ZH_LANG) msg = sprintf("%s:1: the first line must be the language line\n  want: %s\n  have: %s", zh, ZH_LANG, first[zh])
    if (msg == "") msg = compare_headings(en, zh)
    if (msg == "") msg = compare_code(en, zh)
    if (msg == "") msg = compare_list(en, zh, "command", nc, cv, cln)
    if (msg == "") msg = compare_list(en, zh, "explicit anchor", nx, xv, xln)
    if (msg == "") msg = exercise_ids(en, zh)
    if (msg != "") fail(msg)
    else printf "ok  %s = %s (%d sections, %d code blocks, %d commands, %d anchors)\n", en, zh, nh[en], nb[en], nc[en], nx[en]
  }
  for (i = 1; i <= nchecked; i++) check_links(checked[i])
  for (i = 1; i <= nstubs; i++) {
    f = stub_file[i]; id = "exercise-" stub_k[i]
    if (!((f, id) in ids)) fail(sprintf("%s: no anchor #%s, but an exercise stub's message links to it", f, id))
    zh = f; sub(/README\.md$/, "README.zh.md", zh)
    if ((zh in have) && !((zh, id) in ids)) fail(sprintf("%s: no anchor #%s, but an exercise stub's message links to it", zh, id))
  }
  exit (failed > 0 ? 1 : 0)
}
AWK

tr '\n' '\0' < "$tmp/md" | xargs -0 awk "$extract" > "$tmp/records"
status=0
awk -v STRICT=$strict -v PAIRS="$tmp/pairs" -v STUBS="$tmp/stubs" -v CHECKED="$tmp/checked" "$compare" \
  "$tmp/pairs" "$tmp/stubs" "$tmp/checked" "$tmp/records" || status=1
for f in ${notes[@]+"${notes[@]}"}; do
  if [ $strict = 1 ]; then
    echo "$f: has no Chinese twin ${f%README.md}README.zh.md" >&2
    status=1
  else
    echo "note: no Chinese twin yet: $f"
  fi
done
if [ $status = 0 ]; then echo "check_translations: ok"; else echo "check_translations: FAILED (first difference of each page above)" >&2; fi
exit $status
