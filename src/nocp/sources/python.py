"""Local Python functions as tools: the `@tool` decorator and `[tools] modules` loading."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import anyio
import pydantic

from nocp.errors import ResultError, ToolArgumentError, ToolLoadError
from nocp.sources.base import Outcome, ToolDefinition

if TYPE_CHECKING:
    import mcp_types as types
    from mcp.server.context import ServerRequestContext
    from mcp.server.mcpserver import Context
    from mcp.server.mcpserver.tools.base import Tool

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__nocp_tool__"

_request: ContextVar[ServerRequestContext[Any] | None] = ContextVar("nocp_request", default=None)


@contextmanager
def serving(request: ServerRequestContext[Any] | None) -> Iterator[None]:
    """Within this block, a tool's `Context` parameter is the context of `request`.

    Example:
        >>> with serving(ctx):
        ...     result = await source.call(name, arguments)
    """
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@dataclass(frozen=True, slots=True)
class ToolOptions:
    """What `@tool(...)` recorded on a function (the options of the SDK's `MCPServer.tool`,
    and nocp's `timeout_s`)."""

    name: str | None = None
    description: str | None = None
    timeout_s: float | None = None
    title: str | None = None
    annotations: types.ToolAnnotations | Mapping[str, Any] | None = None
    structured_output: bool = False


@overload
def tool(fn: F, /) -> F: ...
@overload
def tool(
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    annotations: types.ToolAnnotations | Mapping[str, Any] | None = None,
    structured_output: bool = False,
    timeout_s: float | None = None,
) -> Callable[[F], F]: ...
def tool(
    fn: F | None = None,
    /,
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    annotations: types.ToolAnnotations | Mapping[str, Any] | None = None,
    structured_output: bool = False,
    timeout_s: float | None = None,
) -> F | Callable[[F], F]:
    """Mark a function (sync or async) as a nocp tool; it stays an ordinary function.

    The input schema comes from its type hints, the description from its docstring. The
    options are those of the SDK's `MCPServer.tool`: `name`, `title`, `description`,
    `annotations` (`ToolAnnotations` or a dict of its fields) and `structured_output` (True:
    advertise the return type's output schema and send `structuredContent` beside the
    optimised text); `timeout_s` is nocp's. A parameter annotated with the SDK's `Context`
    receives the context of the call, as under `MCPServer`.

    Example:
        >>> from nocp import tool
        >>> @tool(title="Users", annotations={"readOnlyHint": True})
        ... def list_users(team: str) -> list[dict]:
        ...     '''All users of a team.'''
        ...     return [{"name": "ada", "team": team}]
    """
    options = ToolOptions(name, description, timeout_s, title, annotations, structured_output)

    def mark(function: F) -> F:
        setattr(function, _MARK, options)
        return function

    return mark(fn) if fn is not None else mark


def tool_options(fn: Callable[..., Any]) -> ToolOptions | None:
    """The options `@tool` recorded on `fn`, or None when it is not a tool."""
    options = getattr(fn, _MARK, None)
    return options if isinstance(options, ToolOptions) else None


class PythonSource:
    """Tools backed by Python functions marked with `@tool` (or passed directly).

    Raises:
        ToolLoadError: a function cannot be served (its signature, two tools of one name).
    """

    reads_store = False
    origin: str | None = None
    adds_tools = False

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

    def outcome(self, name: str, raw: Any) -> Outcome:
        """Optimised; with `structured_output`, the reply also carries the structure.

        Raises:
            ResultError: the value does not match the tool's output schema.
        """
        return self._tools[name].outcome(raw)


@dataclass(frozen=True, slots=True)
class _PythonTool:
    definition: ToolDefinition
    sdk: Tool
    structured: bool

    @classmethod
    def build(cls, fn: Callable[..., Any]) -> _PythonTool:
        from mcp.server.mcpserver.tools.base import Tool

        options = tool_options(fn) or ToolOptions()
        description = options.description or inspect.cleandoc(fn.__doc__ or "")
        annotations = _annotations(options.annotations)
        try:
            sdk = Tool.from_function(
                fn,
                name=options.name,
                title=options.title,
                description=description,
                structured_output=options.structured_output,
            )
        except Exception as exc:  # the SDK raises several types for unusable signatures
            raise ToolLoadError(f"cannot register tool {fn.__name__!r}: {exc}") from exc
        if sdk.resolved_params:
            names = ", ".join(sdk.resolved_params)
            raise ToolLoadError(
                f"cannot register tool {sdk.name!r}: nocp does not serve Resolve(...) parameters "
                f"({names}); ask for the value as an argument instead"
            )
        output_schema = sdk.fn_metadata.output_schema if options.structured_output else None
        definition = ToolDefinition(
            sdk.name, description, sdk.parameters, options.timeout_s, annotations, output_schema, sdk.title
        )
        return cls(definition, sdk, options.structured_output)

    async def call(self, arguments: Mapping[str, Any]) -> Any:
        try:
            kwargs = self.sdk.fn_metadata.validate_arguments(dict(arguments))
        except pydantic.ValidationError as exc:
            raise ToolArgumentError(_describe_validation(exc)) from None
        if self.sdk.context_kwarg is not None:
            kwargs[self.sdk.context_kwarg] = _context()
        if self.sdk.is_async:
            return await self.sdk.fn(**kwargs)
        # A sync tool that overruns its timeout is abandoned; its thread ends on its own.
        return await anyio.to_thread.run_sync(partial(self.sdk.fn, **kwargs), abandon_on_cancel=True)

    def outcome(self, raw: Any) -> Outcome:
        if not self.structured:
            return Outcome(raw)
        try:
            structure = self.sdk.fn_metadata.convert_result(raw)
        except pydantic.ValidationError as exc:
            raise ResultError(f"it does not match its output schema: {_describe_validation(exc)}") from None
        kept = getattr(structure, "structured_content", None)
        import mcp_types as types

        def finish(text: str) -> types.CallToolResult:
            content = [types.TextContent(type="text", text=text)] if text else []
            return types.CallToolResult(content=content, structured_content=kept)

        return Outcome(raw, finish=finish)


def _annotations(given: types.ToolAnnotations | Mapping[str, Any] | None) -> dict[str, Any]:
    if given is None:
        return {}
    import mcp_types as types

    if isinstance(given, Mapping):
        try:
            given = types.ToolAnnotations(**given)
        except pydantic.ValidationError as exc:
            raise ToolLoadError(f"invalid tool annotations: {_describe_validation(exc)}") from None
    return given.model_dump(exclude_none=True, by_alias=True)


def _context() -> Context[Any, Any]:
    """The SDK's `Context` for the call being served (an empty one outside a server)."""
    from mcp.server.mcpserver import Context

    return Context(request_context=_request.get())


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
