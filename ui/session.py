"""What one browser session holds: its language, its own DuckDB store, its answers and targets.

Every session gets its own in-memory DuckDB connection in `st.session_state`, loaded at start with
the team's history (phasekpi.history: the uploads kept in the workspace folder) or, while the
history is empty or on request, the bundled demo. Both are prepared once per server process (the
history once per version of its manifest) and copied into each session's store
(phasekpi.snapshot), so sessions stay independent. A session on the history follows it: when
another session or a scheduled `add` changes the manifest, the next rerun opens the new version.
Settings, targets, call-result words, holidays and checklist answers start from the workspace file
(`phasekpi.workspace`) and are saved back whenever they change.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import streamlit as st

from phasekpi.access import AccessList, Action, access_path, read_access, write_access
from phasekpi.access import may as access_may
from phasekpi.catalogue import Catalogue, default_catalogue
from phasekpi.coverage import table_spans as table_spans_of
from phasekpi.diagnosis import Diagnosis, diagnose
from phasekpi.display import DEFAULT_CURRENCY
from phasekpi.history import History, history_folder
from phasekpi.memo import Memo
from phasekpi.messages import DEFAULT_LANGUAGE, t
from phasekpi.metrics import Grouping, KpiResults, compute_grouped, compute_kpis, data_range
from phasekpi.problems import LoadReport
from phasekpi.repnames import rep_choices as choices_of
from phasekpi.repnames import rep_label, with_short_ids
from phasekpi.schema import Store, install_vocabularies, open_store
from phasekpi.selection import Filters, rep_names
from phasekpi.snapshot import load_rows, saved_demo, saved_history
from phasekpi.workspace import Config, HistoryEntry, Workspace, workspace_path

T = TypeVar("T")

# What the screens keep in st.session_state through this module, besides widget values (which
# Streamlit keeps under each widget's own key) and the keys the functions below own.
SCREEN_KEYS: dict[str, str] = {
    "no_files": "flash: the last check of the Data page found no file to read",
    "toast": "flash: the toast that says a long step (a load) is done, shown on the next run",
    "upload_report": "the LoadReport of the last upload, shown on the Data page until replaced or undone",
    "history_message": "flash: what the last undo on the Data page did",
    "pending": "files checked on the Data page, waiting for their mapping to be confirmed",
    "pending_generation": "bumped with each new check, so the mapping widgets start afresh",
    "pending_folder": "the temporary folder of the pending uploads, removed once loaded",
    "phase_suggestions_applied": "flash: how many checklist answers the data's suggestions set",
    "checklist_confirmed": "flash: the checklist answers were just confirmed against the current data",
    "phase_transition_start_value": "the transition plan's start date, kept beyond its page",
    "drill_page": "the drill-down's page number",
    "drill_scope": "the KPI and filters the drill-down page number belongs to",
    "workspace_import": "the outcome of the last workspace YAML import and its problems",
    "company_holidays": "the team's own non-working days (saved in the workspace)",
    "rep_names_report": "flash: what the last user-list upload on the reps page did",
}


def start_run() -> None:
    """What every run does before the page (app.py calls it): save what callbacks changed (number
    inputs and holidays are copied by their pages' callbacks), follow the team's history."""
    persist()
    follow_history()


def admit(visitor: object) -> None:
    """Keep who is at the screen (ui.gate.Visitor) for this run's screens and buttons."""
    st.session_state["visitor"] = visitor


def may(action: Action) -> bool:
    """Whether the visitor's role allows `action` (phasekpi.access.GRANTS); nobody admitted: no."""
    visitor = st.session_state.get("visitor")
    return visitor is not None and access_may(visitor.role, action)


def who() -> str | None:
    """The logged-in address, recorded with uploads, undos and answers; None without login."""
    visitor = st.session_state.get("visitor")
    return None if visitor is None else visitor.email


def access() -> AccessList:
    """The access list beside the workspace file, read afresh each run (an owner may just have changed it)."""
    return read_access(access_path(workspace_path()))


def save_access(entries: AccessList) -> None:
    write_access(access_path(workspace_path()), entries)


def read_only_banner() -> None:
    if not workspace().status.writable:
        st.warning(tr("workspace.banner_read_only"), icon=":material/lock:")


def workspace() -> Workspace:
    """This session's handle on the workspace file (no connection is kept open)."""
    if "workspace" not in st.session_state:
        space = Workspace()
        config = space.open()
        st.session_state["workspace"] = space
        apply_config(config)
    return st.session_state["workspace"]


def apply_config(config: Config) -> None:
    """Start from `config`: the workspace's on a session's start, an imported file's, or defaults."""
    values = config.session_values()
    if values["answers"] is None:
        del values["answers"]
        st.session_state.pop("answers", None)
    st.session_state.update(values, workspace_saved=copy.deepcopy(config))
    widgets = ("target_", "setting_", "item_", "override_choice_", "currency_")
    for key in [k for k in st.session_state if str(k).startswith(widgets)]:
        del st.session_state[key]  # widgets would otherwise show their old values
    if "store" in st.session_state:
        reinstall_vocabulary()


def current_config() -> Config:
    return Config.from_session(st.session_state)


def persist(record: HistoryEntry | None = None, whole: bool = False) -> None:
    """Save the session's configuration when it differs from what was last saved (one transaction);
    `whole`: all of it, as after an imported file, not only what this session changed."""
    space, config = workspace(), current_config()
    saved = None if whole else st.session_state.get("workspace_saved")
    if record is None and config == saved:
        return
    if space.save(config, record, base=saved):  # only this session's changes: another's stay
        st.session_state["workspace_saved"] = copy.deepcopy(config)


def catalogue() -> Catalogue:
    return default_catalogue()


def lang() -> str:
    return st.session_state.setdefault("lang", DEFAULT_LANGUAGE)


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def store() -> Store:
    if "store" not in st.session_state:
        open_team_data()
    return st.session_state["store"]


def history() -> History:
    return History(history_folder(workspace_path()))


def open_team_data() -> None:
    """The team's history in this session's store, or the demo while the history is empty."""
    manifest = history().manifest()
    if not manifest.active:
        load_demo(requested=False)
        return
    saved = _saved_history(str(history().folder), manifest.version, history().stamp())
    team = new_store()
    load_rows(team, saved)
    use_store(team, manifest.load_report(), is_demo=False)
    st.session_state["history_version"] = manifest.version


def follow_history() -> None:
    """Open the history's newer version when another session or the command line changed it (a
    session that asked for the demo stays on it)."""
    if st.session_state.get("demo_requested") or "store" not in st.session_state:
        return
    manifest = history().manifest()
    on_demo_by_default = is_demo() and manifest.active
    if on_demo_by_default or (not is_demo() and st.session_state.get("history_version") != manifest.version):
        open_team_data()


def data_source_text() -> str:
    """Whose data the session shows, and up to when."""
    if is_demo():
        return tr("sidebar.demo_data")
    manifest = history().manifest()
    return tr("sidebar.team_data", uploads=len(manifest.active), last=manifest.last_day or "—")


def use_history(replacement: Store, report: LoadReport, version: int) -> None:
    """A store the history was just added to becomes the session's data."""
    st.session_state["demo_requested"] = False
    use_store(replacement, report, is_demo=False)
    st.session_state["history_version"] = version


def load_demo(requested: bool = True) -> None:
    """The bundled demo in a store of this session's own, copied from the server's parsed copy;
    `requested` (the user asked for it) keeps the session on it, the history untouched."""
    st.session_state.pop("upload_report", None)
    st.session_state["demo_requested"] = requested
    saved, report = _parsed_demo()
    demo = new_store()
    load_rows(demo, saved)
    use_store(demo, copy.deepcopy(report), is_demo=True)


def leave_demo() -> None:
    """Button callback: back from the demo to the team's history."""
    st.session_state["demo_requested"] = False
    open_team_data()


@st.cache_resource(show_spinner=False, max_entries=2)
def _saved_history(folder: str, version: int, stamp: int) -> Path:
    """One version of the history replayed once per server process (sessions copy it); `stamp`
    tells a manifest written anew (a history folder deleted by hand restarts its versions)."""
    return saved_history(History(Path(folder)), version, stamp, catalogue())


@st.cache_resource(show_spinner=False)
def _parsed_demo() -> tuple[Path, LoadReport]:
    """The demo parsed once per server process (bundled, read-only data: no session's rows)."""
    return saved_demo(catalogue())


def new_store() -> Store:
    """An empty store with this session's own call-result words installed."""
    return open_store(catalogue(), outcome_overrides())


def use_store(replacement: Store, report: LoadReport, is_demo: bool) -> None:
    """Make a loaded store the session's data (closing the one it replaces) and remember what was
    loaded; filters and memoised values start afresh."""
    old = st.session_state.get("store")
    st.session_state.update(store=replacement, load_report=report, is_demo=is_demo, filters=Filters())
    if old is not None and old is not replacement:
        old.con.close()
    data_changed()


def data_version() -> int:
    """Bumped whenever the session's data changes: caches and widgets tied to the data start afresh."""
    return st.session_state.get("data_version", 0)


def data_changed() -> None:
    st.session_state["data_version"] = st.session_state.get("data_version", 0) + 1


def outcome_overrides() -> dict[str, str]:
    """The user's own call-result word → level choices, on top of the catalogue's vocabulary."""
    workspace()
    return st.session_state.setdefault("outcome_overrides", {})


def set_outcome_level(word: str, level: str) -> None:
    outcome_overrides()[word] = level
    reinstall_vocabulary()
    persist()


def reinstall_vocabulary() -> None:
    """The session's call-result words into its store; every value computed from them is stale."""
    with store().lock:
        install_vocabularies(store().con, catalogue(), outcome_overrides())
    data_changed()


def load_report() -> LoadReport | None:
    store()
    return st.session_state.get("load_report")


def is_demo() -> bool:
    store()
    return st.session_state.get("is_demo", False)


def filters() -> Filters:
    return st.session_state.get("filters", Filters())


def set_filters(value: Filters) -> None:
    st.session_state["filters"] = value


def answers() -> dict[str, bool] | None:
    """Checklist answers once the user has submitted them; None before."""
    workspace()
    return st.session_state.get("answers")


def remember_answers() -> None:
    """Form callback: keep the ticks under a key of our own (widget state dies with its page)."""
    st.session_state["answers"] = {i.id: bool(st.session_state.get(f"item_{i.id}")) for i in catalogue().checklist.items}
    result = diagnosis()
    persist(None if result is None else HistoryEntry.of(result, override(), datetime.now(), who()))


def answered_at() -> datetime | None:
    """When the checklist answers were last saved (the workspace's latest diagnosis record); None
    before they are answered."""
    entries = workspace().history() if answers() is not None else []
    return entries[-1].recorded_at if entries else None


def data_changed_at() -> datetime | None:
    """When the team's data last changed; None on the bundled demo, which never does."""
    return None if is_demo() else history().manifest().changed_at


def confirm_answers() -> None:
    """Form callback: the answers as shown, saved again now as checked against the current data."""
    remember_answers()
    keep("checklist_confirmed", True)


def remember_override(key: str) -> None:
    st.session_state["override"] = st.session_state[key]
    persist()


def override() -> str | None:
    workspace()
    return st.session_state.get("override")


def settings() -> dict[str, float | None]:
    workspace()
    return st.session_state.setdefault("settings", {})


def currency() -> str:
    """The currency the team's amounts are in (a workspace setting, JPY until an owner picks another)."""
    workspace()
    return st.session_state.setdefault("currency", DEFAULT_CURRENCY)


def set_currency(code: str) -> None:
    st.session_state["currency"] = code
    persist()


def memory(page: str) -> dict:
    """A page's remembered inputs by name (`planner`, `trends`), kept for the session so that they
    survive a visit to another page, where Streamlit drops the widgets' own state."""
    return st.session_state.setdefault(f"{page}_memory", {})


def widget(key: str) -> object:
    """A widget's value by its key (in its on_change callback, or set earlier in the run)."""
    return st.session_state[key]


def kept_widget(key: str, default: T | None = None) -> T | None:
    """A widget's value, or `default` before the widget was first drawn."""
    return st.session_state.get(key, default)


def set_widget(key: str, value: object, only_if_unset: bool = False) -> None:
    """Give a widget its value before it is drawn (a suggestion applied, an answer restored)."""
    if only_if_unset:
        st.session_state.setdefault(key, value)
    else:
        st.session_state[key] = value


def kept(name: str, default: T | None = None) -> T | None:
    """A declared screen value (SCREEN_KEYS)."""
    return st.session_state.get(_declared(name), default)


def keep(name: str, value: object) -> None:
    st.session_state[_declared(name)] = value


def take(name: str, default: T | None = None) -> T | None:
    """A declared screen value, removed: a flash message shows once."""
    return st.session_state.pop(_declared(name), default)


def _declared(name: str) -> str:
    if name not in SCREEN_KEYS:
        raise KeyError(f"session key {name!r} is not declared in ui/session.py SCREEN_KEYS")
    return name


def targets() -> dict[str, dict[str, float]]:
    """Target overrides per phase: phase id → KPI id → target."""
    workspace()
    return st.session_state.setdefault("targets", {})


def bounds() -> tuple[date, date] | None:
    """First and last date of the loaded data (whatever the filters)."""
    return cached("data_range", lambda: data_range(store()), chosen=Filters())


def table_spans() -> dict[str, tuple[date, date]]:
    """Each loaded table's own first and last date (a card compares only what its tables cover)."""
    return cached("table_spans", lambda: table_spans_of(store()), chosen=Filters())


def reps() -> list[str]:
    return cached("rep_names", lambda: rep_names(store()), chosen=Filters())


def rep_labels() -> dict[str, str]:
    """Rep id → name from the workspace's user lists, read once per session (and after its own upload)."""
    if "rep_labels" not in st.session_state:
        st.session_state["rep_labels"] = with_short_ids(workspace().rep_names())
    return st.session_state["rep_labels"]


def label(rep: str) -> str:
    """The rep's name for the screen (format_func of rep choices), the id when no list names it."""
    return rep_label(rep, rep_labels())


def rep_choices(reps: list[str]) -> dict[str, str]:
    """Name shown → rep for a choice of one rep (phasekpi.repnames.rep_choices)."""
    return choices_of(reps, rep_labels())


def add_rep_names(names: dict[str, str]) -> bool:
    """Keep a user list's names in the workspace for every session; False when nothing could be saved."""
    saved = workspace().save_rep_names(names)
    st.session_state["rep_labels"] = with_short_ids(workspace().rep_names() if saved else {**rep_labels(), **names})
    return saved


def diagnosis() -> Diagnosis | None:
    return diagnose(catalogue(), answers(), override(), bounds())


MEMO_SIZE = 48  # values kept per session: every page × a few recent filter choices


def cached(kind: str, compute: Callable[[], T], *inputs: object, chosen: Filters | None = None) -> T:
    """`compute()` once per (kind, data version, filters, settings, inputs): a page switch, a rerun or a
    return to earlier filters reuses the value. `data_version` moves on every load and vocabulary edit,
    so it fingerprints the session's data."""
    store()  # a first call loads the demo, which moves the data version
    key = (kind, st.session_state.get("data_version"), chosen or filters(), tuple(sorted(settings().items())), inputs)
    return st.session_state.setdefault("kpi_memo", Memo(MEMO_SIZE)).get(key, compute)


def kpi_results(for_filters: Filters | None = None) -> KpiResults | None:
    """KPI values for the filters, memoised per session until data, filters or settings change."""
    chosen = for_filters or filters()
    return cached("kpis", lambda: compute_kpis(store(), catalogue(), chosen, settings()), chosen=chosen)


def kpi_results_by(by: Grouping, for_filters: Filters | None = None) -> dict[str, KpiResults]:
    """KPI values per rep, team, week or month, memoised like `kpi_results`."""
    chosen = for_filters or filters()
    return cached("kpis_by", lambda: compute_grouped(store(), catalogue(), chosen, by, settings()), by, chosen=chosen)
