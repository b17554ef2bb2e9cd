"""Python's cyclic garbage collector paused around work that builds many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector, resuming it afterwards if it was on.

    Loading decks, merging another device's log and computing the statistics each build tens or hundreds of
    thousands of small lists, tuples and dicts that hold numbers and strings and form no cycles: a collection
    finds nothing in them, yet every allocation counts towards the next one, and each walks all of them again
    (a third of a deck load at 20,000 cards, a tenth of a merge or of the statistics). Memory is still freed as
    usual, by reference counting; only the search for cycles waits.

    On the way out, what was built and is still alive sits in the youngest generation, where the first
    allocation after resuming would scan all of it: ``freeze`` + ``unfreeze`` moves every tracked object to the
    oldest generation in O(1), still collected, but only by the rare full passes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def pause() -> None:
    """Pause the collector for an app's start-up, until :func:`resume`.

    Importing Textual and building the first screen allocate enough objects to set off a hundred young-generation
    collections (15 ms of a 270 ms start), none of which finds garbage worth the wait.
    """
    gc.disable()


def resume() -> None:
    """End a :func:`pause` once the first screen is painted (or the app leaves without one); nothing if the collector
    runs. What start-up built (Textual's classes and the first screen, the decks) lives as long as the app: it is
    frozen, out of every later collection's reach, as ``quizzer.tui.launch`` froze the decks before."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
