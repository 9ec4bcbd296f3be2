"""Writing the bundle archive, and reading one that may be hostile.

Reading never extracts anything to disk: members are read into memory, one by
one from the gzip stream, each bounded in size, and only regular files with
plain relative names inside the bundle's one directory are accepted. A path
that climbs out (``..``, absolute), a link, a device, a duplicate name, a member
larger than :data:`MAX_MEMBER` or a bundle larger than :data:`MAX_TOTAL` when
uncompressed (a decompression bomb) is refused before its content is read.
"""

from __future__ import annotations

import io
import re
import tarfile
import zlib
from pathlib import PurePosixPath

#: Bounds for one member and for the whole bundle, uncompressed. A snapshot of
#: 100,000 issues is about 150 MB.
MAX_MEMBER = 512 * 1024 * 1024
MAX_TOTAL = 1024 * 1024 * 1024
MAX_MEMBERS = 10_000
_NAME = re.compile(r"[A-Za-z0-9._+-]+")


class BundleError(Exception):
    """The bundle cannot be read safely (exit 2); the message says why."""


def write_bundle(stem: str, files: dict[str, bytes]) -> bytes:
    """The ``.tar.gz`` bytes: ``files`` under one directory named ``stem``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(f"{stem}/{name}")
            info.size = len(content)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _member_name(raw: str) -> tuple[str, str]:
    """(top directory, name inside it) of a member, or BundleError."""
    path = PurePosixPath(raw)
    parts = path.parts
    if (
        path.is_absolute()
        or "\\" in raw
        or len(parts) < 2
        or any(part in ("", ".", "..") or not _NAME.fullmatch(part) for part in parts)
    ):
        raise BundleError(
            f"member '{raw!r}' has a path a bundle never holds (absolute, climbing out with "
            "'..', or odd characters); it was refused and nothing was extracted"
        )
    return parts[0], "/".join(parts[1:])


def read_bundle(data: io.BufferedIOBase) -> tuple[str, dict[str, bytes]]:
    """The bundle's directory name and its files (name -> content), read in memory.

    Raises:
        BundleError: not a gzip'd tar, or a member that is refused (see the module).
    """
    files: dict[str, bytes] = {}
    top: str | None = None
    total = 0
    try:
        with tarfile.open(fileobj=data, mode="r|gz") as tar:
            for count, member in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise BundleError(f"the bundle has more than {MAX_MEMBERS} members")
                if not member.isreg():
                    what = "a link" if member.issym() or member.islnk() else "not a regular file"
                    raise BundleError(
                        f"member '{member.name!r}' is {what}; a bundle holds only regular "
                        "files, so it was refused and nothing was extracted"
                    )
                directory, name = _member_name(member.name)
                if top is None:
                    top = directory
                elif directory != top:
                    raise BundleError(
                        f"member '{member.name!r}' is outside the bundle's directory '{top}'"
                    )
                if name in files:
                    raise BundleError(f"member '{name}' appears twice in the bundle")
                total += member.size
                if member.size > MAX_MEMBER or total > MAX_TOTAL:
                    raise BundleError(
                        f"member '{name}' is {member.size} bytes uncompressed; a bundle member "
                        f"may hold at most {MAX_MEMBER} bytes and the bundle {MAX_TOTAL} "
                        "(a decompression bomb is refused before it is read)"
                    )
                handle = tar.extractfile(member)
                if handle is None:  # pragma: no cover - isreg() members always have data
                    raise BundleError(f"member '{name}' has no data")
                content = handle.read(member.size + 1)
                if len(content) != member.size:
                    raise BundleError(f"member '{name}' is truncated")
                files[name] = content
    except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
        raise BundleError(f"it is not a readable .tar.gz archive ({exc})") from None
    if top is None:
        raise BundleError("the archive is empty")
    return top, files
