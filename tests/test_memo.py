"""The per-session memo: computed once per key, least recently used dropped first."""

from __future__ import annotations

from phasekpi.memo import Memo


def test_a_value_is_computed_once_per_key_and_the_least_recently_used_goes_first() -> None:
    calls: list[str] = []
    memo = Memo(size=2)

    def value(name: str) -> str:
        return memo.get(("kind", name), lambda: calls.append(name) or name.upper())

    assert [value("a"), value("b"), value("a")] == ["A", "B", "A"]
    assert calls == ["a", "b"]  # the second "a" came from the memo
    value("c")  # "b" is now the least recently used
    assert len(memo) == 2 and sorted(memo.values("kind")) == ["A", "C"]
    value("b")
    assert calls == ["a", "b", "c", "b"]
