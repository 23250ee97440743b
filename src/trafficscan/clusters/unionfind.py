"""Union-find whose surviving root is always the oldest member: cluster ids stay stable.

A cluster is named after its founding ad (the first one added). When two clusters merge, the
one founded earlier keeps its name, so an id an analyst wrote in a case file keeps pointing
at the (now larger) group.
"""

from __future__ import annotations


class UnionFind:
    """Items are added in order; ``find`` returns the oldest item of the item's set."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._order: dict[str, int] = {}

    def add(self, item: str) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._order[item] = len(self._order)

    def __contains__(self, item: str) -> bool:
        return item in self._parent

    def find(self, item: str) -> str:
        root = item
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[item] != root:  # path compression
            self._parent[item], item = root, self._parent[item]
        return root

    def union(self, a: str, b: str) -> bool:
        """Join the sets of ``a`` and ``b``; True when they were apart."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self._order[rb] < self._order[ra]:
            ra, rb = rb, ra
        self._parent[rb] = ra  # the older root survives
        return True
