"""From headers to fields: units and formats in brackets, close names proposed (never mapped), files
of another kind refused, every date candidate found."""

from __future__ import annotations

import pytest

from phasekpi.mapping import date_candidates, default_synonyms, map_as, propose_mapping, split_unit

SYNONYMS = default_synonyms()

# header → (field it maps to, factor to the canonical unit)
UNIT_HEADERS = [
    ("Call duration (HH:mm:ss)", "duration_sec", 1.0),
    ("通話時間 (秒)", "duration_sec", 1.0),
    ("通話時間（分）", "duration_sec", 60.0),  # full-width brackets
    ("Duration (in seconds)", "duration_sec", 1.0),
    ("Duration (ms)", "duration_sec", 0.001),
    ("Call Duration (in minutes)", "duration_sec", 60.0),
    ("コールの所要時間", "duration_sec", 0.001),  # HubSpot's milliseconds, by its whole name
    ("Amount (JPY)", "amount", 1.0),
    ("金額(税抜)", "amount", 1.0),
    ("金額【千円】", "amount", 1000.0),
    ("契約金額(万円)", "amount", 10000.0),
]


@pytest.mark.parametrize(("header", "field_name", "factor"), UNIT_HEADERS)
def test_a_unit_in_brackets_maps_the_header_and_scales_it(header: str, field_name: str, factor: float) -> None:
    kind = "activities" if field_name == "duration_sec" else "opportunities"
    others = ["Call Start Time", "Call Owner"] if kind == "activities" else ["Opportunity ID", "Created Date"]
    assert map_as(kind, [*others, header]).columns[field_name] == header
    assert SYNONYMS.factor(field_name, header) == factor


@pytest.mark.parametrize(("header", "split"), [
    ("Call duration (HH:mm:ss)", ("Call duration", "hh:mm:ss")), ("金額（税抜）", ("金額", "税抜")),
    ("Amount", ("Amount", None)), ("(秒)", ("(秒)", None)),
])
def test_split_unit(header: str, split: tuple[str, str | None]) -> None:
    assert split_unit(header) == split


def test_an_unknown_unit_or_a_close_name_is_proposed_never_mapped() -> None:
    mapping = propose_mapping(["Call Start Time", "Call Owner", "Call duration (hours)", "Call outcomes"])
    assert "duration_sec" not in mapping.columns and "outcome" not in mapping.columns
    assert [(s.field, s.header, s.reason, s.params) for s in mapping.suggestions] == [
        ("duration_sec", "Call duration (hours)", "unknown_unit", {"unit": "hours"}),
        ("outcome", "Call outcomes", "similar_name", {"synonym": "calloutcome"})]


@pytest.mark.parametrize(("header", "other"), [
    (["Id", "Name", "Type", "BillingStreet", "BillingCity", "Industry", "OwnerId", "CreatedDate"], "accounts"),
    (["Id", "Name", "Type", "Status", "BudgetedCost", "ActualCost", "NumberSent", "OwnerId", "CreatedDate"], "campaigns"),
    (["Id", "CampaignId", "LeadId", "Status", "HasResponded", "FirstRespondedDate", "CreatedDate"], "campaign_members"),
    (["sales_agent", "manager", "regional_office"], "users"),
    (["product", "series", "sales_price"], "products"),
    (["Id", "LastName", "FirstName", "MailingStreet", "MailingCity", "LeadSource", "OwnerId", "CreatedDate"], "contacts"),
])
def test_files_of_another_kind_are_refused(header: list[str], other: str) -> None:
    assert propose_mapping(header).refused_as == other


@pytest.mark.parametrize("header", [
    # a Salesforce lead export has company facts too (Industry, AnnualRevenue …): still leads
    ["Id", "LastName", "Company", "Street", "City", "Industry", "AnnualRevenue", "NumberOfEmployees", "LeadSource",
     "Status", "OwnerId", "ConvertedOpportunityId", "CreatedDate"],
    # a deal carries its campaign: still a deal
    ["Id", "AccountId", "StageName", "Amount", "CloseDate", "CampaignId", "OwnerId", "CreatedDate"],
])
def test_our_own_exports_are_not_refused(header: list[str]) -> None:
    assert propose_mapping(header).refused_as is None


def test_every_date_candidate_in_the_synonyms_order() -> None:
    header = ["作成日", "件名", "期日", "任命先"]
    assert date_candidates("activities", header) == ["期日", "作成日"]
    assert propose_mapping(header).columns["occurred_at"] == "期日"


@pytest.mark.parametrize(("header", "field_name"), [
    ("EVENTID", "activity_id"), ("活動 ID", "activity_id"), ("Call ID", "activity_id"), ("Task ID", "activity_id"),
    ("ＴＡＳＫＩＤ", "activity_id"),  # full-width
])
def test_id_synonyms_from_the_vendors(header: str, field_name: str) -> None:
    assert map_as("activities", [header, "Start DateTime", "Event Owner"]).columns[field_name] == header


def test_direction_is_not_the_channel() -> None:
    mapping = propose_mapping(["TASKID", "Call Start Time", "Call Owner", "Call Type"])
    assert mapping.columns["direction"] == "Call Type" and "channel" not in mapping.columns
    assert mapping.constants == {"channel": "call"}  # a call log


@pytest.mark.parametrize(("header", "channel"), [
    (["TASKID", "Call Start Time", "Call Owner", "Call Type"], "call"),  # Zoho Calls: TASKID, yet calls
    (["EVENTID", "Event Owner", "Subject", "Start DateTime", "End DateTime"], "other"),  # Zoho Events: meetings
    (["Task Owner", "Subject", "Created Time", "Due Date", "Status"], "other"),  # Zoho Tasks: to-dos
    (["架電日時", "オペレーター", "通話秒数"], "call"),  # a dialer's log
])
def test_a_file_without_a_channel_is_a_call_log_unless_it_lists_events_or_to_dos(header: list[str],
                                                                                    channel: str) -> None:
    assert propose_mapping(header).constants == {"channel": channel}
