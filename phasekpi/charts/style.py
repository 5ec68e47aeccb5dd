"""Shared chart style: colours that stay apart in greyscale print, and fonts with Japanese glyphs."""

NORMAL = "#1f5aa6"  # dark blue: an ordinary bar or line
BOTTLENECK = "#b03a2e"  # dark red: the step or value that needs attention
GOOD = "#1e7b45"  # dark green: on target
TARGET = "#444444"  # near-black dashed rule: the target line
BAND = "#d9d9d9"  # light grey: the benchmark range
FONT = "Noto Sans CJK JP, Hiragino Sans, Meiryo, sans-serif"
