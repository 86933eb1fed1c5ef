#!/usr/bin/env bash
# Prints a few KB of pseudo-poetry made here, the same bytes every time (no network): lines of
# 5 or 7 characters from a fixed set, chosen by a fixed linear congruential generator.
#   tools/poems.sh [LINES] > poems.txt     (default 400 lines, about 8 KB)
set -euo pipefail
awk -v lines="${1:-400}" 'BEGIN {
  n = split("春 江 花 月 夜 往 事 风 雨 山 水 人 归 去 来 时 红 楼 梦 秋 声 明 寒 烟 柳", c, " ")
  s = 12345
  for (l = 0; l < lines; l++) {
    s = (s * 1103515245 + 12345) % 2147483648; len = (s % 2) ? 7 : 5
    line = ""
    for (i = 0; i < len; i++) { s = (s * 1103515245 + 12345) % 2147483648; line = line c[int(s / 65536) % n + 1] }
    printf "%s%s\n", line, (l % 4 == 3) ? "。\n" : "，"
  }
}'
