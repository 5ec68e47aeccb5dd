"""A small least-recently-used memo: one per browser session, for values computed from its data."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class Memo:
    """Values by key, computed on first use; beyond `size` entries the least recently used go first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key in self._values:
            self._values.move_to_end(key)
        else:
            self._values[key] = compute()
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return self._values[key]  # type: ignore[return-value]

    def values(self, kind: str) -> list[object]:
        """The values kept under keys whose first part is `kind` (for tests and inspection)."""
        return [value for key, value in self._values.items() if isinstance(key, tuple) and key[0] == kind]

    def __len__(self) -> int:
        return len(self._values)
