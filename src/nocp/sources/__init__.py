"""Where tools come from. Every source meets one contract: `Source` in `base.py`."""
