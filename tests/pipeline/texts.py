"""Realistic text results for the pruning tests: a `git_log` like mcp-server-git's."""

from __future__ import annotations

import hashlib

AUTHORS = ("Maya Lindqvist", "Tom Okafor", "Priya Raman", "Release Bot")
SUBJECTS = (
    "Add RetryPolicy with a fixed number of attempts",
    "Retry on 502, 503 and 504 only",
    "CLI: --header may be given more than once",
    "Honour Retry-After in seconds and as an HTTP date",
    "Circuit breaker: open after N failures in a window",
    "Stream large downloads to disk instead of memory",
    "Per-request timeout overrides the client default",
)


def git_log(count: int = 50) -> str:
    """`git_log` as mcp-server-git sends it: records apart by two blank lines, a message body
    apart from its subject by one; every fourth commit has a body."""
    records = ["Commit history:"]
    for i in range(count):
        sha = hashlib.sha1(str(i).encode()).hexdigest()
        subject = f"{SUBJECTS[i % len(SUBJECTS)]} (change {i})"
        body = f"\n\nWhy change {i}: it fixes the report in #{100 + i}." if i % 4 == 1 else ""
        day = 28 - i // 3
        records.append(
            f"Commit: {sha}\nAuthor: {AUTHORS[i % 4]}\nDate: 2025-09-{day:02d} 08:{i:02d}:00+02:00\n"
            f"Message: {subject}{body}\n\n"
        )
    return "\n".join(records)
