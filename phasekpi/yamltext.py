"""YAML text parsed by libyaml's C loader when PyYAML was built with it (several times faster on
the locale, synonym and catalogue files read at every start), else by the pure-Python one; both
are the safe loader, so a user's file builds only plain values."""

from __future__ import annotations

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str | bytes) -> object:
    return yaml.load(text, Loader=SAFE_LOADER)
