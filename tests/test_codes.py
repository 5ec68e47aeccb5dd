"""Our canonical codes in words: every code of every coded column has ja and en words, and the
records page and the mapping preview show 架電 / Call, never `call`, while the user's own words stay."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from streamlit.testing.v1 import AppTest

from phasekpi.codes import code_key, code_text, codes_of, column_of
from phasekpi.mapping import Values
from phasekpi.messages import messages
from phasekpi.tables import TABLES

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CODED = [(table, column.name, code) for table, spec in TABLES.items() for column in spec.columns
         for code in codes_of(column)]
# the synonyms' vocabularies (column_synonyms.yaml `values`) and the column each one fills
VOCABULARY_COLUMNS = {"channel": ("activities", "channel"), "direction": ("activities", "direction"),
                      "opportunity_status": ("opportunities", "status")}


def test_the_coded_columns_are_the_ones_loading_fills_with_codes() -> None:
    assert {(t, c) for t, c, _ in CODED if TABLES[t].column(c).sql_type != "BOOLEAN"} == {
        ("activities", "channel"), ("activities", "direction"), ("opportunities", "status")}
    assert len(CODED) == 9 + 2 * sum(c.sql_type == "BOOLEAN" for s in TABLES.values() for c in s.columns)


@pytest.mark.parametrize(("table", "column", "code"), CODED, ids=[f"{t}.{c}={v}" for t, c, v in CODED])
def test_every_code_has_words_in_both_languages(table: str, column: str, code: str) -> None:
    entry = messages()[code_key(column_of(table, column), code)]
    assert entry["ja"].strip() and entry["en"].strip() and entry["en"] != code


@pytest.mark.parametrize("vocabulary", sorted(Values.model_fields))
def test_every_canonical_value_of_the_synonyms_is_a_declared_code(vocabulary: str) -> None:
    """A value added to column_synonyms.yaml's vocabularies without words fails here."""
    values = set(get_args(get_args(Values.model_fields[vocabulary].annotation)[0]))
    declared = ({"true", "false"} if vocabulary == "boolean" else
                set(codes_of(column_of(*VOCABULARY_COLUMNS[vocabulary]))))
    assert values <= declared


@pytest.mark.parametrize(("table", "column", "value", "lang", "shown"), [
    ("activities", "channel", "call", "ja", "架電"),
    ("activities", "channel", "email", "ja", "メール"),
    ("activities", "channel", "other", "en", "Other"),
    ("activities", "channel", "call", "en", "Call"),
    ("activities", "direction", "inbound", "ja", "着信"),
    ("opportunities", "status", "won", "ja", "受注"),
    ("opportunities", "status", "open", "ja", "進行中"),
    ("opportunities", "status", "lost", "en", "Lost"),
    ("opportunities", "is_won", "true", "ja", "はい"),
    ("activities", "email_opened", "false", "en", "No"),
    ("leads", "status", "open", "ja", "open"),  # a lead status is the CRM's own word
    ("activities", "outcome", "call", "ja", "call"),  # so is a call result
    ("opportunities", "stage", "won", "en", "won"),  # and a stage name
    ("activities", "channel", "⚠ call", "ja", "⚠ call"),  # a value the load would reject, as read
    ("activities", "channel_raw", "call", "ja", "call"),  # the export's own word for the channel
])
def test_code_text(table: str, column: str, value: str, lang: str, shown: str) -> None:
    assert code_text(column_of(table, column), value, lang) == shown


def new_app(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.radio(key="lang").set_value(lang).run()
    assert not at.exception
    return at


@pytest.mark.parametrize(("lang", "channel", "no"), [("ja", "架電", "いいえ"), ("en", "Call", "No")])
def test_the_records_page_shows_codes_in_words(lang: str, channel: str, no: str) -> None:
    """The demo's calls: channel 架電 and flags いいえ, while the export's own word stays `call`."""
    at = new_app(lang)
    at.switch_page("views/drilldown.py").run()
    assert not at.exception
    rows = at.dataframe[0].value
    labels = {"ja": ("種別(架電/メール)", "種別(元の値)", "接続"),
              "en": ("Channel (Call/Email)", "Channel (as exported)", "Connected")}[lang]
    assert set(rows[labels[0]]) == {channel}
    assert set(rows[labels[1]]) == {"call"}
    assert rows[labels[2]].iloc[0] == no  # the first call of the demo did not connect


PREVIEW_CSV = """activity_id,occurred_at,rep,channel,outcome,email_opened
A1,2025-04-01 10:00,Ann,Phone,won,
A2,2025-04-01 10:30,Ann,メール,,true
A3,2025-04-01 11:00,Ann,Meeting,,false
"""


@pytest.mark.parametrize(("lang", "channels", "opened"), [
    ("ja", ["架電", "メール", "その他"], ["", "はい", "いいえ"]),
    ("en", ["Call", "Email", "Other"], ["", "Yes", "No"]),
])
def test_the_mapping_preview_shows_codes_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str,
                                                  channels: list[str], opened: list[str]) -> None:
    monkeypatch.setenv("PHASEKPI_PROFILES", str(tmp_path / "profiles.json"))
    at = new_app(lang)
    at.switch_page("views/data.py").run()
    at.file_uploader[0].set_value([("calls.csv", PREVIEW_CSV.encode(), "text/csv")])
    at.button[0].click().run()
    assert not at.exception
    preview = at.dataframe[0].value
    channel, outcome, flag = {"ja": ("種別(架電/メール)", "通話結果", "メール開封"),
                              "en": ("Channel (Call/Email)", "Call result", "Email opened")}[lang]
    assert list(preview[channel]) == channels
    assert list(preview[flag]) == opened
    assert list(preview[outcome]) == ["won", "", ""]  # the file's own result word, untranslated


def test_the_data_page_lists_only_the_fields_a_file_can_give() -> None:
    """has_time and channel_raw are worked out while loading: no file column maps to them."""
    at = new_app("en")
    at.switch_page("views/data.py").run()
    lines = [m.value for m in at.markdown if m.value.startswith("- Activities (calls and emails): ")]
    assert lines == ["- Activities (calls and emails): activity_id, **occurred_at**, **rep**, team, channel, direction, "
                     "lead_id, account_id, outcome, duration_sec, email_opened, email_replied, modified_at"]
