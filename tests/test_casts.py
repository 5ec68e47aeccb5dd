"""Text to typed values: timestamps with zones, every case written out (Asia/Tokyo is UTC+9)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from phasekpi import casts
from phasekpi.mapping import default_synonyms

PARSING = default_synonyms().parsing

# as exported → in Tokyo time (None: not a time we can place, so the row is rejected)
ZONED = [
    ("2025-04-01 10:00 UTC", datetime(2025, 4, 1, 19, 0)),
    ("2025-04-01 10:00:00 GMT", datetime(2025, 4, 1, 19, 0)),
    ("2025-04-01T10:00:00Z", datetime(2025, 4, 1, 19, 0)),
    ("2025-04-01 10:00 PST", datetime(2025, 4, 2, 3, 0)),  # PST is UTC−8 whatever the season
    ("2025-04-01 10:00 PDT", datetime(2025, 4, 2, 2, 0)),
    ("2025-04-01 10:00 EST", datetime(2025, 4, 2, 0, 0)),
    ("2025-04-01 10:00 JST", datetime(2025, 4, 1, 10, 0)),
    ("2025-04-01 10:00 America/New_York", datetime(2025, 4, 1, 23, 0)),  # EDT in April: UTC−4
    ("2025-04-01 10:00 Europe/London", datetime(2025, 4, 1, 18, 0)),  # BST: UTC+1
    ("2025-04-01T10:00:00+09:00", datetime(2025, 4, 1, 10, 0)),
    ("2025-04-01 10:00:00+0900", datetime(2025, 4, 1, 10, 0)),
    ("2025-04-01 10:00:00-05", datetime(2025, 4, 2, 0, 0)),
    ("2024-01-22T16:14:25.000+0000", datetime(2024, 1, 23, 1, 14, 25)),  # Salesforce Data Loader
    ("2025-04-01T10:00:00+15:00", None),  # no zone is 15 hours ahead
    ("2025-04-01T10:00:00+09:60", None),  # 60 minutes is the next hour, not an offset
    ("2025-04-01 10:00 XYZ", None),  # an abbreviation we do not know
    ("2025-04-01 10:00 CST", None),  # US Central or China: left out on purpose
    # no zone: as written (the team's own time)
    ("2025-04-01 10:00", datetime(2025, 4, 1, 10, 0)),
    ("15 Apr, 2021 00:02:00", datetime(2021, 4, 15, 0, 2)),
    ("2025/04/01", datetime(2025, 4, 1)),
    # a 12-hour clock (English-locale Salesforce and HubSpot): PM is 12 hours on, 12 AM is midnight
    ("4/1/2025 9:05 PM", datetime(2025, 4, 1, 21, 5)),
    ("04/01/2025 12:05 AM", datetime(2025, 4, 1, 0, 5)),
    ("04/01/2025 12:05 PM", datetime(2025, 4, 1, 12, 5)),
    ("4/1/2025 9:05:07 pm", datetime(2025, 4, 1, 21, 5, 7)),
    ("Apr 1, 2025 9:05 PM", datetime(2025, 4, 1, 21, 5)),
    ("2025-04-01 9:05 PM", datetime(2025, 4, 1, 21, 5)),  # DuckDB's own cast would read 9:05
]


@pytest.mark.parametrize(("text", "expected"), ZONED)
def test_timestamps_with_zones(text: str, expected: datetime | None) -> None:
    sql = casts.timestamp("v", PARSING.timezone, zones=PARSING.zones)
    assert duckdb.connect().execute(f"SELECT {sql} FROM (SELECT ? AS v)", [text]).fetchone()[0] == expected
