"""Who may do what (issue 18): the role rules in the core, table-driven, and the screens following
them in AppTest with a login configured (`[auth]` in the run's secrets, `st.user` set per test).
The real login flow with an OpenID Connect provider is in tests/test_browser_login.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rendering import texts
from streamlit.testing.v1 import AppTest

from phasekpi.access import AccessList, access_path, may, parse_entries, read_access, write_access
from phasekpi.catalogue import default_catalogue
from phasekpi.history import History, history_folder
from phasekpi.mapping import mapping_for
from phasekpi.schema import open_store
from phasekpi.sources import read_source

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EXPORTS = Path(__file__).parent / "data" / "exports"
TEAM = AccessList({"boss@example.co.jp": "owner", "suzuki@example.co.jp": "manager", "@example.co.jp": "viewer",
                   "sato@partner.example": "viewer"})


@pytest.mark.parametrize(("email", "role"), [
    ("boss@example.co.jp", "owner"),
    ("Suzuki@Example.co.jp ", "manager"),  # an address compares without case or spaces
    ("tanaka@example.co.jp", "viewer"),  # by the domain's entry
    ("sato@partner.example", "viewer"),
    ("kato@partner.example", None),  # the domain is not listed, only one address of it
    ("boss@example.co.jp.evil.example", None),  # a domain is matched whole, not as a prefix
    ("", None), (None, None), ("not-an-address", None),
])
def test_role_of(email: str | None, role: str | None) -> None:
    assert TEAM.role_of(email) == role


@pytest.mark.parametrize(("role", "allowed", "refused"), [
    ("viewer", {"read", "download"}, {"upload", "undo", "answer", "settings", "targets", "access", "delete_all"}),
    ("manager", {"read", "download", "upload", "undo", "answer"}, {"settings", "targets", "access", "delete_all"}),
    ("owner", {"read", "download", "upload", "undo", "answer", "settings", "targets", "access", "delete_all"}, set()),
    (None, set(), {"read", "download"}),
])
def test_what_each_role_may_do(role: str | None, allowed: set[str], refused: set[str]) -> None:
    assert all(may(role, action) for action in allowed) and not any(may(role, action) for action in refused)


def test_entries_are_parsed_and_bad_ones_named() -> None:
    entries, bad = parse_entries("Sato@Example.co.jp\n@partner.example, yamada@x\n\n営業部", "manager")
    assert entries == {"sato@example.co.jp": "manager", "@partner.example": "manager"}
    assert bad == ["yamada@x", "営業部"]


def test_the_list_is_saved_whole_and_read_back(tmp_path: Path) -> None:
    path = access_path(tmp_path / "workspace.duckdb")
    assert read_access(path) == AccessList()  # no file: nobody is let in by login
    write_access(path, TEAM)
    assert read_access(path) == TEAM and list(tmp_path.iterdir()) == [path]  # no temporary file left
    path.write_text("{not json", encoding="utf-8")
    assert read_access(path) == AccessList()
    path.write_text('{"entries": {"a@b.example": "admin", "c@d.example": "viewer", "bad": "owner"}}', encoding="utf-8")
    assert read_access(path) == AccessList({"c@d.example": "viewer"})  # unknown roles and entries are dropped


# ---------------------------------------------------------------- the screens


def workspace_file() -> Path:
    return Path(os.environ["PHASEKPI_WORKSPACE"])


def logged_in(email: str | None) -> AppTest:
    """A session with login configured; `email` None: not logged in yet."""
    write_access(access_path(workspace_file()), TEAM)
    source, _ = read_source(EXPORTS / "calls_week_1.csv", "calls_week_1.csv")
    history = History(history_folder(workspace_file()))
    store, _, _ = history.add(lambda: open_store(default_catalogue()), [(source, mapping_for(source.header, None))])
    store.con.close()
    source.discard()
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {"client_id": "phasekpi", "server_metadata_url": "https://login.example/.well-known"}
    at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email}
    at.run()
    assert not at.exception
    return at


def test_before_login_nothing_of_the_team_is_shown() -> None:
    at = logged_in(None)
    assert [t.value for t in at.title] == ["ログインしてください"]
    assert [b.label for b in at.button] == ["ログイン"]
    assert "store" not in at.session_state  # no team data was even read


def test_a_viewer_reads_without_upload_undo_targets_or_answers() -> None:
    at = logged_in("tanaka@example.co.jp")
    assert "tanaka@example.co.jp(閲覧者)" in [c.value.replace("\\", "") for c in at.sidebar.caption]  # shown escaped
    assert all(n.disabled for n in at.number_input if n.key.startswith(("target_", "setting_")))
    at.switch_page("views/data.py").run()
    assert "閲覧者はデータの閲覧とExcelのダウンロードができます" in " ".join(texts(at))
    assert not [b for b in at.button if b.label in ("ファイルを確認する", "取り消す", "すべて削除する")]
    assert list(at.dataframe[0].value["ファイル"]) == ["calls_week_1.csv"]  # the list is there to read
    at.switch_page("views/diagnosis.py").run()
    assert at.checkbox and all(c.disabled for c in at.checkbox)
    at.switch_page("views/settings.py").run()
    assert "目標・設定・アクセス権の変更はオーナーだけができます。" in " ".join(texts(at))
    assert not at.text_area  # no access list to edit


def test_a_manager_uploads_and_undoes_but_does_not_set_targets() -> None:
    at = logged_in("suzuki@example.co.jp")
    assert all(n.disabled for n in at.number_input if n.key.startswith("target_"))
    at.switch_page("views/data.py").run()
    assert {"ファイルを確認する", "取り消す"} <= {b.label for b in at.button}
    assert "すべて削除する" not in {b.label for b in at.button}
    next(b for b in at.button if b.label == "取り消す").click().run()
    assert History(history_folder(workspace_file())).manifest().uploads[0].undone_by == "suzuki@example.co.jp"


def test_an_owner_edits_the_access_list_and_cannot_lock_themselves_out() -> None:
    at = logged_in("boss@example.co.jp")
    assert not any(n.disabled for n in at.number_input if n.key.startswith("target_"))
    at.switch_page("views/settings.py").run()
    at.text_area(key="access_viewer").set_value("@example.co.jp\nnot an address")
    at.button[[b.label for b in at.button].index("アクセス権を保存")].click().run()
    refused = "メールアドレスでも @ドメイン でもない項目があります: not, an, address。保存していません。"
    assert refused in [e.value for e in at.error]
    at.text_area(key="access_viewer").set_value("@example.co.jp")
    at.text_area(key="access_owner").set_value("")
    at.button[[b.label for b in at.button].index("アクセス権を保存")].click().run()
    assert any("自分をオーナーに残してください" in e.value for e in at.error)
    at.text_area(key="access_owner").set_value("boss@example.co.jp")
    at.text_area(key="access_manager").set_value("suzuki@example.co.jp\nito@example.co.jp")
    at.button[[b.label for b in at.button].index("アクセス権を保存")].click().run()
    assert read_access(access_path(workspace_file())).role_of("ito@example.co.jp") == "manager"
    assert read_access(access_path(workspace_file())).role_of("sato@partner.example") is None  # left off the list


def test_a_stranger_is_told_who_they_are_and_sees_nothing() -> None:
    at = logged_in("someone@elsewhere.example")
    assert [t.value for t in at.title] == ["このダッシュボードを見る権限がありません"]
    assert "someone@elsewhere.example としてログインしています" in " ".join(texts(at))
    assert "store" not in at.session_state


def test_the_cli_gives_the_first_owner_access(capsys: pytest.CaptureFixture[str]) -> None:
    """On the server, whoever has a shell there sets the list up before anyone can log in."""
    from phasekpi.cli import main

    assert main(["access", "Boss@Example.co.jp", "owner"]) == 0
    assert main(["access", "@example.co.jp", "viewer"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["owner\tboss@example.co.jp", "viewer\t@example.co.jp"]
    assert main(["access", "@example.co.jp", "none"]) == 0
    assert read_access(access_path(workspace_file())) == AccessList({"boss@example.co.jp": "owner"})
    assert main(["access", "営業部", "manager"]) == 2
    assert "give an address or @domain" in capsys.readouterr().err


def test_make_run_serves_this_machine_only() -> None:
    """`make run` is `streamlit run app.py`, which reads .streamlit/config.toml."""
    import tomllib

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"


def test_an_address_the_provider_has_not_verified_opens_nothing() -> None:
    """Some providers let anyone type any address; one flagged unverified is treated as a stranger's."""
    write_access(access_path(workspace_file()), TEAM)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {"client_id": "phasekpi", "server_metadata_url": "https://login.example/.well-known"}
    at.user = {"is_logged_in": True, "email": "boss@example.co.jp", "email_verified": False}
    at.run()
    assert [t.value for t in at.title] == ["このダッシュボードを見る権限がありません"]
    assert "store" not in at.session_state
