"""Step — fold a nested document (an API description, a JSON Schema, package metadata, a
parsed config) to the budget, opening its branches best first.

A document is a value whose objects nest three deep or more. Its root is shown open; every
object or array below is folded (`"{…}"`, `"[…]"`) until it is opened, and the branches open
in order until the budget is spent: with a focus, the branches that hold the keys or values
it names first (an exact key or value before a longer one that merely contains the word),
then the rest breadth-first; without one, breadth-first — the top levels whole before
anything deeper. A branch too large to open whole shows its members best first and says how
many it leaves out (`"…": "1,204 more keys"`); strings are cut to what the budget allows.

Every folded value keeps its place, so its path in the original is its path here: one marker
names the handle and an example path, and `nocp_expand(path=…)` fetches any of them.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field

from nocp.pipeline import relevance
from nocp.pipeline.budget import Budget
from nocp.pipeline.encode import to_compact_json
from nocp.pipeline.markers import join_path, marker
from nocp.pipeline.model import CallContext, JSONValue, Payload, all_objects
from nocp.pipeline.prune.fitting import fill
from nocp.pipeline.prune.json.strings import cut_string
from nocp.pipeline.prune.json.walk import MIN_ROWS

FOLDED_OBJECT, FOLDED_ARRAY = "{…}", "[…]"
MORE = "…"
"""The key (or last item) saying how many members a partly shown branch leaves out."""
_DOCUMENT_DEPTH = 3
"""Objects nested this deep make a document (records with a nested object or two do not)."""
_SAMPLE = 50
_MAP_ROWS = 20
"""An object of more members than this, all objects, is a map of records (as `keep_rows` reads it)."""
_SMALL = 60
"""A branch this small (in characters) is shown whole with its parent: `{"type": "string"}`."""
_PARTIAL = 8
"""A branch of at least this many members that does not fit whole shows what fits."""
_MISSES = 64
_DEFERRED = 1.0
"""The rank of a large branch put off until everything that fits whole is shown."""
"""Branches that did not fit, in a row, after which the budget counts as spent."""
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w.$-]*[\w$]")


def fold_document(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Fold a nested document to the budget, best branches first (see the module)."""
    if not is_document(payload.value):
        return payload
    doc = _Document(payload.value, ctx.query)
    return fill(lambda size: doc.render(payload, size, ctx.handle), budget, budget.chars(payload))


def is_document(value: JSONValue) -> bool:
    """Whether an object holds an object that holds an object, outside arrays of records:
    records whose fields are objects (`user`, `head.repo.owner`) are rows, for the row steps;
    objects of objects are a document. A map of many objects (a lock file's packages, a
    document's schemas) counts like an array: its entries start a chain of their own."""
    stack: list[tuple[JSONValue, int]] = [(value, 1 if isinstance(value, dict) else 0)]
    while stack:
        node, chain = stack.pop()
        if chain >= _DOCUMENT_DEPTH:
            return True
        if isinstance(node, list):
            if len(node) >= MIN_ROWS and all_objects(node) and not any(map(_holds_map, node[:_SAMPLE])):
                continue  # rows (not the parts of a document, each holding a map of objects)
            stack.extend((c, 1 if isinstance(c, dict) else 0) for c in node if isinstance(c, dict | list))
        elif isinstance(node, dict):
            entries = len(node) > _MAP_ROWS and all(isinstance(m, dict) for m in node.values())
            if entries and _mostly_scalars(node):
                continue  # a map of records (a lock file's packages): rows
            for child in node.values():
                if isinstance(child, dict):
                    stack.append((child, 1 if entries else chain + 1))
                elif isinstance(child, list):
                    stack.append((child, 0))
    return False


def _holds_map(record: JSONValue) -> bool:
    """Whether a record holds, in its objects, a map of more than `_MAP_ROWS` objects with
    objects in them (an endpoints file's partitions each hold `services: {name: {...}}`)."""
    stack = [record]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            objects = [v for v in node.values() if isinstance(v, dict)]
            if len(objects) > _MAP_ROWS and not _mostly_scalars(node):
                return True
            stack.extend(objects)
    return False


def _mostly_scalars(entries: dict[str, JSONValue]) -> bool:
    """Whether the first entries of a map of objects hold at least half their characters in
    scalar members (records), not in nested objects (schemas, resources)."""
    scalar = total = 0
    for entry in list(entries.values())[:_SAMPLE]:
        for member in entry.values() if isinstance(entry, dict) else ():
            size = len(to_compact_json(member))
            total += size
            scalar += size if not isinstance(member, dict | list) else 0
    return scalar * 2 >= total


@dataclass(slots=True)
class _Branch:
    """One object or array of the document, with what ordering and costing it needs."""

    value: dict[str, JSONValue] | list[JSONValue]
    path: str
    depth: int
    order: int
    size: int = 0
    """Characters of the whole branch as compact JSON (estimated)."""
    score: float = 0.0
    """Relevance of the branch's own scalar members to the query."""
    best: float = 0.0
    """The best score in the branch (itself or below)."""
    children: dict[str | int, int] = field(default_factory=dict)
    """Member key (or index) → branch number, for members that are branches."""


class _Document:
    def __init__(self, value: JSONValue, query: str) -> None:
        self.root = value
        self.branches: list[_Branch] = []
        self._index(value, "", 0)
        self.query = query
        self.terms = relevance.terms(query) if query else []
        self.names = {m.group().lower() for m in _IDENTIFIER.finditer(query) if relevance.terms(m.group())}
        self._members: dict[int, dict[str | int, float]] = {}
        if query:
            self._score(query)

    def _index(self, value: JSONValue, path: str, depth: int) -> int:
        """Number every branch depth-first (parents before children) and size it."""
        assert isinstance(value, dict | list)
        number = len(self.branches)
        branch = _Branch(value, path, depth, number)
        self.branches.append(branch)
        size = 2
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            size += len(key) + 4 if isinstance(key, str) else 1
            if isinstance(child, dict | list) and child:
                branch.children[key] = self._index(child, join_path(path, key), depth + 1)
                size += self.branches[branch.children[key]].size
            else:
                size += _scalar_size(child)
        branch.size = size
        return number

    def _score(self, query: str) -> None:
        """Each branch's relevance (its own scalar members, under its last keys), an exact key
        or value named by the query ranking first; `best` is the best at or below."""
        texts = [_own_text(b) for b in self.branches]
        scores = relevance.scores(texts, query)
        top = max(scores, default=0.0)
        for branch, score in zip(self.branches, scores, strict=True):
            exact = self.names & _exact_words(branch)
            branch.score = score + (top * len(exact) if score > 0 else 0.0)
        for branch in reversed(self.branches):  # children come after their parent
            branch.best = max([branch.score, *(self.branches[c].best for c in branch.children.values())])

    def render(self, payload: Payload, allowance: int, handle: str) -> Payload:
        """The document with the branches that fit `allowance` characters open."""
        plan = _Plan(self, allowance)
        plan.run()
        value = plan.build(0)
        markers = plan.markers(handle)
        return payload.evolve(value, *markers) if markers else payload

    def member_scores(self, branch: _Branch, keys: list[str | int]) -> dict[str | int, float]:
        """Relevance of each scalar member of a large branch (`key value`), an exact key or
        value named by the query first (computed once per branch)."""
        if branch.order not in self._members:
            values = branch.value
            texts = [f"{k if isinstance(k, str) else ''} {values[k]}" for k in keys]  # type: ignore[index]
            scores = relevance.scores(texts, self.query)
            top = max(scores, default=0.0)
            exact = [
                bool({str(k).lower(), str(values[k]).lower()} & self.names)  # type: ignore[index]
                for k in keys
            ]
            self._members[branch.order] = {
                k: score + (top if hit and score > 0 else 0.0)
                for k, score, hit in zip(keys, scores, exact, strict=True)
            }
        return self._members[branch.order]


class _Plan:
    """Which members of which branches show for one allowance, and the value that makes.

    With a query, a branch that holds its words opens first in part — its scalar members and
    the branches below that hold the words — and the rest of it later, breadth-first with
    everything else, as far as the allowance goes.
    """

    def __init__(self, doc: _Document, allowance: int) -> None:
        self.doc = doc
        self.left = allowance
        self.limit = max(80, allowance // 30)
        """Characters a string keeps (four times as many where the query's words are)."""
        self.shown: dict[int, dict[str | int, None]] = {}
        """Opened branch → the members it shows (all of them, or some)."""
        self.cut = 0
        self.cut_example = ""
        self.folded: list[int] = []
        """The folded branches the built value shows, in the order built."""
        self._pending: dict[int, list[str | int]] = {}
        """Relevant branch → its relevant branches below not yet shown, best first."""

    def run(self) -> None:
        """Best first: with a query, one relevant branch at a time (the globally best next),
        each opened with its scalar members; then breadth-first, large branches last."""
        heap = [self._priority(0)]
        misses, deferred = 0, 0
        while heap and misses < _MISSES and self.left > 0:
            rank, depth, _, number = heapq.heappop(heap)
            branch = self.doc.branches[number]
            if rank < 0:
                added = self._show(branch, self._next_relevant(branch), self.left)
                following = self._pending.get(number)
                if following:  # its next best branch, when its turn comes
                    best = self.doc.branches[branch.children[following[0]]].best
                    heapq.heappush(heap, (-best, depth, 0, number))
                else:  # the rest of it, breadth-first with everything else
                    heapq.heappush(heap, (0.0, depth, branch.size, number))
            else:
                if rank == _DEFERRED:
                    deferred -= 1
                elif self._too_large(branch):
                    heapq.heappush(heap, (_DEFERRED, depth, branch.size, number))  # after all that fits
                    deferred += 1
                    continue
                share = self.left // (deferred + 1) if rank == _DEFERRED else self.left
                added = self._show(branch, None, share)
            if not added:
                misses += 1
                continue
            misses = 0
            for key in added:
                child = branch.children.get(key)
                if child is not None and self.doc.branches[child].size > _SMALL:
                    heapq.heappush(heap, self._priority(child))

    def _best(self, branch: _Branch, key: str | int) -> float:
        return self.doc.branches[branch.children[key]].best

    def _priority(self, number: int) -> tuple[float, int, int, int]:
        """Best first; then shallower first, and at one depth the smaller first (more of them
        fit); then in order."""
        branch = self.doc.branches[number]
        return (-branch.best, branch.depth, 0 if branch.best > 0 else branch.size, number)

    def _next_relevant(self, branch: _Branch) -> list[str | int]:
        """What a relevant branch shows next: the first time its scalar members (only the
        relevant ones of a large map), and each time its next best branch below."""
        number = branch.order
        wanted: list[str | int] = []
        if number not in self._pending:
            keys = _keys(branch.value)
            below = [k for k in keys if k in branch.children and self._best(branch, k) > 0]
            below.sort(key=lambda k: -self.doc.branches[branch.children[k]].best)
            self._pending[number] = below
            wanted = [k for k in keys if k not in branch.children]
            if len(wanted) >= _PARTIAL:
                scores = self.doc.member_scores(branch, wanted)
                wanted = sorted((k for k in wanted if scores[k] > 0), key=lambda k: -scores[k])
        pending = self._pending[number]
        if pending:
            wanted.append(pending.pop(0))
        return wanted

    def _too_large(self, branch: _Branch) -> bool:
        """A large branch that does not fit whole: shown in part, after everything that fits."""
        if len(branch.value) < _PARTIAL or branch.order == 0:
            return False
        shown = self.shown.get(branch.order, {})
        return sum(self._cost(branch, k) for k in _keys(branch.value) if k not in shown) > self.left

    def _show(self, branch: _Branch, wanted: list[str | int] | None, room: int) -> list[str | int]:
        """Show more members of a branch: `wanted` ones, or else all the rest if they fit,
        else — for a large branch or the root — as many as fit in `room`, best first.
        Returns the members added (none: the branch stays as it was)."""
        shown = self.shown.setdefault(branch.order, {})
        rest = [k for k in (wanted if wanted is not None else _keys(branch.value)) if k not in shown]
        costs = {key: self._cost(branch, key) for key in rest}
        opening = 2 + len(MORE) + 24 if not shown else 0
        if wanted is None and sum(costs.values()) + opening <= self.left:
            added = rest
        elif wanted is None and len(branch.value) < _PARTIAL and branch.order != 0 and not shown:
            added = []
        else:
            added, room = [], min(room, self.left) - opening
            for key in rest if wanted is not None else self._members_best_first(branch, rest):
                if costs[key] <= room or (not added and not shown):
                    added.append(key)
                    room -= costs[key]
        if not added and not shown:
            del self.shown[branch.order]
            return []
        self.left -= opening + sum(costs[k] for k in added)
        shown.update(dict.fromkeys(added))
        return added

    def _members_best_first(self, branch: _Branch, keys: list[str | int]) -> list[str | int]:
        """Members that hold the query's words first (best first), then in order; an array's
        tail after its head (two from the head for one from the tail)."""
        scored = sorted(
            (k for k in keys if k in branch.children and self.doc.branches[branch.children[k]].best > 0),
            key=lambda k: -self.doc.branches[branch.children[k]].best,
        )
        rest = keys if isinstance(branch.value, dict) else _head_then_tail(keys)
        return list(dict.fromkeys([*scored, *rest]))

    def _cost(self, branch: _Branch, key: str | int) -> int:
        name = len(key) + 4 if isinstance(key, str) else 1
        child = branch.children.get(key)
        if child is not None:
            size = self.doc.branches[child].size
            return name + (size if size <= _SMALL else len(FOLDED_OBJECT) + 2)
        value = branch.value[key]  # type: ignore[index]
        if isinstance(value, str):
            return name + min(len(value), self._string_limit(branch)) + 2
        return name + _scalar_size(value)

    def _string_limit(self, branch: _Branch) -> int:
        return self.limit * 4 if branch.score > 0 else self.limit

    def build(self, number: int) -> JSONValue:
        """The value of a branch as planned: open members built, the others folded."""
        branch = self.doc.branches[number]
        if number not in self.shown:
            self.folded.append(number)
            return FOLDED_OBJECT if isinstance(branch.value, dict) else FOLDED_ARRAY
        wanted = self.shown[number]
        if isinstance(branch.value, dict):
            members = {k: self._member(branch, k) for k in branch.value if k in wanted}
            omitted = len(branch.value) - len(members)
            if omitted:
                members[MORE] = f"{omitted:,} more keys"
            return members
        return self._items(branch, sorted(int(k) for k in wanted))

    def _items(self, branch: _Branch, kept: list[int]) -> list[JSONValue]:
        """An array's kept items in their places; a gap says which positions it stands for."""
        items: list[JSONValue] = []
        previous = -1
        for index in kept:
            if index > previous + 1:
                items.append(f"{MORE} items [{previous + 1}:{index}]")
            items.append(self._member(branch, index))
            previous = index
        if previous < len(branch.value) - 1:
            items.append(f"{MORE} items [{previous + 1}:{len(branch.value)}]")
        return items

    def _member(self, branch: _Branch, key: str | int) -> JSONValue:
        child = branch.children.get(key)
        value = branch.value[key]  # type: ignore[index]
        if child is not None:
            small = self.doc.branches[child].size <= _SMALL
            return value if small else self.build(child)
        if isinstance(value, str):
            limit = self._string_limit(branch)
            cut = cut_string(value, limit, self.doc.terms if branch.score > 0 else [])
            if cut is not value:
                self.cut += 1
                self.cut_example = self.cut_example or join_path(branch.path, key)
            return cut
        return value

    def markers(self, handle: str) -> list[str]:
        """One marker for the folds and the members left out, one for the strings cut."""
        partial = sum(1 for n, shown in self.shown.items() if len(shown) < len(self.doc.branches[n].value))
        notes = []
        if self.folded or partial:
            parts = (
                [f'{len(self.folded):,} branches folded as "{FOLDED_OBJECT}" or "{FOLDED_ARRAY}"']
                if self.folded
                else []
            )
            parts += [f'{partial:,} shown in part (see "{MORE}")'] if partial else []
            example = min(self.folded, key=self._priority) if self.folded else 0
            what = "; ".join(parts) + "; fetch any by its path, e.g."
            notes.append(marker(what, handle, self.doc.branches[example].path or "@"))
        if self.cut:
            notes.append(marker(f'{self.cut:,} strings cut where "…(+N chars)"', handle, self.cut_example))
        return notes


def _keys(value: dict[str, JSONValue] | list[JSONValue]) -> list[str | int]:
    return list(value) if isinstance(value, dict) else list(range(len(value)))


def _head_then_tail(keys: list[str | int]) -> list[str | int]:
    order: list[str | int] = []
    head, tail = 0, len(keys) - 1
    while head <= tail:
        order += keys[head : min(head + 2, tail + 1)]
        head += 2
        if head <= tail:
            order.append(keys[tail])
            tail -= 1
    return order


def _scalar_size(value: JSONValue) -> int:
    if isinstance(value, str):
        return len(value) + 2
    if value is None or isinstance(value, bool):
        return 5
    return len(str(value))


def _own_text(branch: _Branch) -> str:
    """What relevance reads of a branch: the last keys of its path and its scalar members."""
    tail = " ".join([key for key in re.split(r"[.\[\]\"]+", branch.path) if key][-3:])
    items = branch.value.items() if isinstance(branch.value, dict) else enumerate(branch.value)
    own = " ".join(
        f"{k if isinstance(k, str) else ''} {str(v)[:400]}"
        for k, v in items
        if not isinstance(v, dict | list)
    )
    return f"{tail} {own}".strip()


def _exact_words(branch: _Branch) -> set[str]:
    """The keys and short scalar values of a branch (and its own key), lowercased."""
    words = {branch.path.rsplit(".", 1)[-1].strip('"').lower()}
    items = branch.value.items() if isinstance(branch.value, dict) else enumerate(branch.value)
    for key, value in items:
        if isinstance(key, str):
            words.add(key.lower())
        if isinstance(value, str) and len(value) <= 80:
            words.add(value.lower())
    return words
