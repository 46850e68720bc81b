"""Where bytes live: uploaded files today, print output, import uploads and template assets
next — behind one small interface, so a shared store can replace the local folder when the
app runs on several machines."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, Protocol

KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$")


class BlobStore(Protocol):
    """Named byte strings (``files/ab/abcdef``), written whole or not at all."""

    def write(self, key: str, chunks: Iterable[bytes]) -> None:
        """Stores the chunks under ``key``; if the chunks raise, nothing is stored."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The bytes of ``key`` to read; FileNotFoundError when there are none."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The file holding ``key`` when the store is a local folder (sent as it is)."""
        ...

    def delete(self, key: str) -> None:
        """Removes ``key`` (nothing when it is missing)."""
        ...


def check_key(key: str) -> str:
    """``key`` if it is a plain relative name (no ``..``, no leading slash), else ValueError."""
    if not KEY.fullmatch(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"not a blob key: {key!r}")
    return key


class LocalBlobStore:
    """A folder on this machine: ``<root>/<key>``, written to a temporary file and renamed
    into place (a reader never sees half a file), flushed to disk first."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def write(self, key: str, chunks: Iterable[bytes]) -> None:
        """Stores the chunks under ``key``; if the chunks raise, nothing is stored."""
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def open(self, key: str) -> BinaryIO:
        """The bytes of ``key`` to read; FileNotFoundError when there are none."""
        return self._path(key).open("rb")

    def local_path(self, key: str) -> Path | None:
        """The file holding ``key`` (None when it is missing)."""
        path = self._path(key)
        return path if path.is_file() else None

    def delete(self, key: str) -> None:
        """Removes ``key`` (nothing when it is missing)."""
        with suppress(FileNotFoundError):
            self._path(key).unlink()
