"""What nocp keeps: the stats of every call, the originals behind handles, the result and
distillation caches.

    base.py      the interface: a Protocol per concern, and `Stores`, the set a server holds
    sqlite.py    the SQLite back end (the embedded default): `sqlite_stores(path, …)`
    db.py        the SQLite file: WAL, busy timeout, numbered migrations (sqlite-utils)
    stats.py     `calls` rows and the aggregates behind nocp://stats
    handles.py   the originals, compressed, under their handles
    cache.py     the distillation and result caches
"""
