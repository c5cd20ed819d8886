"""Telling clients that a list (tools, resources, prompts) changed, in both protocol eras:
on the listen streams of 2026-07-28 clients (`subscriptions/listen`), and as a notification to
every older client session that has listed something (the ones that care about changes)."""

from __future__ import annotations

import weakref

import mcp_types as types
from mcp.server.session import ServerSession
from mcp.server.subscriptions import InMemorySubscriptionBus
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged, ServerEvent, ToolsListChanged

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
        self._sessions: weakref.WeakSet[ServerSession] = weakref.WeakSet()

    def watch(self, session: ServerSession) -> None:
        """Tell `session` of later changes (held weakly: a closed session is forgotten)."""
        self._sessions.add(session)

    async def announce(self, event: ServerEvent) -> None:
        """Publish `event` to the listen streams and notify every watching session."""
        await self.events.publish(event)
        notification = LIST_CHANGED.get(type(event))
        if notification is None:
            return
        for session in list(self._sessions):
            try:
                await session.send_notification(notification())
            except Exception as exc:  # the client may be gone; its next list is right anyway
                _log.info("could not announce the list change", change=repr(event), error=repr(exc))
