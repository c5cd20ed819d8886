"""Logging: one path, never stdout — stdout carries MCP.

    nocp's loggers (structlog, bound to stdlib loggers, whatever structlog's global set-up)
        └─▶ the standard library's `logging`  ◀── every library logger (mcp, httpx, litellm…)
              └─▶ one handler (stderr or `[log] file`), one formatter: the one place where
                  tracebacks are formatted, secrets redacted, and the line rendered
                  (`console` or `json`)

`get_logger` does not use structlog's global configuration (whose default prints to stdout),
so nocp never writes a log line to stdout, also as a library that never called
`configure_logging`: its records then go to whatever handlers the application set up, or to
the standard library's last-resort handler, which writes warnings to stderr.
`ensure_logging` (called when nocp serves stdio as a library) installs the handler when the
application has none, and points an unconfigured structlog at the standard library too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Literal

import structlog

from nocp.errors import NocpError
from nocp.redact import redact_event

LogFormat = Literal["console", "json"]

_MARK = "_nocp_handler"
"""The attribute that tells nocp's handler from the application's."""

_CHAIN: list[Any] = [
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
"""What every record gets before it is rendered, nocp's own and the libraries'."""


def configure_logging(level: str = "WARNING", file: Path | None = None, fmt: LogFormat = "console") -> None:
    """Send nocp's log and every stdlib logger (mcp, litellm, httpx…) to stderr or `file`,
    as `console` lines or `json` objects, one per line, secrets redacted.

    Called by the CLI (and by `ensure_logging`). Library code only asks for loggers.

    Raises:
        NocpError: `file` cannot be opened for appending.
    """
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.WARNING)
    handler = _file_handler(file) if file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt))
    handler.setLevel(numeric)  # libraries that set their own logger to DEBUG (bm25s) stay quiet
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in root.handlers:
        if getattr(old, _MARK, False):
            old.close()  # a log file of an earlier call
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    _structlog_to_stdlib()


def ensure_logging() -> None:
    """Make sure no log line can reach stdout while nocp serves stdio from a library: a
    stderr handler at WARNING when the application set none, and structlog (if nobody
    configured it) through the standard library instead of its default, `print`."""
    if not logging.getLogger().handlers:
        configure_logging()
    else:
        _structlog_to_stdlib()


def formatter(fmt: LogFormat = "console") -> logging.Formatter:
    """The one formatter: tracebacks formatted, then redacted with everything else, then rendered."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_CHAIN, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )


def _structlog_to_stdlib() -> None:
    """structlog's own default prints to stdout: unless the application configured structlog,
    its loggers (any library's) go through the standard library as nocp's do."""
    if structlog.is_configured():
        return
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_CHAIN,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _unclash(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> dict[str, Any]:
    """Fields named like a `LogRecord` attribute (`name`, `module`…) get a `_` suffix: as
    `extra` they would make the standard library raise."""
    keep = {"event", "exc_info", "stack_info", "stacklevel"}
    return {f"{k}_" if k in _RESERVED and k not in keep else k: v for k, v in event.items()}


def _file_handler(file: Path) -> logging.Handler:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        return logging.FileHandler(file, mode="a", encoding="utf-8")
    except OSError as exc:
        raise NocpError(
            f"cannot open the log file {str(file)!r}: {exc.strerror or exc} "
            "(set [log] file, --log-file or NOCP_LOG__FILE to a writable path)"
        ) from None


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A logger named after its module: structlog's API, the standard library's path.

    Its records carry their fields as `extra`, so nocp's formatter renders them with the event
    and any other handler still gets a readable message.
    """
    return structlog.wrap_logger(  # type: ignore[no-any-return]
        logging.getLogger(name),
        processors=[structlog.stdlib.filter_by_level, _unclash, structlog.stdlib.render_to_log_kwargs],
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
