"""User lists that give rep ids names: the exports CRMs write, the bad ones, the workspace, rep_label."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from phasekpi.drilldown import DrillPage, drill_table
from phasekpi.ingest import mapping_problem
from phasekpi.mapping import mapping_for
from phasekpi.messages import problem_text
from phasekpi.repnames import read_user_list, rep_choices, rep_label, with_short_ids
from phasekpi.sources import read_source
from phasekpi.workspace import Config, Workspace

SALESFORCE_EN = ("Id,Username,LastName,FirstName,Name,Email,IsActive\r\n"
                 "005Ec000004oBPNIA2,yamada@example.co.jp,Yamada,Taro,Taro Yamada,yamada@example.co.jp,true\r\n"
                 "005Ec000004oBPOIA2,sato@example.co.jp,Sato,Hanako,Hanako Sato,sato@example.co.jp,true\r\n")
SALESFORCE_JA = ("ユーザー ID,氏名,ユーザー名,メール,有効\r\n"
                 "005Ec000004oBPNIA2,髙橋 一郎,takahashi@example.co.jp,takahashi@example.co.jp,1\r\n"
                 "005Ec000004oBPOIA2,㈱ 渡辺 結衣,watanabe@example.co.jp,watanabe@example.co.jp,1\r\n")
HUBSPOT = ("User ID,Owner ID,First Name,Last Name,Email,Teams\n"
           "8123456,31234567,Ann,Lee,ann@example.com,SDR\n"
           "8123457,31234568,Bob,,bob@example.com,SDR\n")
JAPANESE_PARTS = "Id,姓,名\n005A,山田,太郎\n005B,佐藤,\n"
TAB_SEPARATED = "所有者 ID\t所有者名\n005A\t山田 太郎\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("name", "text", "encoding", "names", "columns"), [
    ("users.csv", SALESFORCE_EN, "utf-8", {"005Ec000004oBPNIA2": "Taro Yamada", "005Ec000004oBPOIA2": "Hanako Sato"},
     ("Id", "Name")),
    ("ユーザー.csv", SALESFORCE_JA, "cp932", {"005Ec000004oBPNIA2": "髙橋 一郎", "005Ec000004oBPOIA2": "㈱ 渡辺 結衣"},
     ("ユーザー ID", "氏名")),
    ("owners.csv", HUBSPOT, "utf-8-sig", {"31234567": "Ann Lee", "31234568": "Bob"}, ("Owner ID", "First Name", "Last Name")),
    ("parts.csv", JAPANESE_PARTS, "utf-8", {"005A": "山田 太郎", "005B": "佐藤"}, ("Id", "名", "姓")),
    ("owners.tsv", TAB_SEPARATED, "utf-16", {"005A": "山田 太郎"}, ("所有者 ID", "所有者名")),
])
def test_user_lists_as_crms_export_them(tmp_path: Path, name: str, text: str, encoding: str,
                                        names: dict[str, str], columns: tuple[str, ...]) -> None:
    users, problem = read_user_list(write(tmp_path, name, text, encoding), name)
    assert problem is None and users is not None
    assert users.names == names
    assert (users.id_column, *users.name_columns) == columns
    assert (users.file, users.rows, users.skipped, users.duplicates) == (name, len(names), 0, 0)


def test_a_gzipped_list_is_read_like_any_upload(tmp_path: Path) -> None:
    path = tmp_path / "users.csv.gz"
    path.write_bytes(gzip.compress(SALESFORCE_EN.encode()))
    users, _ = read_user_list(path, "users.csv.gz")
    assert users is not None and users.names["005Ec000004oBPOIA2"] == "Hanako Sato"


def test_rows_without_id_or_name_are_skipped_and_a_repeated_id_keeps_the_later_name(tmp_path: Path) -> None:
    text = ("Id,Name\n005A,山田 太郎\n,名無し\n005B,  \n\n005A,山田 太郎(営業1課)\n005C,鈴木 美咲\n")
    users, _ = read_user_list(write(tmp_path, "users.csv", text), "users.csv")
    assert users is not None
    assert users.names == {"005A": "山田 太郎(営業1課)", "005C": "鈴木 美咲"}
    # 5 rows (the blank line is none): 2 kept + 2 skipped (no id, blank name) + 1 repeated id
    assert (users.rows, users.skipped, users.duplicates) == (5, 2, 1)


@pytest.mark.parametrize(("text", "key", "ja", "en"), [
    ("Username,Name\nyamada@example.co.jp,山田 太郎\n", "user_list_no_id",
     "bad.csv: 担当者IDの列が見つかりません(Owner ID, OwnerId, HubSpot Owner ID, 所有者 ID … のいずれかの列名が必要です)。",
     "bad.csv: there is no rep id column (one named Owner ID, OwnerId, HubSpot Owner ID, 所有者 ID … is needed)."),
    ("Id,Username,Email\n005A,yamada@example.co.jp,yamada@example.co.jp\n", "user_list_no_name",
     "bad.csv: 氏名の列が見つかりません(Name, Full Name, Owner Name, 氏名 … のいずれかの列名が必要です)。",
     "bad.csv: there is no name column (one named Name, Full Name, Owner Name, 氏名 … is needed)."),
])
def test_a_list_without_an_id_or_a_name_column_is_refused_naming_file_and_column(
        tmp_path: Path, text: str, key: str, ja: str, en: str) -> None:
    users, problem = read_user_list(write(tmp_path, "bad.csv", text), "bad.csv")
    assert users is None and problem is not None and problem.key == key
    assert problem_text(problem, "ja").startswith(ja)
    assert problem_text(problem, "en").startswith(en)


def test_an_export_far_longer_than_a_user_list_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("phasekpi.repnames.MAX_USERS", 2)
    users, problem = read_user_list(write(tmp_path, "big.csv", "Id,Name\na,A\nb,B\nc,C\n"), "big.csv")
    assert users is None and problem is not None
    assert problem_text(problem, "en") == "big.csv: over 2 rows, so this is another export rather than a user list."


def test_a_file_that_is_no_table_gives_the_readers_own_problem(tmp_path: Path) -> None:
    users, problem = read_user_list(write(tmp_path, "empty.csv", ""), "empty.csv")
    assert users is None and problem is not None and problem.key == "empty_file"


@pytest.mark.parametrize(("rep", "names", "label"), [
    ("005A", {"005A": "山田 太郎"}, "山田 太郎"),
    ("005B", {"005A": "山田 太郎"}, "005B"),  # no name: the id
    ("佐藤 健", {}, "佐藤 健"),  # the data names reps already
    ("005A", {"005A": ""}, "005A"),  # an empty name is no name
    ("005Ec000004oBPNIA2", {"005Ec000004oBPN": "山田 太郎"}, "山田 太郎"),  # 18 characters, the list has 15
    ("005Ec000004oBPN", with_short_ids({"005Ec000004oBPNIA2": "山田 太郎"}), "山田 太郎"),  # and the other way
    ("005ec000004obpn", with_short_ids({"005Ec000004oBPNIA2": "山田 太郎"}), "005ec000004obpn"),  # case counts
    ("00QEc000004oBPNIA2", {"00QEc000004oBPN": "a lead"}, "00QEc000004oBPNIA2"),  # only user ids (005…)
])
def test_rep_label(rep: str, names: dict[str, str], label: str) -> None:
    assert rep_label(rep, names) == label


@pytest.mark.parametrize(("reps", "names", "choices"), [
    (["005B", "005A"], {"005A": "Yamada", "005B": "Abe"}, {"Abe": "005B", "Yamada": "005A"}),  # by name
    (["005A", "005B"], {"005A": "佐藤 健", "005B": "佐藤 健"}, {"佐藤 健 (005A)": "005A", "佐藤 健 (005B)": "005B"}),
    (["005A", "佐藤 健"], {"005A": "佐藤 健"}, {"佐藤 健 (005A)": "005A", "佐藤 健 (佐藤 健)": "佐藤 健"}),
    (["005C"], {}, {"005C": "005C"}),
])
def test_rep_choices_keep_every_rep_choosable(reps: list[str], names: dict[str, str], choices: dict[str, str]) -> None:
    assert rep_choices(reps, names) == choices


def test_a_15_character_form_the_list_names_itself_keeps_its_own_name() -> None:
    names = with_short_ids({"005Ec000004oBPNIA2": "山田 太郎", "005Ec000004oBPN": "Yamada"})
    assert names == {"005Ec000004oBPNIA2": "山田 太郎", "005Ec000004oBPN": "Yamada"}


def test_names_survive_a_restart_and_a_second_list_replaces_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "workspace.duckdb"
    first = Workspace(path)
    first.open()
    assert first.rep_names() == {}
    assert first.save_rep_names({"005A": "山田 太郎", "005B": "佐藤 花子"})
    assert first.save(Config(settings={"is_cost_per_month": 500_000.0}))  # a settings save keeps the names
    again = Workspace(path)
    again.open()
    assert again.rep_names() == {"005A": "山田 太郎", "005B": "佐藤 花子"}
    assert again.save_rep_names({"005B": "佐藤 花子(2課)", "005C": "鈴木 美咲"})
    assert Workspace(path).rep_names() == {"005A": "山田 太郎", "005B": "佐藤 花子(2課)", "005C": "鈴木 美咲"}


def test_a_workspace_file_written_before_rep_names_opens_and_takes_them(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # the first layout: no rep_names table
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        con.execute("CREATE TABLE settings (name VARCHAR PRIMARY KEY, value DOUBLE)")
    space = Workspace(path)
    assert space.open().settings == {}
    assert space.status.reason == "loaded"
    assert space.rep_names() == {}
    assert space.save_rep_names({"005A": "山田 太郎"})
    assert Workspace(path).rep_names() == {"005A": "山田 太郎"}


def test_the_records_page_names_reps_and_owners() -> None:
    page = DrillPage("k", "opportunities", ["opportunity_id", "rep", "owner"], [("O1", "005A", "005F"), ("O2", "005B", None)],
                     total=2, page=1, pages=1, page_size=50, amount=None)
    table = drill_table(page, "en", {"005A": "Taro Yamada", "005F": "Field Sales Ken"})
    assert table.values.tolist() == [["O1", "Taro Yamada", "Field Sales Ken"], ["O2", "005B", ""]]


@pytest.mark.parametrize(("header", "row", "key"), [
    ("USER_ID,First Name,Last Name,Email", "1001,Taro,Yamada,t@example.com", "user_list_elsewhere"),  # Zoho Users
    ("Id,Username,FirstName,LastName,IsActive", "005A,a@x.co,Ann,Lee,true", "user_list_elsewhere"),  # Salesforce User
    ("Id,Username,ProfileId,IsActive", "005A,a@x.co,00e1,true", "other_kind"),  # users, but no name to show
    ("product,series,sales_price", "GTX,GT,550", "other_kind"),  # products stay products
])
def test_the_data_page_sends_a_user_list_to_the_reps_page(tmp_path: Path, header: str, row: str, key: str) -> None:
    path = tmp_path / "Users.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    source, _ = read_source(path, "Users.csv")
    problem = mapping_problem(source, mapping_for(source.header, None))
    source.discard()
    assert problem is not None and problem.key == key
    if key == "user_list_elsewhere":
        assert problem_text(problem, "ja").startswith("Users.csv は担当者(ユーザー)の一覧のようです。")
        assert "Rep names (user list)" in problem_text(problem, "en")
