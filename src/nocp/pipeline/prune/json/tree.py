"""Nested trees — a directory tree, an outline, a menu: `[{name, type, children: [...]}, ...]` —
pruned breadth-first, the first lossy JSON step.

Every level is shown whole before anything below it: the top-level entries all, then the
entries of as many top-level nodes as fit (each node's entries complete or not at all), then
the next level. A node whose entries are left out keeps them as a count (`"… 37 entries"`),
and since every list shown is complete, positions are the original's: the agent fetches a
subtree with `nocp_expand(path="[10].children[3].children")`.

With a focus, the nodes whose path (their own scalars under those of their ancestors, as
`lib/vocabularies/jtd/optionalProperties.ts`) is most relevant are opened to first: each
ancestor's entries shown — the nodes as good as the best first, the cheapest to reach first,
as far as the allowance goes; then the others, best first, in half of it; then the rest
breadth-first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeGuard

from nocp.pipeline import relevance
from nocp.pipeline.budget import Budget
from nocp.pipeline.encode import to_compact_json
from nocp.pipeline.markers import join_path, marker
from nocp.pipeline.model import CallContext, JSONObject, JSONValue, Payload
from nocp.pipeline.prune.fitting import fill

_MIN_NODES = 2
"""A tree has at least this many times as many nodes as it has top-level entries."""

_SAMPLE = 100
"""Entries looked at to tell a tree from records."""
_FOCUSED = 24
"""Most relevant nodes opened to first, with a focus."""
_FOCUS_SHARE = 0.5
"""Share of the allowance the paths to the others than the best may take."""
_NEAR_BEST = 0.9
"""Nodes scoring at least this share of the best are as good as the best."""

Path = tuple[int, ...]


def prune_tree(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Keep the top of a nested tree, level by level, as much as the budget holds."""
    roots, key = _tree(payload.value)
    if key is None:
        return payload
    tree = _Tree(roots, key)
    if ctx.query:
        tree.focus(ctx.query)
    return fill(
        lambda size: tree.render(payload, tree.expanded(size), ctx.handle), budget, budget.chars(payload)
    )


def _tree(value: JSONValue) -> tuple[list[JSONObject], str | None]:
    """The top-level entries and the key holding each node's entries (None: not a tree).

    A tree nests: some entries of entries hold entries under the same key, and look like
    their parents (a key in common) — a commit's `parents` list is not a tree.
    """
    if not _is_nodes(value):
        return [], None
    if any("#" in node for node in value):  # rows already set aside: positions are not the original's
        return [], None
    sample = value[:_SAMPLE]  # a tree shows itself in its first entries; checking all costs
    for key in dict.fromkeys(k for node in sample for k, v in node.items() if _is_nodes(v)):
        shared = {k for node in sample for k in node} - {key}
        children = [c for node in sample for c in _entries(node, key)]
        if not any(_entries(c, key) for c in children) or not any(shared & c.keys() for c in children):
            continue
        if sum(1 for _ in _walk(value, key)) >= _MIN_NODES * len(value):
            return value, key
    return [], None


def _is_nodes(value: JSONValue) -> TypeGuard[list[JSONObject]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _entries(node: JSONObject, key: str) -> list[JSONObject]:
    """The node's own entries ([] for a leaf)."""
    entries = node.get(key)
    return entries if _is_nodes(entries) else []


def _walk(nodes: list[JSONObject], key: str) -> Iterator[JSONObject]:
    for node in nodes:
        yield node
        yield from _walk(_entries(node, key), key)


@dataclass
class _Tree:
    """A tree and the cost, in characters, of showing each node's entries (computed once)."""

    roots: list[JSONObject]
    key: str
    costs: dict[Path, int] = field(default_factory=dict)
    totals: dict[int, int] = field(default_factory=dict)
    """Nodes below each node, by the node's id()."""
    relevant: list[Path] = field(default_factory=list)
    """With a focus: the most relevant nodes, those near the best first (the cheapest to
    open to first), then the others best first."""
    best: int = 0
    """How many of `relevant` are near the best."""

    def focus(self, query: str) -> None:
        """Rank the nodes by the relevance of their path's scalars to `query`."""
        paths, texts = self._path_texts()
        ranked = relevance.scores(texts, query)
        order = sorted(range(len(paths)), key=lambda i: (-ranked[i], i))[:_FOCUSED]
        order = [i for i in order if ranked[i] > 0]
        best = [i for i in order if ranked[i] >= ranked[order[0]] * _NEAR_BEST]
        best.sort(key=lambda i: (self.reach(paths[i]), i))
        self.relevant = [paths[i] for i in best] + [paths[i] for i in order if i not in set(best)]
        self.best = len(best)

    def _path_texts(self) -> tuple[list[Path], list[str]]:
        """Every node's path, and its text: its own scalars under its ancestors'."""
        paths: list[Path] = []
        texts: list[str] = []
        stack: list[tuple[Path, str]] = [((i,), "") for i in reversed(range(len(self.roots)))]
        while stack:
            path, above = stack.pop()
            node = self.node(path)
            own = " ".join(str(v) for k, v in node.items() if not isinstance(v, dict | list))
            text = f"{above} / {own}" if above else own
            paths.append(path)
            texts.append(text)
            entries = _entries(node, self.key)
            stack.extend(((*path, i), text) for i in reversed(range(len(entries))))
        return paths, texts

    def reach(self, path: Path) -> int:
        """Characters of the entries of every node above `path`."""
        return sum(self.cost(path[:n]) for n in range(1, len(path)))

    def node(self, path: Path) -> JSONObject:
        """The node at `path`."""
        nodes = self.roots
        for index in path[:-1]:
            nodes = _entries(nodes[index], self.key)
        return nodes[path[-1]]

    def children(self, path: Path) -> list[JSONObject]:
        """The entries of the node at `path` ([] for a leaf)."""
        nodes = self.roots
        for index in path:
            nodes = _entries(nodes[index], self.key)
        return nodes

    def cost(self, path: Path) -> int:
        """Characters of the node's entries shown without their own entries."""
        if path not in self.costs:
            self.costs[path] = len(to_compact_json([self.shallow(c) for c in self.children(path)]))
        return self.costs[path]

    def shallow(self, node: JSONObject) -> JSONObject:
        """A node with its entries as a count."""
        entries = self.entries(node)
        if entries is None:
            return node
        total = self.below(node)
        count = f"… {len(entries):,} entr{'y' if len(entries) == 1 else 'ies'}"
        count += f", {total:,} in all" if total > len(entries) else ""
        return {**node, self.key: count}

    def entries(self, node: JSONObject) -> list[JSONObject] | None:
        """The node's own entries (None for a leaf)."""
        return _entries(node, self.key) or None

    def below(self, node: JSONObject) -> int:
        """How many nodes there are below `node`, at any depth."""
        if id(node) not in self.totals:
            self.totals[id(node)] = sum(1 for _ in _walk(_entries(node, self.key), self.key))
        return self.totals[id(node)]

    def expanded(self, allowance: int) -> set[Path]:
        """The nodes whose entries are shown: breadth-first, a level whole before the next."""
        shown: set[Path] = set()
        used = self.cost(())
        for rank, path in enumerate(self.relevant):  # the ancestors of the best nodes, entries whole
            above = [path[:n] for n in range(1, len(path)) if path[:n] not in shown]
            extra = sum(self.cost(p) for p in above)
            if used + extra <= allowance * (1.0 if rank < self.best else _FOCUS_SHARE):
                used += extra
                shown.update(above)
        level: list[Path] = [(i,) for i, node in enumerate(self.roots) if _entries(node, self.key)]
        while level and used <= allowance:
            complete, following = True, []
            for path in level:
                if path not in shown:
                    if used + self.cost(path) > allowance:
                        complete = False
                        continue
                    used += self.cost(path)
                    shown.add(path)
                entries = self.children(path)
                following += [(*path, i) for i, c in enumerate(entries) if _entries(c, self.key)]
            level = following if complete else []
        return shown

    def render(self, payload: Payload, shown: set[Path], handle: str) -> Payload:
        """The tree with the entries of `shown` nodes, the others as counts, and one marker."""
        omitted: list[Path] = []
        value: list[JSONValue] = [self._node(node, (i,), shown, omitted) for i, node in enumerate(self.roots)]
        if not omitted:
            return payload
        hidden = sum(sum(1 for _ in _walk(self.children(p), self.key)) for p in omitted)
        total = sum(1 for _ in _walk(self.roots, self.key))
        what = (
            f'{hidden:,} of {total:,} entries omitted: the "{self.key}" of {len(omitted):,} nodes, '
            f'shown as "… N entries"; fetch any by its position, e.g.'
        )
        example = min(omitted, key=len)  # the shallowest, first
        return payload.evolve(value, marker(what, handle, self.path(example)))

    def _node(self, node: JSONObject, path: Path, shown: set[Path], omitted: list[Path]) -> JSONValue:
        entries = self.entries(node)
        if entries is None:
            return node
        if path not in shown:
            omitted.append(path)
            return self.shallow(node)
        kept: list[JSONValue] = [self._node(c, (*path, i), shown, omitted) for i, c in enumerate(entries)]
        return {**node, self.key: kept}

    def path(self, path: Path) -> str:
        """The JMESPath of a node's entries."""
        text = f"[{path[0]}]"
        for index in path[1:]:
            text = f"{join_path(text, self.key)}[{index}]"
        return join_path(text, self.key)
