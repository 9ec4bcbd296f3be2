"""The embedded, file-backed sandbox tracker (no network): demo and trying secgate."""

from connectors.sandbox.connector import SandboxConnector, SandboxSettings

__all__ = ["SandboxConnector", "SandboxSettings"]
