"""Persistent state in one SQLite file: the stats of every call (and, later, handles, cache)."""
