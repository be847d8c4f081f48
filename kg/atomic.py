"""Files written whole or not at all.

Every file ptmkg writes for a user (dumps, query results, networks, extractions,
reports, rejects) goes through :func:`atomic_write`: the bytes go to a temporary file
beside the target, are flushed to disk, and replace the target in one rename. A full
disk, an error or a kill part-way leaves the previous file as it was and no partial
file behind. The rename replaces a symbolic link at the target instead of writing
through it, so a link planted where an output goes cannot redirect the write.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, overload

from kg.errors import PtmkgError

_PENDING: set[Path] = set()
"""Temporary files being written now, removed by :func:`discard_pending` on an interrupt."""


@overload
def atomic_write(
    path: Path, mode: Literal["wb"] = "wb", **open_options: Any
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
@overload
def atomic_write(
    path: Path, mode: Literal["w"], **open_options: Any
) -> contextlib.AbstractContextManager[IO[str]]: ...
def atomic_write(path: Path, mode: str = "wb", **open_options: Any) -> Any:
    """A file handle whose content becomes ``path`` when the block ends without error.

    ``mode`` is ``"wb"`` or ``"w"``; ``open_options`` (encoding, newline, errors) are
    passed to :func:`open`. Missing folders on the way to ``path`` are created, the
    same for every output.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes, it cannot open with mode {mode!r}")
    return _atomic(Path(path), mode, open_options)


@contextlib.contextmanager
def _atomic(path: Path, mode: str, open_options: dict[str, Any]) -> Iterator[IO[Any]]:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise PtmkgError(f"cannot write {path}: {folder} is a file, not a folder") from None
    if path.is_dir():
        raise PtmkgError(f"cannot write {path}: it is a folder")
    descriptor, temporary_name = tempfile.mkstemp(
        dir=folder, prefix=f".{path.name}.", suffix=".tmp"
    )
    temporary = Path(temporary_name)
    _PENDING.add(temporary)
    try:
        with os.fdopen(descriptor, mode, **open_options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            # A new file gets the permissions a plain open() would give it.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    finally:
        _PENDING.discard(temporary)


def discard_pending() -> None:
    """Remove the temporary files of writes still in progress (a program that stops)."""
    for temporary in list(_PENDING):
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_bytes_atomically(path: Path, data: bytes) -> None:
    with atomic_write(path) as handle:
        handle.write(data)


def write_text_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_write(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
