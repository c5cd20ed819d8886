"""The requests and notifications nocp only passes between its client and the upstreams:
`logging/setLevel`, `completion/complete`, `resources/subscribe` / `unsubscribe`, the client's
`notifications/roots/list_changed`, and resource subscriptions on 2026-07-28 listen streams.

Each is registered on the SDK server only as a handler; the capability it implies is
advertised only when some upstream has it (`SdkServer.mirror`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.subscriptions import ListenHandler
from mcp.shared.exceptions import MCPError

from nocp.errors import UpstreamError
from nocp.server.announce import ListChanges
from nocp.server.channel import ConnectionChannel
from nocp.sources.upstream.hub import UpstreamHub

UNWATCH_S = 5.0
"""Time the upstreams get to drop a listen stream's resource subscriptions after it ends."""


class Proxied:
    """The pass-through handlers over the upstreams (`hub`) and the client's connection."""

    def __init__(self, hub: UpstreamHub | None, connection: ConnectionChannel, changes: ListChanges) -> None:
        self.hub, self.connection, self.changes = hub, connection, changes
        self._listen = ListenHandler(changes.events)

    def register(self, server: Server[Any]) -> None:
        """Add the handlers the SDK has no constructor argument for without a deprecation
        warning (logging and roots are deprecated at 2026-07-28 but served to older clients)."""
        server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, self.set_level)
        server.add_notification_handler(
            "notifications/roots/list_changed", types.NotificationParams, self.roots_changed
        )
        server.add_notification_handler(
            "notifications/initialized", types.NotificationParams, self.initialized
        )

    def _upstreams(self) -> UpstreamHub:
        if self.hub is None:
            raise MCPError(types.METHOD_NOT_FOUND, "nocp passes this on to upstream servers, and has none")
        return self.hub

    async def initialized(self, ctx: ServerRequestContext[Any], params: types.NotificationParams) -> None:
        """The client finished its handshake: what upstreams ask outside a call goes to it."""
        self.connection.connect(ctx.session)

    async def set_level(
        self, ctx: ServerRequestContext[Any], params: types.SetLevelRequestParams
    ) -> types.EmptyResult:
        """Keep the level for later calls and pass it on to every upstream that logs."""
        self.connection.connect(ctx.session)
        self.connection.log_level = params.level
        await self._upstreams().set_log_level(params.level)
        return types.EmptyResult()

    async def complete(
        self, ctx: ServerRequestContext[Any], params: types.CompleteRequestParams
    ) -> types.CompleteResult:
        """The upstream's completions for the prompt or resource template named."""
        try:
            return await self._upstreams().complete(params)
        except UpstreamError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None

    async def subscribe(
        self, ctx: ServerRequestContext[Any], params: types.SubscribeRequestParams
    ) -> types.EmptyResult:
        """Subscribe at the upstream; its updates of `uri` reach this client."""
        self.changes.watch(ctx.session)
        await self._watch(str(params.uri), watch=True)
        self.changes.subscribed.add(str(params.uri))
        return types.EmptyResult()

    async def unsubscribe(
        self, ctx: ServerRequestContext[Any], params: types.UnsubscribeRequestParams
    ) -> types.EmptyResult:
        """Unsubscribe at the upstream."""
        self.changes.subscribed.discard(str(params.uri))
        await self._watch(str(params.uri), watch=False)
        return types.EmptyResult()

    async def _watch(self, uri: str, *, watch: bool) -> None:
        try:
            await self._upstreams().subscribe(uri, subscribe=watch)
        except UpstreamError as exc:
            raise MCPError(types.INVALID_PARAMS, str(exc)) from None

    async def roots_changed(self, ctx: ServerRequestContext[Any], params: types.NotificationParams) -> None:
        """Tell the upstreams; they ask for the new roots themselves."""
        if self.hub is not None:
            await self.hub.roots_changed()

    async def listen(
        self, ctx: ServerRequestContext[Any], params: types.SubscriptionsListenRequestParams
    ) -> types.SubscriptionsListenResult:
        """A 2026-07-28 listen stream; its resource subscriptions are made at the upstreams
        for as long as the stream lasts."""
        uris = [str(uri) for uri in params.notifications.resource_subscriptions or ()]
        watched = []
        try:
            for uri in uris if self.hub is not None and self.hub.subscribable() else ():
                await self._watch(uri, watch=True)
                watched.append(uri)
            return await self._listen(ctx, params)
        finally:
            with anyio.move_on_after(UNWATCH_S, shield=True):  # the stream's end cancels us
                for uri in watched:
                    with suppress(MCPError):  # the upstream may be gone: nothing to undo there
                        await self._watch(uri, watch=False)


def mirror(hub: UpstreamHub | None) -> Callable[[types.ServerCapabilities], types.ServerCapabilities]:
    """The capabilities nocp advertises: those its own handlers imply, less what it only
    passes on and no running upstream offers (logging, completions, prompts, subscriptions)."""

    def trimmed(capabilities: types.ServerCapabilities) -> types.ServerCapabilities:
        update: dict[str, Any] = {}
        for capability in ("logging", "completions", "prompts"):
            if hub is None or not hub.offers(capability):
                update[capability] = None
        resources = capabilities.resources
        if resources is not None and resources.subscribe and not (hub and hub.subscribable()):
            update["resources"] = resources.model_copy(update={"subscribe": False})
        return capabilities.model_copy(update=update)

    return trimmed
