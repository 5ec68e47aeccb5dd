"""Writes the CRM export fixtures of this folder (all but the salesforce_dataloader_*.csv copies).

Run from the repository root: `.venv/bin/python tests/data/crm/make_fixtures.py`. Every file is
written byte for byte the way its product exports (encoding, BOM, line endings, quoting,
delimiter); README.md says which product and documentation each one imitates. All people,
companies and numbers are made up.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).parent


def csv_text(rows: list[list[object]], delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL,
             newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def write(name: str, text: str, encoding: str, bom: bytes = b"") -> None:
    (HERE / name).write_bytes(bom + text.encode(encoding))


def salesforce_report_ja_activities() -> None:
    """Salesforce activity report exported from a Japanese org: every field quoted, CRLF,
    "日本語 (Windows)" encoding (CP932, so ㈱ ㈲ 髙 survive), dates 2025/04/01, seconds."""
    rows = [
        ["活動 ID", "任命先", "日付", "件名", "種別", "通話時間", "通話結果", "リード ID", "取引先名"],
        ["00T5i00000AbC01", "髙橋 一郎", "2025/04/01", "初回架電", "電話", "135", "接続", "00Q5i00000LxA01", "㈱サンプル商事"],
        ["00T5i00000AbC02", "髙橋 一郎", "2025/04/01", "架電", "電話", "0", "不在", "00Q5i00000LxA02", "東和工業㈱"],
        ["00T5i00000AbC03", "佐藤 花子", "2025/04/02", "初回架電", "電話", "420", "アポ獲得", "00Q5i00000LxA03",
         "株式会社ミナト"],
        ["00T5i00000AbC04", "佐藤 花子", "2025/04/02", "資料送付", "メール", "", "", "00Q5i00000LxA03", "株式会社ミナト"],
        ["00T5i00000AbC05", "山田 太郎", "2025/04/03", "架電", "電話", "15", "受付ブロック", "00Q5i00000LxA04", "有限会社ヤマ"],
        ["00T5i00000AbC06", "山田 太郎", "2025/04/03", "架電", "電話", "240", "有効会話", "00Q5i00000LxA05", "㈲丸一"],
        ["00T5i00000AbC07", "髙橋 一郎", "2025/04/04", "フォロー", "電話", "60", "接続", "00Q5i00000LxA01", "㈱サンプル商事"],
        ["00T5i00000AbC08", "佐藤 花子", "2025/04/04", "架電", "電話", "0", "担当者不在", "00Q5i00000LxA06", "髙野電機株式会社"],
    ]
    write("salesforce_report_ja_activities_cp932.csv", csv_text(rows, quoting=csv.QUOTE_ALL, newline="\r\n"), "cp932")


def salesforce_report_en_opportunities() -> None:
    """Salesforce opportunity report, English UI, en_US locale: UTF-8 with BOM, every field quoted,
    CRLF, US dates (M/D/YYYY), amounts with the currency symbol and thousands separators."""
    rows = [
        ["Opportunity Owner", "Opportunity Name", "Account Name", "Opportunity ID", "Stage", "Amount",
         "Probability (%)", "Close Date", "Created Date", "Lead Source"],
        ["Kenji Sato", "Acme KK - Renewal FY25", "Acme KK", "0065i00000AbCdE01", "Closed Won", "¥1,200,000", "100",
         "4/1/2025", "3/3/2025", "Web"],
        ["Kenji Sato", "Blue Harbor - New", "Blue Harbor Inc.", "0065i00000AbCdE02", "Closed Lost", "¥850,000", "0",
         "4/15/2025", "3/10/2025", "Partner Referral"],
        ["Yuki Tanaka", "Kita Logistics - Pilot", "Kita Logistics", "0065i00000AbCdE03", "Qualification", "¥3,000,000",
         "20", "6/30/2025", "3/18/2025", "Web"],
        ["Yuki Tanaka", "Nagoya Foods - Expansion", "Nagoya Foods", "0065i00000AbCdE04", "Negotiation/Review",
         "¥2,400,000", "90", "5/20/2025", "3/25/2025", "Phone Inquiry"],
        ["Aiko Mori", "Sora Clinic - New", "Sora Clinic", "0065i00000AbCdE05", "Closed Won", "¥480,000", "100",
         "4/25/2025", "4/2/2025", "Seminar"],
        ["Aiko Mori", "Minato Bank - Discovery", "Minato Bank", "0065i00000AbCdE06", "Prospecting", "¥5,500,000", "10",
         "7/31/2025", "4/10/2025", "Web"],
    ]
    write("salesforce_report_en_opportunities.csv", csv_text(rows, quoting=csv.QUOTE_ALL, newline="\r\n"),
          "utf-8", b"\xef\xbb\xbf")


def hubspot_deals_en() -> None:
    """HubSpot deals export (English UI): every field quoted, internal stage values, plain numbers,
    dates as `YYYY-MM-DD HH:MM` in the account's time zone."""
    rows = [
        ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Create Date", "Deal owner", "Pipeline"],
        ["18234567001", "Acme KK - New Business", "closedwon", "1200000", "2025-04-01 10:00", "2025-03-03 09:30",
         "Haruto Ito", "Sales Pipeline"],
        ["18234567002", "Blue Harbor - Renewal", "closedlost", "850000", "2025-04-15 17:00", "2025-03-10 14:05",
         "Haruto Ito", "Sales Pipeline"],
        ["18234567003", "Kita Logistics - Pilot", "appointmentscheduled", "3000000", "2025-06-30 00:00",
         "2025-03-18 11:20", "Mei Suzuki", "Sales Pipeline"],
        ["18234567004", "Nagoya Foods - Expansion", "qualifiedtobuy", "2400000", "2025-05-20 00:00",
         "2025-03-25 16:45", "Mei Suzuki", "Sales Pipeline"],
        ["18234567005", "Sora Clinic - New", "presentationscheduled", "480000", "2025-05-31 00:00", "2025-04-02 10:10",
         "Haruto Ito", "Sales Pipeline"],
        ["18234567006", "Minato Bank - Discovery", "contractsent", "5500000", "2025-07-31 00:00", "2025-04-10 13:00",
         "Ren Kobayashi", "Sales Pipeline"],
        ["18234567007", "Umi Retail - Upsell", "closedwon", "760000", "2025-04-28 15:30", "2025-04-11 09:00",
         "Ren Kobayashi", "Sales Pipeline"],
    ]
    write("hubspot_deals_en.csv", csv_text(rows, quoting=csv.QUOTE_ALL), "utf-8")


def hubspot_calls_ja() -> None:
    """HubSpot calls export from a Japanese-language account: Japanese property labels, every field
    quoted, `YYYY-MM-DD HH:MM`, call duration in milliseconds (HubSpot's unit for hs_call_duration)."""
    rows = [
        ["レコードID", "コールのタイトル", "アクティビティー日", "アクティビティーの割り当て先", "コールの成果",
         "コールの所要時間", "コールの方向"],
        ["60112233001", "初回コール", "2025-04-01 10:00", "伊藤 陽翔", "接続済み", "135000", "アウトバウンド"],
        ["60112233002", "初回コール", "2025-04-01 10:20", "伊藤 陽翔", "応答なし", "0", "アウトバウンド"],
        ["60112233003", "フォローアップ", "2025-04-01 11:05", "鈴木 芽衣", "話し中", "0", "アウトバウンド"],
        ["60112233004", "折り返し", "2025-04-02 14:30", "鈴木 芽衣", "接続済み", "420000", "インバウンド"],
        ["60112233005", "初回コール", "2025-04-02 15:00", "小林 蓮", "留守番電話にメッセージを残した", "32000",
         "アウトバウンド"],
        ["60112233006", "フォローアップ", "2025-04-03 09:45", "小林 蓮", "番号違い", "5000", "アウトバウンド"],
    ]
    write("hubspot_calls_ja.csv", csv_text(rows, quoting=csv.QUOTE_ALL), "utf-8")


ZOHO_CALLS_HEADER = ["TASKID", "Call Start Time", "Call Duration (in seconds)", "Call Owner", "Call Owner Id",
                     "Subject", "Call Type", "Call Purpose", "Billable", "Created Time", "Modified Time", "CONTACTID",
                     "ACCOUNTID", "POTENTIALID", "LEADID", "Call Duration (in minutes)", "Who Id Id", "What Id",
                     "SEMODULE"]


def zoho_calls() -> None:
    """Zoho CRM Calls module: the zoho-crm-sample header, our own rows in its formats (ISO times,
    seconds and rounded minutes side by side, POTENTIALID 0 when none)."""
    rows = [
        ZOHO_CALLS_HEADER,
        ["7100001", "2025-04-01 10:00:00", "135", "Nora Kato", "2001", "First call", "Outbound", "Prospecting", "No",
         "2025-04-01 10:03:00", "2025-04-01 10:03:00", "", "", "0", "5100001", "2", "", "", ""],
        ["7100002", "2025-04-01 10:30:00", "20", "Nora Kato", "2001", "First call", "Outbound", "Prospecting", "No",
         "2025-04-01 10:31:00", "2025-04-01 10:31:00", "", "", "0", "5100002", "0", "", "", ""],
        ["7100003", "2025-04-02 14:00:00", "600", "Diego Rozario", "2002", "Product demo", "Outbound", "Demo", "Yes",
         "2025-04-02 14:11:00", "2025-04-03 09:00:00", "3300001", "1500001", "0", "", "10", "", "", ""],
        ["7100004", "2025-04-02 16:15:00", "300", "Diego Rozario", "2002", "Question about invoice", "Inbound",
         "Support", "No", "2025-04-02 16:20:00", "2025-04-02 16:20:00", "3300002", "1500002", "0", "", "5", "", "", ""],
        ["7100005", "2025-04-03 11:00:00", "45", "Nora Kato", "2001", "Follow-up", "Outbound", "Prospecting", "No",
         "2025-04-03 11:01:00", "2025-04-03 11:01:00", "", "", "0", "5100003", "1", "", "", ""],
        ["7100006", "2025-04-03 15:40:00", "1260", "Clara Santa Cruz", "2003", "Negotiation call", "Outbound",
         "Negotiation", "Yes", "2025-04-03 16:02:00", "2025-04-04 10:00:00", "3300003", "1500003", "2400001", "",
         "21", "", "", ""],
    ]
    write("zoho_calls.csv", csv_text(rows), "utf-8")


ZOHO_POTENTIALS_HEADER = ["Potential Name", "Potential Owner", "Created Time", "Closing Date", "Amount",
                          "Expected Revenue", "Stage", "Forecast Type", "Type", "Lead Source", "Probability",
                          "Age in Days", "Age Tier", "Amount Tier", "LEADID", "Tasks Involved", "Events Involved",
                          "Calls Involved", "Activities Involved", "Campaign Id"]


def zoho_potentials() -> None:
    """Zoho CRM Potentials (deals) as in the zoho-crm-sample: no record id, person names with a
    comma, `15 Apr, 2021 00:02:00` dates, `$22,700.00` amounts; our own rows."""
    rows = [
        ZOHO_POTENTIALS_HEADER,
        ["Ono, Mika", "Nora Kato", "01 Apr, 2025 10:00:00", "30 Apr, 2025 00:00:00", "$22,700.00", "$22,700.00",
         "Closed Won", "Won", "New Business", "Advertisement", "100", "29", "1. 0 - 60 days", "3. $20,001 - $30K",
         "5100001", "No", "No", "Yes", "Yes", "24000101"],
        ["Baker, Tom", "Nora Kato", "02 Apr, 2025 09:15:00", "15 May, 2025 00:00:00", "$8,400.00", "$0.00",
         "Closed Lost", "Lost", "New Business", "Cold Call", "0", "43", "1. 0 - 60 days", "1. $0 - $10K",
         "5100002", "No", "No", "Yes", "Yes", "24000101"],
        ["Ishida, Ken", "Diego Rozario", "03 Apr, 2025 11:30:00", "30 Jun, 2025 00:00:00", "$31,000.00",
         "$9,300.00", "Needs Analysis", "Open", "Existing Business", "Employee Referral", "30", "88",
         "2. 61 - 120 days", "4. $30,001 - $40K", "5100003", "Yes", "No", "Yes", "Yes", "24000102"],
        ["Garcia, Ana", "Diego Rozario", "07 Apr, 2025 16:45:00", "31 May, 2025 00:00:00", "$12,500.00",
         "$8,750.00", "Negotiation/Review", "Open", "New Business", "Web Download", "70", "54", "1. 0 - 60 days",
         "2. $10,001 - $20K", "5100004", "No", "Yes", "Yes", "Yes", "24000103"],
        ["Mori, Yui", "Clara Santa Cruz", "08 Apr, 2025 13:00:00", "25 Apr, 2025 00:00:00", "$4,990.00",
         "$4,990.00", "Closed Won", "Won", "Existing Business", "Partner", "100", "17", "1. 0 - 60 days",
         "1. $0 - $10K", "5100005", "No", "No", "No", "No", "24000104"],
        ["Okafor, Chidi", "Clara Santa Cruz", "10 Apr, 2025 10:20:00", "31 Jul, 2025 00:00:00", "$45,000.00",
         "$4,500.00", "Qualification", "Open", "New Business", "Trade Show", "10", "112", "2. 61 - 120 days",
         "5. $40,001 - $50K", "5100006", "No", "No", "Yes", "Yes", "24000105"],
    ]
    write("zoho_potentials.csv", csv_text(rows), "utf-8")


def mazrica_deals() -> None:
    """Mazrica (Senses) deal list downloaded as CSV for Excel: CP932, CRLF, Japanese labels of the
    deal's basic fields, dates 2025年4月1日, one amount typed with full-width digits."""
    rows = [
        ["案件ID", "取引先名", "案件名", "案件タイプ", "担当者", "フェーズ", "契約確度", "契約金額", "契約予定日", "作成日"],
        ["381001", "㈱サンプル商事", "基幹システム刷新", "新規", "髙橋 一郎", "受注", "A", "１２０００００",
         "2025年4月25日", "2025年4月1日"],
        ["381002", "東和工業㈱", "保守契約更新", "既存", "髙橋 一郎", "失注", "C", "850000", "2025年4月30日",
         "2025年4月2日"],
        ["381003", "株式会社ミナト", "全社展開", "新規", "佐藤 花子", "提案", "B", "3000000", "2025年6月30日",
         "2025年4月3日"],
        ["381004", "有限会社ヤマ", "トライアル", "新規", "山田 太郎", "ヒアリング", "C", "480000", "2025年5月31日",
         "2025年4月7日"],
        ["381005", "㈲丸一", "追加ライセンス", "既存", "佐藤 花子", "受注", "A", "760000", "2025年4月28日",
         "2025年4月8日"],
        ["381006", "髙野電機株式会社", "新拠点導入", "新規", "山田 太郎", "アプローチ", "D", "5500000",
         "2025年7月31日", "2025年4月10日"],
    ]
    write("mazrica_deals_cp932.csv", csv_text(rows, newline="\r\n"), "cp932")


def kintone_calls() -> None:
    """A kintone call-log app exported to Excel and saved as "Unicode text": UTF-16 LE with BOM,
    TAB separated, CRLF; kintone's own fields (レコード番号, 作成日時, 作成者, 更新日時, 更新者)
    plus the app's Japanese fields; durations typed by people (2分15秒, 45秒, 1分)."""
    rows = [
        ["レコード番号", "作成日時", "作成者", "更新日時", "更新者", "会社名", "担当者", "対応種別", "通話結果", "通話時間",
         "メモ"],
        ["101", "2025-04-01 10:05", "髙橋 一郎", "2025-04-01 10:06", "髙橋 一郎", "㈱サンプル商事", "髙橋 一郎", "電話",
         "接続", "2分15秒", "担当者と会話"],
        ["102", "2025-04-01 10:40", "髙橋 一郎", "2025-04-01 10:40", "髙橋 一郎", "東和工業㈱", "髙橋 一郎", "電話",
         "受付ブロック", "45秒", ""],
        ["103", "2025-04-02 13:10", "佐藤 花子", "2025-04-02 13:30", "佐藤 花子", "株式会社ミナト", "佐藤 花子", "電話",
         "アポ獲得", "7分", "4/10 訪問"],
        ["104", "2025-04-02 15:00", "佐藤 花子", "2025-04-02 15:00", "佐藤 花子", "株式会社ミナト", "佐藤 花子", "メール",
         "", "", "資料送付"],
        ["105", "2025-04-03 09:20", "山田 太郎", "2025-04-03 09:21", "山田 太郎", "有限会社ヤマ", "山田 太郎", "電話",
         "不在", "0秒", "再架電"],
        ["106", "2025-04-03 11:00", "山田 太郎", "2025-04-03 11:02", "山田 太郎", "㈲丸一", "山田 太郎", "電話",
         "有効会話", "2:15", ""],
    ]
    write("kintone_calls_utf16.txt", csv_text(rows, delimiter="\t", newline="\r\n"), "utf-16-le", b"\xff\xfe")


def calltool_log() -> None:
    """A cloud call tool's log saved from a European-locale spreadsheet: `;` separated, ISO 8601
    times with offset, durations H:MM:SS, a free-text comment with a line break inside quotes."""
    rows = [
        ["id", "started_at", "ended_at", "direction", "user", "contact_id", "phone_number", "disposition", "duration",
         "comments"],
        ["c-90001", "2025-04-01T10:00:00+09:00", "2025-04-01T10:02:15+09:00", "outbound", "Kenji Sato", "L-2001",
         "+81 3-1234-5678", "Connected", "0:02:15", "Asked for a brochure"],
        ["c-90002", "2025-04-01T10:05:00+09:00", "2025-04-01T10:05:30+09:00", "outbound", "Kenji Sato", "L-2002",
         "+81 6-2345-6789", "No answer", "0:00:30", ""],
        ["c-90003", "2025-04-01T11:00:00+09:00", "2025-04-01T11:07:00+09:00", "outbound", "Yuki Tanaka", "L-2003",
         "+81 45-345-6789", "Meeting booked", "0:07:00", "Demo on 10 April\nbring the pricing sheet"],
        ["c-90004", "2025-04-01T11:30:00+09:00", "2025-04-01T11:30:40+09:00", "outbound", "Yuki Tanaka", "L-2004",
         "+81 52-456-7890", "Left voicemail", "0:00:40", ""],
        ["c-90005", "2025-04-02T01:15:00Z", "2025-04-02T01:16:05Z", "inbound", "Aiko Mori", "L-2005",
         "+81 92-567-8901", "Connected", "0:01:05", "Called back"],
        ["c-90006", "2025-04-02T14:00:00+09:00", "2025-04-02T14:00:10+09:00", "outbound", "Aiko Mori", "L-2006",
         "+81 11-678-9012", "Busy", "0:00:10", ""],
    ]
    write("calltool_log_semicolon.csv", csv_text(rows, delimiter=";", quoting=csv.QUOTE_MINIMAL), "utf-8")


def spreadsheet() -> None:
    """An Excel workbook kept by hand. Sheet 1 架電履歴: activities with real date-time cells.
    Sheet 2 リード: leads whose 獲得日 column holds bare Excel serial numbers (45748 = 2025-04-01)."""
    from openpyxl import Workbook

    book = Workbook()
    calls = book.active
    calls.title = "架電履歴"
    calls.append(["日時", "担当者", "チーム", "種別", "結果", "通話時間(秒)", "会社名"])
    for row in (
        [datetime(2025, 4, 1, 10, 0), "髙橋 一郎", "IS東日本", "電話", "接続", 135, "㈱サンプル商事"],
        [datetime(2025, 4, 1, 10, 30), "髙橋 一郎", "IS東日本", "電話", "不在", 0, "東和工業㈱"],
        [datetime(2025, 4, 1, 14, 0), "佐藤 花子", "IS西日本", "電話", "アポ獲得", 420, "株式会社ミナト"],
        [datetime(2025, 4, 2, 9, 45), "佐藤 花子", "IS西日本", "メール", None, None, "株式会社ミナト"],
        [datetime(2025, 4, 2, 11, 15), "山田 太郎", "IS東日本", "電話", "受付ブロック", 20, "有限会社ヤマ"],
        [datetime(2025, 4, 3, 16, 20), "山田 太郎", "IS東日本", "電話", "有効会話", 240, "㈲丸一"],
    ):
        calls.append(row)
    for cell in calls["A"][1:]:
        cell.number_format = "yyyy/mm/dd hh:mm"
    leads = book.create_sheet("リード")
    leads.append(["リードID", "獲得日", "流入経路", "ステータス", "担当者"])
    for row in (
        ["L-3001", 45748, "Web問い合わせ", "MQL", "髙橋 一郎"],
        ["L-3002", 45749, "展示会", "リード", "髙橋 一郎"],
        ["L-3003", 45750, "Web問い合わせ", "SQL", "佐藤 花子"],
        ["L-3004", 45753, "紹介", "MQL", "山田 太郎"],
        ["L-3005", 45754, "展示会", "リード", "佐藤 花子"],
    ):
        leads.append(row)
    book.properties.creator = "phasekpi fixtures"
    book.properties.created = datetime(2025, 4, 4)
    book.properties.modified = datetime(2025, 4, 4)
    book.save(HERE / "spreadsheet.xlsx")


if __name__ == "__main__":
    salesforce_report_ja_activities()
    salesforce_report_en_opportunities()
    hubspot_deals_en()
    hubspot_calls_ja()
    zoho_calls()
    zoho_potentials()
    mazrica_deals()
    kintone_calls()
    calltool_log()
    spreadsheet()
