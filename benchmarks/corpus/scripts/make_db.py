"""Build the SQLite database that the sqlite items query, from real data on this machine:
the installed Debian packages (`dpkg-query`) and the IEEE IAB registry (Debian's ieee-data).

Usage: python3 make_db.py OUT.sqlite IAB.csv
"""

import csv
import sqlite3
import subprocess
import sys
from pathlib import Path

FIELDS = "${Package}\t${Version}\t${Architecture}\t${Installed-Size}\t${Section}\t${Priority}\t${Maintainer}\n"


def main(out: Path, iab: Path) -> None:
    out.unlink(missing_ok=True)
    db = sqlite3.connect(out)
    db.execute(
        "CREATE TABLE packages (name TEXT PRIMARY KEY, version TEXT, architecture TEXT,"
        " installed_kb INTEGER, section TEXT, priority TEXT, maintainer TEXT)"
    )
    listed = subprocess.run(["dpkg-query", "-W", "-f", FIELDS], capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    db.executemany(
        "INSERT OR IGNORE INTO packages VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r[0], r[1], r[2], int(r[3] or 0), r[4], r[5], r[6]) for r in rows],
    )
    db.execute("CREATE TABLE iab (registry TEXT, assignment TEXT PRIMARY KEY, organization TEXT, address TEXT)")
    with iab.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        db.executemany("INSERT OR IGNORE INTO iab VALUES (?, ?, ?, ?)", (r[:4] for r in reader if len(r) >= 4))
    db.commit()
    db.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
