"""The settings of the built-in tools, `[builtins]`: the sandbox roots and each group's limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


BUILTIN_GROUPS: dict[str, tuple[str, ...]] = {
    "files": ("read_file", "list_directory", "directory_tree"),
    "search": ("search_text",),
    "sqlite": ("query_sqlite",),
    "http": ("http_get",),
}
"""The built-in tools by group; `[builtins] disabled` takes group or tool names."""


class FilesSettings(_Section):
    """Limits of `read_file`, `list_directory` and `directory_tree`."""

    max_file_bytes: int = Field(default=8_000_000, gt=0)
    max_entries: int = Field(default=2_000, gt=0)
    max_depth: int = Field(default=20, gt=0)


class SearchSettings(_Section):
    """Bounds of `search_text`: files scanned, matches returned, seconds spent."""

    max_files: int = Field(default=5_000, gt=0)
    max_matches: int = Field(default=200, gt=0)
    max_file_bytes: int = Field(default=2_000_000, gt=0)
    timeout_s: float = Field(default=10.0, gt=0)


class SqliteSettings(_Section):
    """Bounds of `query_sqlite`."""

    max_rows: int = Field(default=500, gt=0)
    max_bytes: int = Field(default=5_000_000, gt=0)
    """Of text and blobs in one result; a single value longer than this is an error."""
    timeout_s: float = Field(default=20.0, gt=0)


class HttpSettings(_Section):
    """Bounds of `http_get`, and the non-public addresses it may reach anyway.

    `allow_networks` lists addresses or CIDR ranges (`"127.0.0.1"`, `"10.0.0.0/8"`) that are
    reachable although loopback, private, link-local or reserved; everything else non-public is
    refused after DNS resolution and again on every redirect.
    """

    timeout_s: float = Field(default=15.0, gt=0)
    max_bytes: int = Field(default=5_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    allow_networks: tuple[str, ...] = ()
    user_agent: str = "nocp"
    host_headers: dict[str, dict[str, str]] = {}
    """Headers added to every request to a host, by host name: credentials the agent never
    sees (`[builtins.http.host_headers."api.example.com"] Authorization = "Bearer …"`)."""

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)"
                ) from None
        return value


class BuiltinsSettings(_Section):
    """The built-in tools (files, search, SQLite, HTTP) and the sandbox they read in.

    `roots` are the directories the tools may read (default: the working directory at start;
    `nocp serve --root DIR` overrides). `disabled` switches off groups (`files`, `search`,
    `sqlite`, `http`) or single tools by name; `enabled = false` switches them all off.
    """

    enabled: bool = True
    roots: tuple[Path, ...] = ()
    disabled: tuple[str, ...] = ()
    allow_hard_links: bool = False
    """Read regular files with more than one hard link (refused by default: a hard link can
    make a file outside the roots appear inside them)."""
    files: FilesSettings = FilesSettings()
    search: SearchSettings = SearchSettings()
    sqlite: SqliteSettings = SqliteSettings()
    http: HttpSettings = HttpSettings()

    @field_validator("disabled")
    @classmethod
    def _known_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = [*BUILTIN_GROUPS, *(t for tools in BUILTIN_GROUPS.values() for t in tools)]
        for name in value:
            if name not in known:
                raise ValueError(f"unknown built-in {name!r}; use one of {', '.join(known)}")
        return value

    def tool_enabled(self, tool: str) -> bool:
        """Whether built-in `tool` is served."""
        group = next(g for g, tools in BUILTIN_GROUPS.items() if tool in tools)
        return self.enabled and tool not in self.disabled and group not in self.disabled
