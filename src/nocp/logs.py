"""Logging set-up: structlog to stderr (or a file), never stdout — stdout carries MCP."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

import structlog

from nocp.errors import NocpError
from nocp.redact import redact_event, redact_text


def configure_logging(level: str = "WARNING", file: Path | None = None) -> None:
    """Send structlog and every stdlib logger (mcp, litellm, httpx…) to stderr or `file`.

    Called once, by the CLI entry point. Library code only asks for loggers.
    """
    stream: TextIO = _open_log(file) if file else sys.stderr
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.WARNING)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactFilter())
    handler.setLevel(numeric)  # libraries that set their own logger to DEBUG (bm25s) stay quiet
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            redact_event,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )


def _open_log(file: Path) -> TextIO:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        return file.open("a", encoding="utf-8")
    except OSError as exc:
        raise NocpError(
            f"cannot open the log file {str(file)!r}: {exc.strerror or exc} "
            "(set [log] file or NOCP_LOG__FILE to a writable path)"
        ) from None


class _RedactFilter(logging.Filter):
    """Secrets out of every stdlib log record (httpx logs URLs, which may carry credentials)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: logging reports it itself
            return True
        record.msg, record.args = redact_text(message), None
        return True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger named after its module."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]
