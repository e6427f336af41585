"""Files kept between a request form that came back with errors and its re-submission.

When a form is shown again (a field is missing, a requirement is not met) the
files of that try would be lost: a browser never re-sends a file input. The
acceptable ones are kept here, in a staging folder under the upload root, and
the form carries an opaque *token* for each in a hidden field.

Layout of the staging folder::

    <root>/files/<k[:2]>/<key>            the bytes, stored by :class:`FolderStorage`
                                          (so they pass exactly the same checks:
                                          not empty, allowed type by content, size)
    <root>/manifests/<sha256(token)>.json  who may claim them and what they are

The token is a 256-bit random string handed to the browser; the server only
keeps its SHA-256, so a listing of the folder reveals no usable token. The
manifest binds the file to the user and tenant that uploaded it: a token
presented by anyone else is not honoured. Staged files expire after
``max_age`` (the request views pass ``HELPDESK_STAGED_UPLOAD_HOURS``) and are
swept by :meth:`StagingArea.cleanup`.

Nothing here knows about Flask: the caller passes the folder, the owner and
the clock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import IO
from typing import Any

from helpdesk.storage import FolderStorage

FOLDER = "staged"
"""The staging folder's name under the upload root."""

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Owner:
    """Who uploaded a staged file: only they may claim it."""

    user_id: int
    tenant_id: int


@dataclass(frozen=True)
class StagedFile:
    """A file waiting for the form to be sent again."""

    token: str
    key: str
    owner: Owner
    name: str
    content_type: str
    size: int
    created: datetime


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class StagingArea:
    """The staging folder: stage, claim by token, discard, sweep what expired."""

    def __init__(self, root: str | os.PathLike[str], max_age: timedelta) -> None:
        self.root = Path(root)
        self.max_age = max_age
        self.files = FolderStorage(self.root / "files")
        self.manifests = self.root / "manifests"
        self.manifests.mkdir(parents=True, exist_ok=True)

    def _manifest_path(self, token: str) -> Path:
        return self.manifests / f"{_digest(token)}.json"

    def stage(
        self,
        stream: IO[bytes],
        filename: str,
        owner: Owner,
        max_size: int,
        *,
        now: datetime | None = None,
    ) -> StagedFile:
        """Check and keep one file for ``owner``; raises :class:`StorageError` if refused."""
        saved = self.files.save(stream, max_size)
        staged = StagedFile(
            token=secrets.token_urlsafe(32),
            key=saved.key,
            owner=owner,
            name=(filename or "archivo")[:255],
            content_type=saved.content_type,
            size=saved.size,
            created=_now(now),
        )
        manifest = {
            "key": staged.key,
            "user_id": owner.user_id,
            "tenant_id": owner.tenant_id,
            "name": staged.name,
            "content_type": staged.content_type,
            "size": staged.size,
            "created": staged.created.isoformat(),
        }
        path = self._manifest_path(staged.token)
        partial = path.with_suffix(".tmp")
        try:
            partial.write_text(json.dumps(manifest), encoding="utf-8")
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            self.files.delete(saved.key)
            raise
        return staged

    def claim(self, token: str, owner: Owner, *, now: datetime | None = None) -> StagedFile | None:
        """The staged file behind ``token`` if ``owner`` uploaded it and it has not expired.

        A malformed, unknown, foreign or expired token gives ``None``, never an
        error; an expired file is removed on the way.
        """
        if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
            return None
        manifest = self._read(self._manifest_path(token))
        if manifest is None:
            return None
        try:
            staged = StagedFile(
                token=token,
                key=str(manifest["key"]),
                owner=Owner(int(manifest["user_id"]), int(manifest["tenant_id"])),
                name=str(manifest["name"]),
                content_type=str(manifest["content_type"]),
                size=int(manifest["size"]),
                created=_parse_time(manifest["created"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if staged.owner != owner:
            return None
        if staged.created + self.max_age < _now(now):
            self.discard(staged)
            return None
        try:
            with self.files.open(staged.key) as stream:
                if os.fstat(stream.fileno()).st_size != staged.size:
                    return None
        except (OSError, ValueError):
            return None
        return staged

    def open(self, staged: StagedFile) -> IO[bytes]:
        """The staged bytes, for reading (the caller closes the stream)."""
        return self.files.open(staged.key)

    def discard(self, staged: StagedFile) -> None:
        """Remove a claimed file and its manifest (once filed, dropped or expired)."""
        self._manifest_path(staged.token).unlink(missing_ok=True)
        with contextlib.suppress(ValueError):
            self.files.delete(staged.key)

    def cleanup(self, *, now: datetime | None = None) -> int:
        """Remove every staged file older than ``max_age``; returns how many went."""
        cutoff = _now(now) - self.max_age
        removed = 0
        live: set[str] = set()
        for path in self.manifests.glob("*.json"):
            manifest = self._read(path)
            key = manifest.get("key") if manifest else None
            try:
                created = _parse_time(manifest["created"]) if manifest else None
            except (KeyError, TypeError, ValueError):
                created = None
            if created is None:
                created = _mtime(path)
            if created is None or created >= cutoff:
                if isinstance(key, str):
                    live.add(key)
                continue
            path.unlink(missing_ok=True)
            if isinstance(key, str):
                with contextlib.suppress(ValueError):
                    self.files.delete(key)
            removed += 1
        # Bytes whose manifest never got written (a crash in between) or is gone.
        for path in [*self.files.root.glob("*/*"), *self.manifests.glob("*.tmp")]:
            stamp = _mtime(path)
            if path.name in live or not path.is_file() or stamp is None or stamp >= cutoff:
                continue
            path.unlink(missing_ok=True)
        return removed

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def _parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
