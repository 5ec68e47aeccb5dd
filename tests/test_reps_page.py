"""The reps page through AppTest: every rep in view with its count, names from an uploaded user list
on the page, the filter and in the next session; a viewer cannot upload one."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from rendering import texts
from streamlit.testing.v1 import AppTest

from phasekpi.access import AccessList, access_path, write_access
from ui.tables import column_px, fit_widths, fitted_columns, fitted_height

APP = str(Path(__file__).resolve().parent.parent / "app.py")
# The demo's reps are written as names; a list naming two of them stands for a CRM's id → name list.
USER_LIST = "Id,Name,Email\r\n佐藤 健,Ken Sato,sato@example.co.jp\r\n田中 愛,![x](http://host.example/p.png),t@example.co.jp\r\n,,nobody@example.co.jp\r\n"


def reps_page(**user: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user:
        at.secrets["auth"] = {"client_id": "phasekpi", "server_metadata_url": "https://login.example/.well-known"}
        at.user = {"is_logged_in": True, **user}
    at.run()
    at.switch_page("views/reps.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="rep_names_file").set_value((name, data, "text/csv")).run()
    at.button(key="rep_names_load").click().run()
    assert not at.exception


@pytest.mark.parametrize(("lang", "caption"), [("ja", "12人中12人を表示"), ("en", "12 of 12 reps")])
def test_the_table_shows_every_rep_with_the_count(lang: str, caption: str) -> None:
    at = reps_page()
    at.radio(key="lang").set_value(lang).run()
    board = at.dataframe[0]
    assert len(board.value) == 12
    assert caption in [c.value for c in at.caption]


@pytest.mark.parametrize(("rows", "height"), [
    (12, 35 * 13 + 3),  # every row and the header: no inner scroll bar
    (0, 35 * 2 + 3),  # room for the empty-table line
    (25, 35 * 26 + 3),
    (300, 35 * 26 + 3),  # beyond 25 rows the table scrolls
])
def test_a_table_is_as_high_as_its_rows_up_to_a_cap(rows: int, height: int) -> None:
    assert fitted_height(rows) == height


@pytest.mark.parametrize(("values", "width"), [
    (["12.3 (85%)"], 24 + 10 * 8),
    (["架電数/人/日", "1,234.5"], 24 + 5 * 14 + 2 * 8),  # 架電数人日 full width, two slashes
    (["a"], 60),  # at least the floor
    (["Opportunity amount created per rep per month"], 125),  # at most the cap; the header's help tells the rest
])
def test_a_column_is_as_wide_as_its_text_within_bounds(values: list[str], width: int) -> None:
    assert column_px(values, 60, 125) == width


@pytest.mark.parametrize(("wanted", "budget", "widths"), [
    ([100, 200, 300], 600, [100, 200, 300]),  # fits: as wanted
    ([100, 200, 300], 500, [100, 200, 200]),  # the widest cut first
    ([100, 200, 300], 400, [100, 150, 150]),
    # 1,030 px wanted, 55 too many: the two widest meet at 128 (16 + 40 px cut)
    ([102, 70, 90, 104, 120, 112, 144, 120, 168], 975, [102, 70, 90, 104, 120, 112, 128, 120, 128]),
])
def test_columns_fit_the_window_by_cutting_the_widest(wanted: list[int], budget: int, widths: list[int]) -> None:
    assert fit_widths(wanted, budget) == widths


def test_the_upload_list_fits_the_window() -> None:
    """Ten columns as the Data page lists uploads: sized to their text, cut to 975 px in all."""
    listed = pd.DataFrame([{"ファイル": "salesforce_dataloader_Opportunity.csv", "データ": "活動(架電・メール)",
                            "追加日時": "2026-12-01 23:26:48", "追加した人": "manager@example.co.jp", "状態": "有効",
                            "新規": "8", "更新": "0", "重複": "0", "除外": "0", "期間": "2024-01-23 〜 2024-01-23",
                            "対応付け": "担当者 ← OwnerId、日時 ← CreatedDate、金額 ← Amount、フェーズ ← StageName"}])
    widths = [config["width"] for config in fitted_columns(listed).values()]
    assert sum(widths) <= 975 and min(widths) >= 60
    assert widths[listed.columns.get_loc("状態")] == column_px(["状態", "有効"], 60, 260)  # narrow ones whole
    assert widths[listed.columns.get_loc("期間")] == max(widths)  # the wide ones cut to one common width


def test_the_caption_counts_the_reps_the_filter_keeps() -> None:
    at = reps_page()
    at.multiselect[0].set_value(["佐藤 健", "田中 愛"]).run()
    assert len(at.dataframe[0].value) == 2
    assert "12人中2人を表示" in [c.value for c in at.caption]


def test_an_uploaded_user_list_puts_names_on_the_table_filter_and_next_session() -> None:
    at = reps_page()
    upload(at, "users.csv", USER_LIST.encode("utf-8"))
    page = " ".join(texts(at))
    assert "users.csv: 2人の名前を読み込みました" in page.replace("\\", "")
    assert "IDか氏名のない行 1" in page
    board = at.dataframe[0].value
    assert len(board) == 12
    assert "Ken Sato" in set(board["担当者"]) and "佐藤 健" not in set(board["担当者"])
    assert "![x](http://host.example/p.png)" in set(board["担当者"])  # a cell: text, never markup
    assert list(board["担当者"]) == sorted(board["担当者"])  # by the name shown
    assert "Ken Sato" in at.multiselect[0].options  # the filter shows the name, keeps the id
    at.switch_page("views/funnel.py").run()
    at.radio(key="funnel_split_ja").set_value("担当者").run()
    assert "Ken Sato" in set(at.dataframe[0].value["区分"])
    at.switch_page("views/insights.py").run()
    assert "Ken Sato" in set(at.dataframe[1].value["担当者"])  # the quality score per rep
    at.switch_page("views/reps.py").run()
    at.multiselect[0].set_value(["佐藤 健"]).run()
    assert list(at.dataframe[0].value["担当者"]) == ["Ken Sato"]
    assert at.selectbox(key="reps_compare").options == ["Ken Sato"]  # last: AppTest cannot set a formatted choice
    later = reps_page()
    assert "Ken Sato" in set(later.dataframe[0].value["担当者"])


def test_a_list_without_a_name_column_is_refused_with_the_file_and_column_named() -> None:
    at = reps_page()
    upload(at, "ids.csv", b"Id,Username\r\n005A,a@example.co.jp\r\n")
    assert [e.value.replace("\\", "") for e in at.error] == [
        "ids.csv: 氏名の列が見つかりません(Name, Full Name, Owner Name, 氏名 … のいずれかの列名が必要です)。"]
    assert "佐藤 健" in set(at.dataframe[0].value["担当者"])


def test_a_viewer_sees_the_names_but_cannot_upload_a_list() -> None:
    write_access(access_path(Path(os.environ["PHASEKPI_WORKSPACE"])), AccessList({"v@example.co.jp": "viewer"}))
    at = reps_page(email="v@example.co.jp")
    assert not at.get("file_uploader")
    assert "対応表の読み込みはマネージャー以上の権限で行えます。" in [c.value for c in at.caption]
