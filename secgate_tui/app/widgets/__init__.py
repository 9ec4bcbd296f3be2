"""Widgets of the secgate UI, one per module; each receives view values only."""
