"""The bounds every configuration value must respect, whatever setting it is.

A release gate's configuration decides what may ship, so a value that is
absurd (a 1 MB product name, a NUL byte, a week-long snapshot age, tables
nested hundreds deep) or dangerous (a URL carrying a password, which would
then be copied into every issue URL, record and export) is refused before
anything runs, naming the setting's path and never echoing a secret.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from secgate_tui.domain.text import printable

#: Identifiers (product ids, tracker names, activity ids).
MAX_ID = 64
#: Names, keys, templates and anything else a person reads on one line.
MAX_NAME = 200
#: Any string at all (filters and queries are the longest legitimate values).
MAX_TEXT = 8192
#: Tables and arrays within tables: the example configuration needs 5.
MAX_DEPTH = 12
#: A snapshot older than a week cannot describe the release being authorized.
MAX_SNAPSHOT_AGE_SECONDS = 7 * 24 * 3600
#: Ten years: evidence older than that is not "current" under any policy.
MAX_ACTIVITY_AGE_DAYS = 3650


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _shown(path: str) -> str:
    return printable(path, MAX_NAME) or "(top level)"


def check_file_values(data: Any, path: str = "", depth: int = 0) -> str | None:
    """The first value-level problem in parsed configuration data, worded, or None."""
    if depth > MAX_DEPTH:
        return f"{_shown(path)}: nested more than {MAX_DEPTH} tables deep"
    if isinstance(data, dict):
        for key, value in data.items():
            where = _join(path, key)
            problem = check_string(str(key), MAX_NAME, where, "name") or check_file_values(
                value, where, depth + 1
            )
            if problem:
                return problem
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problem = check_file_values(value, _join(path, index), depth + 1)
            if problem:
                return problem
    elif isinstance(data, str):
        return check_string(data, MAX_TEXT, path, "value")
    return None


def check_string(value: str, limit: int, path: str, what: str) -> str | None:
    """A NUL byte, an over-long string or a URL with credentials, as a problem."""
    if "\x00" in value:
        return f"{_shown(path)}: the {what} contains a NUL byte"
    if len(value) > limit:
        return f"{_shown(path)}: the {what} is {len(value)} characters long (at most {limit})"
    return url_problem(value, path)


def url_problem(value: str, path: str) -> str | None:
    """A URL with a user name or password in it: refused, and the password is not shown."""
    if "://" not in value or "@" not in value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.username is None and parts.password is None:
        return None
    return (
        f"{_shown(path)}: the URL carries a user name or password (user:password@host). "
        "secgate would copy it into every issue link, record and export: remove it from "
        "the URL (the token comes from token_env or the keyring) and, if it was a real "
        "password, change it"
    )


def check_records_dir(path: Path) -> None:
    """``records_dir`` must be a directory, or a path where one can be created."""
    text = str(path)
    if not text.strip():
        raise ValueError("is empty; leave it out to use <data dir>/records")
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"{printable(text)} exists and is not a directory")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(
            f"{printable(text)} does not exist and cannot be created under {printable(str(parent))}"
        )


def check_token_value(token: str) -> str | None:
    """Why a token cannot be sent in an HTTP header, or None (the token is never shown)."""
    if not token.strip():
        return "is empty"
    try:
        token.encode("latin-1")
    except UnicodeEncodeError:
        return (
            "contains characters an HTTP header cannot carry (outside Latin-1; often a "
            "typographic quote or dash picked up when copying)"
        )
    # C0, DEL and the C1 controls (Latin-1 encodes those, but no token holds them).
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in token):
        return "contains control characters (a line break picked up when copying?)"
    return None


def json_ready(data: Any) -> Any:
    """TOML values as JSON can carry them (dates and times as ISO text)."""
    if isinstance(data, dict):
        return {str(key): json_ready(value) for key, value in data.items()}
    if isinstance(data, list):
        return [json_ready(value) for value in data]
    if isinstance(data, datetime | date | time):
        return data.isoformat()
    return data
