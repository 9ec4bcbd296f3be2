"""A signature's files beside its record's export: ``<record's stem>_sigN.msg`` and ``.sig``.

N numbers a record's signatures in the order they were exported; exporting the
same signature again (a retry) finds its number by the ``.msg`` file's bytes
and rewrites nothing else. The record's Markdown gains, per signature, the
exact ``ssh-keygen -Y verify`` command an auditor runs in the records folder.
"""

from __future__ import annotations

from pathlib import Path

from secgate_tui.domain.render.signature import manifestation
from secgate_tui.domain.render.signature_files import auditor_command, signature_files
from secgate_tui.domain.signature import SignedMessage
from secgate_tui.services.export import exported_paths, write_atomic
from secgate_tui.services.pdf.refresh import rewrite_pdf

ALLOWED_SIGNERS = "allowed_signers"
SECTION = "## Electronic signatures"


def export_signature(
    records_dir: Path, product: str, release: str, message: SignedMessage, armored: str
) -> tuple[Path, ...]:
    """Write signature files for ``message`` and name the check in the record's Markdown.

    Raises:
        OSError: a file could not be written.
    """
    md_path, json_path = exported_paths(records_dir, product, release, message.record_id)
    return export_beside(md_path, json_path, message, armored)


def export_beside(
    md_path: Path, json_path: Path, message: SignedMessage, armored: str
) -> tuple[Path, ...]:
    """Write the signature files beside the record exported as ``md_path``/``json_path``
    (an authorization or a review record) and name the check in its Markdown.

    Raises:
        OSError: a file could not be written.
    """
    records_dir = json_path.parent
    stem = json_path.stem
    number = _number(records_dir, stem, message.data())
    files = signature_files(stem, number, message, armored)
    msg, sig = records_dir / files.msg_name, records_dir / files.sig_name
    write_atomic(msg, files.msg)
    write_atomic(sig, files.sig)
    command = auditor_command(
        message, allowed_signers=ALLOWED_SIGNERS, sig_file=files.sig_name, msg_file=files.msg_name
    )
    _note(md_path, number, message, command)
    rewrite_pdf(md_path, json_path)  # the record's PDF shows the signature too
    return msg, sig


def _number(records_dir: Path, stem: str, data: bytes) -> int:
    used: list[int] = []
    for path in records_dir.glob(f"{stem}_sig*.msg"):
        suffix = path.stem[len(stem) + 4 :]
        if not suffix.isdigit():
            continue
        if path.read_bytes() == data:
            return int(suffix)
        used.append(int(suffix))
    return max(used, default=0) + 1


def _note(md_path: Path, number: int, message: SignedMessage, command: str) -> None:
    """Add signature ``number`` to the record's Markdown (once), when it was exported."""
    if not md_path.is_file():
        return
    text = md_path.read_text(encoding="utf-8")
    heading = f"### Signature {number}"
    if heading in text:
        return
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nVerify each with OpenSSH alone, in this "
        text += f"folder, with a copy of the allowed-signers file named `{ALLOWED_SIGNERS}`.\n"
    # Names and meanings come from configuration: shown inside a code span, never as markup.
    shown = manifestation(message).replace("`", "'")
    text += f"\n{heading}\n\n`{shown}`\n\n```\n{command}\n```\n"
    write_atomic(md_path, text.encode("utf-8"))
