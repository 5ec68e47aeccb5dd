"""Who may do what with the team's data: roles, what each role may do, and the access list.

Roles (issue 18): an *owner* changes settings, targets and the access list and may delete all data;
a *manager* adds and undoes uploads and answers the checklist; a *viewer* reads and downloads the
Excel sheet. Each role may do everything of the roles below it. The access list names e-mail
addresses (`sato@example.co.jp`) or whole domains (`@example.co.jp`) with a role; an address's own
entry wins over its domain's. Nobody else gets in.

The list lives beside the workspace file (`access.json` in its folder), written whole and renamed
into place so that a reader never sees half of it. The CLI, run on the server by whoever has a
shell there, is not subject to it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

Role = Literal["viewer", "manager", "owner"]  # lowest first
ROLES: tuple[Role, ...] = get_args(Role)
Action = Literal["read", "download", "upload", "undo", "answer", "settings", "targets", "access", "delete_all"]
# What each role adds to the one below it; a role may do its own and everything below.
GRANTS: dict[Role, frozenset[Action]] = {
    "viewer": frozenset({"read", "download"}),
    "manager": frozenset({"upload", "undo", "answer"}),
    "owner": frozenset({"settings", "targets", "access", "delete_all"}),
}
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN = re.compile(r"^@[^@\s]+\.[^@\s]+$")


def may(role: Role | None, action: Action) -> bool:
    """Whether `role` may do `action`; nobody without a role may do anything."""
    if role is None:
        return False
    return any(action in GRANTS[r] for r in ROLES[:ROLES.index(role) + 1])


@dataclass(frozen=True)
class AccessList:
    """Entries (an address or `@domain`, lower case) with their role."""

    entries: dict[str, Role] = field(default_factory=dict)

    def role_of(self, email: str | None) -> Role | None:
        """The address's own role, else its domain's; None for a stranger or no address."""
        if not email or "@" not in email:
            return None
        address = email.strip().lower()
        return self.entries.get(address) or self.entries.get("@" + address.rsplit("@", 1)[1])

    @property
    def owners(self) -> list[str]:
        return sorted(entry for entry, role in self.entries.items() if role == "owner")


def entry_problem(entry: str) -> str | None:
    """Why an entry is neither an address nor `@domain` (the message key's parameter), or None."""
    text = entry.strip().lower()
    return None if ADDRESS.match(text) or DOMAIN.match(text) else text


def parse_entries(lines: str, role: Role) -> tuple[dict[str, Role], list[str]]:
    """One address or @domain per line (commas and spaces also separate) → entries, and the bad ones."""
    entries, bad = {}, []
    for part in re.split(r"[\s,;、]+", lines):
        if not part:
            continue
        if entry_problem(part) is None:
            entries[part.strip().lower()] = role
        else:
            bad.append(part)
    return entries, bad


def access_path(workspace_file: Path) -> Path:
    return workspace_file.parent / "access.json"


def read_access(path: Path) -> AccessList:
    """The saved list; an absent or unreadable file is an empty list (nobody admitted by login)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AccessList()
    entries = raw.get("entries") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        return AccessList()
    return AccessList({str(k).lower(): v for k, v in entries.items() if v in ROLES and entry_problem(str(k)) is None})


def write_access(path: Path, access: AccessList) -> None:
    """Write the whole list to a temporary file and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".access-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"entries": dict(sorted(access.entries.items()))}, out, ensure_ascii=False, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
