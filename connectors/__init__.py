"""Tracker connectors: one module or package per tracker, the sandbox, and the contract."""
