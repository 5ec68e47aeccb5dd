"""Editors on the Data page: one file's column mapping, and the call-result vocabulary."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from phasekpi.codes import coded_rows
from phasekpi.display import time_choice_text
from phasekpi.ingest import mapping_problem, preview, sample_time_choice
from phasekpi.mapping import Mapping, map_as
from phasekpi.messages import problem_text
from phasekpi.schema import OUTCOME_RANKS, TABLES, channel_words, outcome_words
from phasekpi.selection import Filters
from ui import session, uploads
from ui.widgets import plain

SKIP = "skip"
AUTO = "auto"  # the time-of-day column chosen from the data
CHANNELS = TABLES["activities"].column("channel").codes


def _key(index: int, name: str) -> str:
    # the language is part of the key: a widget whose options are translated keeps its old labels otherwise
    return f"map_{uploads.generation()}_{session.lang()}_{index}_{name}"


def chosen_mapping(index: int) -> Mapping | None:
    """The mapping as the widgets of file `index` now say; None when the file is skipped."""
    file = uploads.pending()[index]
    if file.source is None or file.mapping is None:
        return None
    kind = session.kept_widget(_key(index, "kind"), SKIP if file.mapping.refused_as else file.mapping.kind)
    if kind == SKIP:
        return None
    default = file.mapping if kind == file.mapping.kind else map_as(kind, file.source.header)
    columns = {}
    for column in TABLES[kind].mappable:
        header = session.kept_widget(_key(index, f"{kind}.{column.name}"), default.columns.get(column.name))
        if header:
            columns[column.name] = header
    constants = {}
    if kind == "activities" and "channel" not in columns:
        constants["channel"] = session.kept_widget(_key(index, "constant_channel"), default.constants.get("channel", "call"))
    date_field = TABLES[kind].date_column
    time_from = session.kept_widget(_key(index, "time_from"), default.time_from.get(date_field, AUTO))
    return Mapping(kind, columns, constants, time_from={} if time_from == AUTO else {date_field: time_from},
                   suggestions=default.suggestions)


def mapping_editor(index: int) -> None:
    """Kind, sheet, a picker per canonical field (※ required) and a preview of parsed rows."""
    tr, file = session.tr, uploads.pending()[index]
    source, mapping = file.source, chosen_mapping(index)
    kind = mapping.kind if mapping else SKIP
    with st.container(border=True):
        st.markdown("**" + tr("mapping.file_title", file=plain(file.name), kind=tr(f"table.{kind}") if mapping else
                              tr("mapping.skip"), encoding=source.encoding, columns=len(source.header)) + "**")
        st.caption(tr("mapping.from_profile") if file.mapping.from_profile else tr("mapping.proposed"))
        if file.mapping.refused_as and mapping is None:
            st.warning(plain(problem_text(mapping_problem(source, file.mapping), session.lang())))
        left, right = st.columns(2)
        left.selectbox(tr("mapping.kind"), [*TABLES, SKIP], index=[*TABLES, SKIP].index(kind), key=_key(index, "kind"),
                       format_func=lambda k: tr("mapping.skip") if k == SKIP else tr(f"table.{k}"))
        if file.sheets:
            sheet_key = _key(index, "sheet")
            right.selectbox(tr("mapping.sheet"), file.sheets, index=file.sheets.index(source.sheet), key=sheet_key,
                            format_func=lambda s: tr("mapping.sheet_hidden", sheet=s) if s in file.hidden_sheets else s,
                            on_change=uploads.change_sheet, args=(index, sheet_key))
        if mapping is None:
            return
        _field_pickers(index, mapping, list(source.header))
        _suggestions(mapping)
        if mapping.missing:
            st.warning(tr("problem.missing_columns", file=plain(file.name), kind=tr(f"table.{kind}"),
                          columns="、".join(tr(f"field.{c}") for c in mapping.missing)))
            return
        blocking = mapping_problem(source, mapping)  # e.g. a mapped column of formulas Excel never calculated
        if blocking:
            st.warning(plain(problem_text(blocking, session.lang())))
            return
        _time_of_day(index, mapping, list(source.header))
        rows = coded_rows(TABLES[kind], preview(source, mapping), session.lang())
        st.caption(tr("mapping.preview"))
        st.dataframe(pd.DataFrame(rows).rename(columns=lambda c: tr(f"field.{c}")), hide_index=True, width="stretch")


def _field_pickers(index: int, mapping: Mapping, header: list[str]) -> None:
    """Required and recognised fields in view; the rest folded away until wanted."""
    fields = TABLES[mapping.kind].mappable
    shown = [c for c in fields if c.required or c.name in mapping.columns]
    _picker_grid(index, mapping, header, shown)
    rest = [c for c in fields if c not in shown]
    if rest:
        with st.expander(session.tr("mapping.more_fields", count=len(rest))):
            _picker_grid(index, mapping, header, rest)
    if "channel" in mapping.constants:
        st.selectbox(session.tr("mapping.constant_channel"), CHANNELS, key=_key(index, "constant_channel"),
                     index=CHANNELS.index(mapping.constants["channel"]),
                     format_func=lambda c: session.tr(f"code.channel.{c}"))


def _suggestions(mapping: Mapping) -> None:
    """Headers close to a field but not mapped by themselves: the user decides."""
    for suggestion in mapping.suggestions:
        if suggestion.field in mapping.columns:
            continue
        st.caption(":material/lightbulb: " + plain(session.tr(f"mapping.suggestion.{suggestion.reason}",
                   header=suggestion.header, field=session.tr(f"field.{suggestion.field}"), **suggestion.params)))


def _time_of_day(index: int, mapping: Mapping, header: list[str]) -> None:
    """Which column gives the time of day, judged on the first rows, and the user's choice."""
    spec = TABLES[mapping.kind]
    day = mapping.columns.get(spec.date_column)
    if spec.time_flag is None or day is None:
        return
    choice = sample_time_choice(uploads.pending()[index].source, mapping)
    left, right = st.columns([1, 2])
    options = [AUTO, "", *[h for h in header if h != day]]
    left.selectbox(session.tr("mapping.time_from"), options, key=_key(index, "time_from"),
                   index=options.index(mapping.time_from.get(spec.date_column, AUTO)),
                   format_func=lambda h: session.tr("mapping.time_auto") if h == AUTO else
                   session.tr("mapping.time_none") if h == "" else h)
    if choice is not None:
        right.caption(plain(time_choice_text(choice, session.lang()) if choice.reason != "own_time"
                            else session.tr("mapping.time_own", day=day)) + " " + session.tr("mapping.time_sample"))


def _picker_grid(index: int, mapping: Mapping, header: list[str], fields: list) -> None:
    tr = session.tr
    grid = st.columns(3)
    for position, column in enumerate(fields):
        label = tr(f"field.{column.name}") + (" ※" if column.required else "")
        current = mapping.columns.get(column.name)
        grid[position % 3].selectbox(
            label, [None, *header], index=header.index(current) + 1 if current in header else 0,
            key=_key(index, f"{mapping.kind}.{column.name}"), format_func=lambda h: tr("mapping.none") if h is None else h)


def problem_files() -> None:
    files = [f for f in uploads.pending() if f.problem]
    if files:
        st.markdown(f"**{session.tr('mapping.problem_files')}**")
        for file in files:
            st.error(plain(problem_text(file.problem, session.lang())))


def vocabulary_editor() -> None:
    """Every call-result word with its count; unclassified ones first, each level editable."""
    tr = session.tr
    words = session.cached("outcome_words", lambda: outcome_words(session.store()), chosen=Filters())
    if not words:
        channel_table()
        return
    st.subheader(tr("vocabulary.title"))
    st.caption(tr("vocabulary.intro"))
    unknown = [w for w in words if w.level is None]
    if unknown:
        st.warning(tr("vocabulary.unknown", words=len(unknown), calls=sum(w.calls for w in unknown)))
    else:
        st.success(tr("vocabulary.all_known"))
    levels = {tr(f"level.{level}"): level for level in OUTCOME_RANKS}
    table = pd.DataFrame({
        tr("vocabulary.col.word"): [w.word for w in words],
        tr("vocabulary.col.calls"): [w.calls for w in words],
        tr("vocabulary.col.level"): [tr(f"level.{w.level or 'unknown'}") for w in words],
    }).sort_values(tr("vocabulary.col.level"), key=lambda s: s != tr("level.unknown"), kind="stable")
    key = f"vocabulary_editor_{session.data_version()}_{session.lang()}"  # new table or language
    st.data_editor(
        table, hide_index=True, width="stretch", key=key, on_change=_vocabulary_changed,
        args=(key, table, levels), disabled=[tr("vocabulary.col.word"), tr("vocabulary.col.calls")],
        column_config={tr("vocabulary.col.level"): st.column_config.SelectboxColumn(options=list(levels), required=True),
                       tr("vocabulary.col.calls"): st.column_config.NumberColumn(format="localized")},
    )
    channel_table()


def channel_table() -> None:
    """Activity types as exported and the channel each counts as, so no type is dropped unseen."""
    tr = session.tr
    words = session.cached("channel_words", lambda: channel_words(session.store()), chosen=Filters())
    if words:
        st.caption(tr("vocabulary.channels"))
        st.dataframe(pd.DataFrame([{tr("vocabulary.col.type"): word, tr("vocabulary.col.channel"): tr(f"code.channel.{channel}"),
                                    tr("vocabulary.col.rows"): count} for word, channel, count in words]),
                     hide_index=True, width="stretch",
                     column_config={tr("vocabulary.col.rows"): st.column_config.NumberColumn(format="localized")})


def _vocabulary_changed(key: str, table: pd.DataFrame, levels: dict[str, str]) -> None:
    edits = session.widget(key).get("edited_rows", {})
    level_column = session.tr("vocabulary.col.level")
    for position, change in edits.items():
        if level_column in change and change[level_column] in levels:
            session.set_outcome_level(table.iloc[int(position)][session.tr("vocabulary.col.word")],
                                      levels[change[level_column]])
