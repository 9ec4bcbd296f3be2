"""Headless commands, one module each; cli.py wires them into the parser."""
