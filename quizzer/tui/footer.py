"""The key footer, added to a screen one frame after its first paint."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def add_footer_after_first_frame(screen: Screen[object]) -> None:
    """Mount the screen's footer once what the user came to read (the first card, the deck list) is painted.

    A footer's key list is a dozen widgets to compose and style, about as long as a card itself takes: on the
    way to the first frame it made the start-up a sixth slower. It docks at the bottom, so nothing moves but
    the scroll area above it, which gives up its last line.
    """

    async def mount() -> None:
        if screen.is_attached:
            await screen.mount(Footer(compact=True))
            # A footer lists its keys when the screen's bindings change; mounted after the screen's focus was set,
            # it would wait for the next change with no keys shown.
            screen.refresh_bindings()

    screen.call_after_refresh(mount)
