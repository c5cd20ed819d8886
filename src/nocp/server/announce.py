"""Telling clients that a list (tools, resources, prompts) changed, in both protocol eras:
on the listen streams of 2026-07-28 clients (`subscriptions/listen`), and as a notification on
the connection of an older client that has listed something (the one that cares).

The SDK hands each request its own `ServerSession`, a proxy whose notifications without a
related request go out on the connection's standalone channel; so the session of the latest
list request is the way to reach that connection. nocp serves one connection at a time over
stdio; a transport with several connections keys `ListChanges` by connection instead."""

from __future__ import annotations

import mcp_types as types
from mcp.server.session import ServerSession
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.shared.subscriptions import (
    PromptsListChanged,
    ResourcesListChanged,
    ResourceUpdated,
    ServerEvent,
    ToolsListChanged,
)

from nocp.logs import get_logger

LIST_CHANGED: dict[type[ServerEvent], type[types.ServerNotification]] = {
    ToolsListChanged: types.ToolListChangedNotification,
    ResourcesListChanged: types.ResourceListChangedNotification,
    PromptsListChanged: types.PromptListChangedNotification,
}
"""The notification that tells a client before 2026-07-28 of each list change."""

_log = get_logger(__name__)


class ListChanges:
    """The listen-stream bus (`events`) and the sessions that listed something.

    Example:
        >>> changes = ListChanges()
        >>> changes.watch(ctx.session)          # in a list handler
        >>> await changes.announce(ToolsListChanged())
    """

    def __init__(self) -> None:
        self.events = InMemorySubscriptionBus()
        self._route: ServerSession | None = None
        self.subscribed: set[str] = set()
        """The resource URIs an older client subscribed to (`resources/subscribe`)."""

    def watch(self, session: ServerSession) -> None:
        """Announce later changes on the connection of `session` (a list request's)."""
        self._route = session

    async def announce(self, event: ServerEvent) -> None:
        """Publish `event` to the listen streams and notify the watched connection."""
        await self.events.publish(event)
        notification = _notification(event, self.subscribed)
        if notification is None or self._route is None:
            return
        try:
            await self._route.send_notification(notification)
        except Exception as exc:  # the client may be gone; its next list is right anyway
            _log.info(
                "could not announce the list change", change=repr(event), error=repr(exc), exc_info=True
            )


def _notification(event: ServerEvent, subscribed: set[str]) -> types.ServerNotification | None:
    """What tells a client before 2026-07-28 of `event` (a resource update: only when it
    subscribed to that resource)."""
    if isinstance(event, ResourceUpdated):
        if event.uri not in subscribed:
            return None
        return types.ResourceUpdatedNotification(
            params=types.ResourceUpdatedNotificationParams(uri=event.uri)
        )
    notification = LIST_CHANGED.get(type(event))
    return notification() if notification is not None else None
