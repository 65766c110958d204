"""Image archives for air-gapped sites: what a ``docker save`` archive holds, and the bytes
that travel to a target that lacks the image.

WHY the image id is read on the controller: a target is compared by id (the sha256 of the
image's config, what ``docker image inspect --format {{.Id}}`` prints), so the archive is sent
only where that id is missing — a retagged or re-saved archive of the same image sends
nothing. The archive travels gzip'd (``docker load`` reads gzip itself) and base64-encoded in
the script's text (a binary payload would travel as octal escapes, four times its size); the
target checks the sha256 of the decoded bytes before loading them.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from edgeauto.errors import ParseError, Position

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ImageArchive:
    """One ``docker save`` archive: its image ids and tags, and what is sent for it."""

    path: Path
    images: dict[str, str]  # image id -> first repo tag ('' when untagged)
    tags: dict[str, str]  # repo tag -> image id
    gz_sha256: str
    gz_size: int
    _b64: bytes

    def image_id(self, ref: str, pos: Position | None = None) -> str:
        """The id of ``ref`` in this archive; an archive that does not hold it is an error."""
        wanted = ref if ":" in ref.rsplit("/", 1)[-1] else f"{ref}:latest"
        if wanted in self.tags:
            return self.tags[wanted]
        if len(self.images) == 1 and not self.tags:
            return next(iter(self.images))  # an untagged save: the target tags it
        held = ", ".join(sorted(self.tags)) or "untagged images only"
        raise ParseError(
            f"image archive {self.path} does not hold image {ref} (it holds: {held})", pos
        )

    def payload(self) -> bytes:
        """The base64 text of the gzip'd archive (what the script carries)."""
        return self._b64


def inspect_archive(path: Path, pos: Position | None = None) -> ImageArchive:
    """Read ``path`` (a ``docker save`` tar, gzip'd or not); cached per path, size and mtime."""
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise ParseError(f"cannot read image archive {path}: {exc.strerror}", pos) from None
    return _inspect(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, pos)


@lru_cache(maxsize=16)
def _inspect(path: str, size: int, mtime: int, pos: Position | None) -> ImageArchive:
    data = Path(path).read_bytes()
    raw = gzip.decompress(data) if data[:2] == GZIP_MAGIC else data
    gz = data if data[:2] == GZIP_MAGIC else gzip.compress(raw, compresslevel=6, mtime=0)
    images, tags = _manifest(raw, path, pos)
    return ImageArchive(
        path=Path(path),
        images=images,
        tags=tags,
        gz_sha256=hashlib.sha256(gz).hexdigest(),
        gz_size=len(gz),
        _b64=base64.encodebytes(gz),
    )


def _manifest(raw: bytes, path: str, pos: Position | None) -> tuple[dict, dict]:
    """(image id -> first tag, tag -> image id) from the archive's manifest.json."""
    import io

    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            manifest = json.loads(_member(tar, "manifest.json"))
            images: dict[str, str] = {}
            tags: dict[str, str] = {}
            for entry in manifest:
                config = _member(tar, entry["Config"])
                image_id = "sha256:" + hashlib.sha256(config).hexdigest()
                repo_tags = list(entry.get("RepoTags") or [])
                images[image_id] = repo_tags[0] if repo_tags else ""
                tags.update(dict.fromkeys(repo_tags, image_id))
    except (tarfile.TarError, KeyError, TypeError, ValueError) as exc:
        raise ParseError(
            f"{path} is not a docker save archive (expected a tar with manifest.json): {exc}",
            pos,
        ) from None
    if not images:
        raise ParseError(f"image archive {path} holds no image (empty manifest.json)", pos)
    return images, tags


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    handle = tar.extractfile(name)
    if handle is None:
        raise KeyError(name)
    return handle.read()
