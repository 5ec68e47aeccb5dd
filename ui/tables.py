"""Tables that fit the screen: every row visible up to a cap (then the table scrolls), columns sized
to their text so a 1440 px window shows the last column."""

from __future__ import annotations

import unicodedata

import pandas as pd
import streamlit as st

ROW_PX = 35  # st.dataframe's row height, the header row included
BORDER_PX = 3
MAX_VISIBLE_ROWS = 25  # beyond this the table scrolls inside the page
WIDE_CHAR_PX, NARROW_CHAR_PX, PADDING_PX = 14, 8, 24  # at the default 14 px font
TABLE_PX = 975  # a table's inner width in a 1440 px window with the sidebar open (measured: 978)


def fitted_height(rows: int) -> int:
    """The height that shows `rows` rows and the header without an inner scroll bar, up to the cap."""
    return ROW_PX * (min(max(rows, 1), MAX_VISIBLE_ROWS) + 1) + BORDER_PX


def text_px(text: str) -> int:
    """About how wide `text` is drawn in a table cell: full-width characters count double."""
    return PADDING_PX + sum(WIDE_CHAR_PX if unicodedata.east_asian_width(c) in "WF" else NARROW_CHAR_PX for c in text)


def column_px(values: list[str], least: int, most: int) -> int:
    """A column as wide as its longest value, within [least, most] (a longer header is cut, its help tells it)."""
    return max(least, min(most, max((text_px(v) for v in values), default=least)))


def fit_widths(wanted: list[int], budget: int = TABLE_PX) -> list[int]:
    """The widths, the widest cut down to one common cap only when all of them would not fit in `budget`."""
    cap = max(wanted, default=0)
    while cap > 0 and sum(min(w, cap) for w in wanted) > budget:
        cap -= 1
    return [min(w, cap) for w in wanted]


def fitted_columns(frame: pd.DataFrame, least: int = 60, most: int = 260) -> dict[str, object]:
    """A column config that sizes every column of `frame` to its text (header included) so the whole
    table fits the window, for st.dataframe(column_config=…)."""
    wanted = [column_px([str(name), *map(str, frame[name])], least, most) for name in frame.columns]
    return {name: st.column_config.Column(width=width) for name, width in zip(frame.columns, fit_widths(wanted), strict=True)}
