"""The distribution's name and version (`nocp --version`, the server's `serverInfo`)."""

from __future__ import annotations

DISTRIBUTION = "nocp-mcp"
"""The name on the package index: `nocp` there is another project, the import name stays `nocp`."""


def version() -> str:
    """The installed version of nocp ("0+unknown" when run from a tree that was never installed).

    Example:
        >>> version()  # doctest: +SKIP
        '0.1.0'
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"
