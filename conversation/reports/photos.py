"""Report photos on disk: checked to be an image, re-encoded without metadata, named by a random ref.

Why re-encode: a phone's JPEG carries EXIF, GPS coordinates and the camera's serial among them,
which is personal data the citizen did not mean to send with a photo of a pothole. Pillow decodes
the upload (so a file that only claims to be an image is refused), keeps the pixels, turns it
upright by its orientation tag and writes a fresh JPEG or PNG with no metadata. Files are named by a
random reference (never by the citizen's id), so the report row is the only link between a photo and
a person, and erasing the report erases the photo (:meth:`PhotoStore.delete`).
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["PhotoError", "PhotoStore", "StoredPhoto"]

# What citizens' phones and browsers send; anything else is refused by its content, not its name.
_ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}  # HEIF: no decoder here
_REF_LENGTH = 32  # hex characters of a random reference
# A decoded photo larger than this many pixels is shrunk: 2560 px on the long side is enough to see
# the problem, and keeps a 40-megapixel upload from filling the disk.
_MAX_SIDE = 2560


class PhotoError(ValueError):
    """The upload is not a photo this desk takes (too big, empty, not an image); ``reason`` is a key
    of the ``reports`` texts group, so the citizen is told which in their language."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class StoredPhoto:
    ref: str
    content_type: str
    size: int


class PhotoStore:
    """Photos of reports (and after-photos of finished work) in one folder."""

    def __init__(self, folder: Path, max_bytes: int = 10 * 1024 * 1024) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def save(self, data: bytes) -> StoredPhoto:
        """Check ``data`` is an image of an accepted kind within the size limit and keep a clean copy."""
        if not data:
            raise PhotoError("the photo is empty", "photo_empty")
        if len(data) > self.max_bytes:
            raise PhotoError(f"the photo is {len(data)} bytes, more than {self.max_bytes}", "photo_too_big")
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if kind not in _ACCEPTED:
                    raise PhotoError(f"a {kind or 'unknown'} file is not a photo this desk takes", "photo_not_image")
                image.load()
                clean = ImageOps.exif_transpose(image)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            if isinstance(error, PhotoError):
                raise
            raise PhotoError(f"not an image: {error}", "photo_not_image") from error
        clean.thumbnail((_MAX_SIDE, _MAX_SIDE))
        keep_png = kind == "PNG" and clean.mode in ("RGBA", "LA", "P")
        out = io.BytesIO()
        if keep_png:
            clean.save(out, format="PNG", optimize=True)
            content_type, suffix = "image/png", "png"
        else:
            clean.convert("RGB").save(out, format="JPEG", quality=85)
            content_type, suffix = "image/jpeg", "jpg"
        ref = f"{secrets.token_hex(_REF_LENGTH // 2)}.{suffix}"
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / ref
        partial = target.with_suffix(".part")
        partial.write_bytes(out.getvalue())
        partial.replace(target)  # never a half-written photo under a ref
        return StoredPhoto(ref, content_type, len(out.getvalue()))

    def read(self, ref: str) -> tuple[bytes, str]:
        """The photo's bytes and content type; :class:`FileNotFoundError` for an unknown or bad ref."""
        path = self._path(ref)
        content_type = "image/png" if ref.endswith(".png") else "image/jpeg"
        return path.read_bytes(), content_type

    def delete(self, ref: str | None) -> bool:
        """Remove a photo (erasure, retention); True when there was one."""
        if not ref:
            return False
        try:
            self._path(ref).unlink()
        except FileNotFoundError:
            return False
        return True

    def _path(self, ref: str) -> Path:
        stem, _, suffix = ref.partition(".")
        valid = len(stem) == _REF_LENGTH and all(c in "0123456789abcdef" for c in stem) and suffix in ("jpg", "png")
        if not valid:  # a ref is ours or nothing: no path from outside ever reaches the file system
            raise FileNotFoundError(ref)
        path = self.folder / ref
        if not path.is_file():
            raise FileNotFoundError(ref)
        return path
