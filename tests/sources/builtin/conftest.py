"""Fixtures of the built-in tools' tests: the security suite's (one sandbox layout, one server)."""

from __future__ import annotations

from tests.security.conftest import builtin_server, layout

__all__ = ["builtin_server", "layout"]
