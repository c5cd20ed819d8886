"""Local Python functions as tools: the `@tool` decorator and `[tools] modules` loading."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, overload

import anyio
import pydantic

from nocp.errors import ToolArgumentError, ToolLoadError
from nocp.sources.base import ToolDefinition

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__nocp_tool__"


@dataclass(frozen=True, slots=True)
class ToolOptions:
    """What `@tool(...)` recorded on a function."""

    name: str | None = None
    description: str | None = None
    timeout_s: float | None = None


@overload
def tool(fn: F, /) -> F: ...
@overload
def tool(
    *, name: str | None = None, description: str | None = None, timeout_s: float | None = None
) -> Callable[[F], F]: ...
def tool(
    fn: F | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout_s: float | None = None,
) -> F | Callable[[F], F]:
    """Mark a function (sync or async) as a nocp tool; it stays an ordinary function.

    The input schema comes from its type hints, the description from its docstring.

    Example:
        >>> from nocp import tool
        >>> @tool
        ... def list_users(team: str) -> list[dict]:
        ...     '''All users of a team.'''
        ...     return [{"name": "ada", "team": team}]
    """
    options = ToolOptions(name, description, timeout_s)

    def mark(function: F) -> F:
        setattr(function, _MARK, options)
        return function

    return mark(fn) if fn is not None else mark


def tool_options(fn: Callable[..., Any]) -> ToolOptions | None:
    """The options `@tool` recorded on `fn`, or None when it is not a tool."""
    options = getattr(fn, _MARK, None)
    return options if isinstance(options, ToolOptions) else None


class PythonSource:
    """Tools backed by Python functions marked with `@tool` (or passed directly)."""

    def __init__(self, functions: Iterable[Callable[..., Any]]) -> None:
        self._tools: dict[str, _PythonTool] = {}
        for fn in functions:
            built = _PythonTool.build(fn)
            if built.definition.name in self._tools:
                raise ToolLoadError(f"two tools are named {built.definition.name!r}; rename one")
            self._tools[built.definition.name] = built

    def tools(self) -> list[ToolDefinition]:
        """The tools, in registration order."""
        return [t.definition for t in self._tools.values()]

    async def call(self, name: str, arguments: Mapping[str, Any]) -> Any:
        """Validate the arguments against the function's signature and run it."""
        return await self._tools[name].call(arguments)


@dataclass(frozen=True, slots=True)
class _PythonTool:
    definition: ToolDefinition
    fn: Callable[..., Any]
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    is_async: bool

    @classmethod
    def build(cls, fn: Callable[..., Any]) -> _PythonTool:
        from mcp.server.mcpserver.tools.base import Tool

        options = tool_options(fn) or ToolOptions()
        description = options.description or inspect.cleandoc(fn.__doc__ or "")
        try:
            meta = Tool.from_function(fn, name=options.name, description=description, structured_output=False)
        except Exception as exc:  # the SDK raises several types for unusable signatures
            raise ToolLoadError(f"cannot register tool {fn.__name__!r}: {exc}") from exc
        definition = ToolDefinition(meta.name, description, meta.parameters, options.timeout_s)
        return cls(definition, fn, meta.fn_metadata.validate_arguments, meta.is_async)

    async def call(self, arguments: Mapping[str, Any]) -> Any:
        try:
            kwargs = self.validate(dict(arguments))
        except pydantic.ValidationError as exc:
            raise ToolArgumentError(_describe_validation(exc)) from None
        if self.is_async:
            return await self.fn(**kwargs)
        # A sync tool that overruns its timeout is abandoned; its thread ends on its own.
        return await anyio.to_thread.run_sync(partial(self.fn, **kwargs), abandon_on_cancel=True)


def _describe_validation(exc: pydantic.ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def load_tool_modules(entries: Iterable[str]) -> list[Callable[..., Any]]:
    """Import each module (a file path or a dotted name) and collect its `@tool` functions.

    Raises:
        ToolLoadError: a module cannot be imported; the message names it and the cause.
    """
    functions: list[Callable[..., Any]] = []
    for entry in entries:
        module = _import(entry)
        for value in vars(module).values():
            if callable(value) and tool_options(value) is not None and value not in functions:
                functions.append(value)
    return functions


def _import(entry: str) -> Any:
    try:
        if entry.endswith(".py") or "/" in entry:
            return _import_file(Path(entry))
        return importlib.import_module(entry)
    except ToolLoadError:
        raise
    except Exception as exc:
        raise ToolLoadError(f"[tools] modules: cannot import {entry!r}: {type(exc).__name__}: {exc}") from exc


def _import_file(path: Path) -> Any:
    if not path.is_file():
        raise ToolLoadError(f"[tools] modules: no such file {str(path)!r}")
    name = f"nocp_tools_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ToolLoadError(f"[tools] modules: {str(path)!r} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))  # so the module can import its siblings
    spec.loader.exec_module(module)
    return module
