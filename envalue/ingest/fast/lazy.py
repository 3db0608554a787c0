"""A read-only list that builds its items on first use.

Why: an `IngestResult` carries a `Reading` object per accepted reading, but the ledger
commitments (roots, ids, totals, quality) do not need them; building a million Python
objects would cost as much as the rest of the fast path. The list is built the first
time anything reads it, and then compares, iterates and indexes like the `list` the
reference path returns (``LazyList == list`` holds both ways).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, overload

T = TypeVar("T")

__all__ = ["LazyList"]


class LazyList(Sequence[T]):
    """`factory()` is called once, on first access; `length` answers `len` before."""

    __slots__ = ("_factory", "_items", "_length")

    def __init__(self, factory: Callable[[], list[T]], length: int) -> None:
        self._factory: Callable[[], list[T]] | None = factory
        self._items: list[T] | None = None
        self._length = length

    @property
    def items(self) -> list[T]:
        if self._items is None:
            assert self._factory is not None
            self._items = self._factory()
            self._factory = None
        return self._items

    def __len__(self) -> int:
        return self._length if self._items is None else len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: Any) -> Any:
        return self.items[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyList):
            other = other.items
        if isinstance(other, list):
            return self.items == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as the plain list (built first): factories are not picklable."""
        return (list, (self.items,))

    def __repr__(self) -> str:
        return repr(self.items)
