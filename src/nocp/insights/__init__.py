"""What the stats say, for people: summaries over a window grouped by tool, upstream, day or
format (`summary.py`), rendered in the terminal by `nocp stats` (`cli/stats.py`)."""
