"""The lossy steps for JSON results, in their fixed order; each runs only while over budget.

0. prune nested trees breadth-first (`tree.py`);
1. drop noise fields (URL templates, derivable URLs, node ids, avatars, `drop_fields` globs);
2. hoist constant columns out of arrays of records;
   fold a nested document best branches first (`fold.py`): what follows does not run on it
   unless nothing fits;
3. flatten nested entities to their identifying field (`user` → `user.login`);
4. truncate long strings, marking what was cut;
5. keep a subset of rows (head and tail, the extremes, or the most relevant to the query);
6. limit depth.
"""

from __future__ import annotations

from nocp.pipeline.budget import LossyStep
from nocp.pipeline.prune.json.depth import limit_depth
from nocp.pipeline.prune.json.entities import flatten_entities, hoist_constants
from nocp.pipeline.prune.json.fold import fold_document
from nocp.pipeline.prune.json.noise import drop_noise
from nocp.pipeline.prune.json.rows import keep_rows
from nocp.pipeline.prune.json.strings import truncate_strings
from nocp.pipeline.prune.json.tree import prune_tree

__all__ = ["JSON_STEPS"]

JSON_STEPS: tuple[tuple[str, LossyStep], ...] = (
    ("prune_tree", prune_tree),
    ("drop_noise", drop_noise),
    ("hoist_constants", hoist_constants),
    ("fold_document", fold_document),
    ("flatten_entities", flatten_entities),
    ("truncate_strings", truncate_strings),
    ("keep_rows", keep_rows),
    ("limit_depth", limit_depth),
)
