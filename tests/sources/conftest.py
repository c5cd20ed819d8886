"""The built-in tools' fixtures are the security suite's: one sandbox layout, one server."""

from tests.security.conftest import builtin_server, layout

__all__ = ["builtin_server", "layout"]
