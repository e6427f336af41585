"""Where attachment bytes live, behind a small interface (a folder by default).

Files are stored under generated names, never the uploader's; the type is
decided by the content (magic bytes), not by the name or the browser's claim.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from typing import Protocol

import filetype

# What requesters may attach: documents and images that government offices
# exchange. SVG and HTML are excluded: they can carry scripts.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/zip": ".zip",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
}
IMAGE_TYPES = frozenset(t for t in ALLOWED_TYPES if t.startswith("image/"))


class StorageError(ValueError):
    """An upload was refused; ``code`` says why (type, size, empty)."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass(frozen=True)
class StoredFile:
    key: str
    content_type: str
    size: int
    sha256: str


class Storage(Protocol):
    def save(self, stream: IO[bytes], max_size: int) -> StoredFile: ...

    def open(self, key: str) -> IO[bytes]: ...

    def delete(self, key: str) -> None: ...


def sniff(head: bytes) -> str | None:
    """The MIME type the bytes really are, if it is one we accept."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    return kind.mime if kind.mime in ALLOWED_TYPES else None


class FolderStorage:
    """Files in one folder (under instance/ by default), named by random keys."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise StorageError("bad_key")
        return self.root / key[:2] / key

    def save(self, stream: IO[bytes], max_size: int) -> StoredFile:
        head = stream.read(8192)
        if not head:
            raise StorageError("empty")
        content_type = sniff(head)
        if content_type is None:
            raise StorageError("type")
        key = secrets.token_hex(20)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with path.open("xb") as out:
                chunk = head
                while chunk:
                    size += len(chunk)
                    if size > max_size:
                        raise StorageError("size", limit=max_size)
                    digest.update(chunk)
                    out.write(chunk)
                    chunk = stream.read(65536)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return StoredFile(key=key, content_type=content_type, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> IO[bytes]:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
