"""What a screen leaves until its first frame is painted: its key footer, and (at the app's start) the cyclic GC."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

from quizzer import collector


def after_first_frame(screen: Screen[object]) -> None:
    """Once what the user came to read (the first card, the deck list) is painted, mount the screen's footer and end
    the start-up's pause of the garbage collector (see ``quizzer.tui.launch``; nothing when it runs).

    A footer's key list is a dozen widgets to compose and style, about as long as a card itself takes: on the
    way to the first frame it made the start-up a sixth slower. It docks at the bottom, so nothing moves but
    the scroll area above it, which gives up its last line.
    """

    async def finish() -> None:
        collector.resume()
        if screen.is_attached:
            await screen.mount(Footer(compact=True))
            # A footer lists its keys when the screen's bindings change; mounted after the screen's focus was set,
            # it would wait for the next change with no keys shown.
            screen.refresh_bindings()

    screen.call_after_refresh(finish)
