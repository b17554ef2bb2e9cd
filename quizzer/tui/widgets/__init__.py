"""Widgets of the drill app."""
