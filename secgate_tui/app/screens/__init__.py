"""Screens of the secgate UI, one per module, each with its .tcss beside it."""
