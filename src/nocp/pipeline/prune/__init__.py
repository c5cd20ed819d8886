"""Pruning, as three stages of the pipeline (see `nocp.pipeline.STAGES` for where each runs):

- `precut` (`precut.py`): huge JSON collections cut to what could ever fit, before any per-row work;
- `prune_lossless` (`lossless.py`): empty members and whitespace noise, always;
- `prune_lossy` (`lossy.py`): only while over the token budget, the steps of `json/` or `text/`,
  each leaving a marker that says what was omitted and how to get it back.
"""

from __future__ import annotations

from nocp.pipeline.prune.lossless import clean_text, drop_empty, prune_lossless
from nocp.pipeline.prune.lossy import prune_lossy
from nocp.pipeline.prune.precut import precut

__all__ = ["clean_text", "drop_empty", "precut", "prune_lossless", "prune_lossy"]
