"""Artifacts in an S3 bucket (AWS, MinIO, Ceph, ...): ``s3://bucket/prefix``, through s3fs.

What S3 offers is used for each part of the ``ArtifactStore`` contract:

- A write streams into a multipart upload of the file's own key, one part at a time
  (:data:`PART_BYTES`, larger for huge files), so an upload of any size holds one part in
  memory; the object appears only when the upload completes, and an upload cut short is
  aborted, leaving nothing (no temporary key, no copy on commit). A file smaller than one
  part is a single PUT.
- A read fetches only the range asked, in ranged GETs of at most :data:`FETCH_BYTES`.
- An append writes one part object created with ``If-None-Match: *`` (see
  :mod:`atlas.store.part_files`), so concurrent writers, even on other servers, never
  overwrite each other; a listing of a growing log starts at its last known part.
- Stale uploads of killed servers are aborted by ``remove_stale_temp_files``.

Credentials, region and endpoint come from :class:`S3Options` (the ``s3_*`` settings); what
it leaves unset, botocore finds the usual way (``AWS_*`` variables, ``~/.aws``, instance
roles). s3fs is the optional dependency ``atlas-ml[s3]``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from atlas.errors import InvalidInputError, NotFoundError
from atlas.settings import Settings
from atlas.store.artifact_writing import READ_CHUNK_BYTES, STALE_TEMP_S, HashingWriter
from atlas.store.fsspec_artifacts import FsspecArtifactStore
from atlas.store.part_files import part_key, part_offset, parts_prefix

__all__ = ["FETCH_BYTES", "PART_BYTES", "S3ArtifactStore", "S3Options", "part_size"]

PART_BYTES = 8 << 20
"""Size of the parts of a multipart upload (S3 asks at least 5 MiB but for the last)."""
FETCH_BYTES = 8 << 20
"""Most bytes one ranged GET of a read fetches."""
INSTALL_HINT = "s3:// artifact locations need s3fs: pip install 'atlas-ml[s3]'"


def part_size(number: int) -> int:
    """The size of upload part ``number`` (from 1): :data:`PART_BYTES`, doubling every 1,000
    parts, so S3's 10,000 parts reach past its 5 TB object limit."""
    return PART_BYTES << min((number - 1) // 1000, 9)


@dataclass(frozen=True)
class S3Options:
    """How to reach the bucket; ``None`` leaves a value to botocore's usual sources."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Options:
        """The ``s3_*`` settings."""
        return cls(
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )

    def storage_options(self) -> dict[str, Any]:
        """These options as s3fs takes them. s3fs's listing cache is off: other servers
        and jobs write to the same bucket."""
        options: dict[str, Any] = {"use_listings_cache": False, "skip_instance_cache": True}
        if self.endpoint_url:
            options["endpoint_url"] = self.endpoint_url
        if self.access_key_id:
            options["key"] = self.access_key_id
        if self.secret_access_key:
            options["secret"] = self.secret_access_key
        if self.region:
            options["client_kwargs"] = {"region_name": self.region}
        return options


class S3ArtifactStore(FsspecArtifactStore):
    """An ``ArtifactStore`` under ``s3://bucket/prefix``."""

    def __init__(self, url: str, *, options: S3Options | None = None) -> None:
        try:
            super().__init__(url, **(options or S3Options()).storage_options())
        except ImportError as exc:
            raise InvalidInputError(INSTALL_HINT) from exc
        self._bucket, _, prefix = self._root.partition("/")
        self._prefix = f"{prefix}/" if prefix else ""

    def check(self) -> None:
        """``InvalidInputError`` saying why when the bucket cannot be listed (missing,
        credentials refused, endpoint down)."""
        from botocore.exceptions import BotoCoreError

        try:
            self._call("list_objects_v2", Prefix=self._prefix, MaxKeys=1)
        except (OSError, ValueError, BotoCoreError) as exc:
            raise InvalidInputError(
                f"cannot use the bucket {self._bucket!r}: {exc}",
                detail={"bucket": self._bucket},
            ) from None

    def open_writer(self, relpath: str, *, max_bytes: int | None = None) -> HashingWriter:
        """A writer streaming into a multipart upload of ``relpath``'s key; the file appears
        when it commits."""
        key = self._key(relpath)
        return _S3Writer(
            self._call,
            relpath,
            self._object_name(key),
            max_bytes=max_bytes,
            after=lambda: self._drop_parts(key),
        )

    def remove_stale_temp_files(self, *, older_than: float = STALE_TEMP_S) -> int:
        """Abort the multipart uploads under the prefix started over ``older_than`` seconds
        ago (their servers died mid-upload; S3 would keep and bill their parts); how many."""
        cutoff = time.time() - older_than
        removed = 0
        marks: dict[str, str] = {}
        while True:
            answer = self._call("list_multipart_uploads", Prefix=self._prefix, **marks)
            for upload in answer.get("Uploads", []):
                if upload["Initiated"].timestamp() < cutoff:
                    self._abort(upload["Key"], upload["UploadId"])
                    removed += 1
            if not answer.get("IsTruncated"):
                return removed
            marks = {
                "KeyMarker": answer["NextKeyMarker"],
                "UploadIdMarker": answer["NextUploadIdMarker"],
            }

    def _object_size(self, key: str) -> int | None:
        try:
            answer = self._call("head_object", Key=self._object_name(key))
        except FileNotFoundError:
            return None
        return int(answer["ContentLength"])

    def _list_parts(self, key: str, start: int) -> list[tuple[int, int]]:
        name = self._object_name(key)
        prefix = parts_prefix(name)
        ask: dict[str, Any] = {"Prefix": prefix}
        if start > 0:  # names are zero-padded offsets: the listing starts at ``start``
            ask["StartAfter"] = part_key(name, start - 1)
        found: list[tuple[int, int]] = []
        while True:
            answer = self._call("list_objects_v2", **ask)
            for item in answer.get("Contents", []):
                rest = item["Key"][len(prefix) :]
                offset = part_offset(rest) if "/" not in rest else None
                if offset is not None and offset >= start:
                    found.append((offset, int(item["Size"])))
            if not answer.get("IsTruncated"):
                return sorted(found)
            ask["ContinuationToken"] = answer["NextContinuationToken"]

    def _read_range(self, key: str, relpath: str, start: int, stop: int) -> Iterator[bytes]:
        position = start
        while position < stop:
            end = min(position + FETCH_BYTES, stop)
            try:
                data = self._fs.cat_file(key, start=position, end=end)
            except FileNotFoundError:
                raise NotFoundError(f"no file {relpath!r}", detail={"path": relpath}) from None
            for first in range(0, len(data), READ_CHUNK_BYTES):
                yield data[first : first + READ_CHUNK_BYTES]
            position = end

    def _abort(self, name: str, upload_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):  # aborted or completed meanwhile
            self._call("abort_multipart_upload", Key=name, UploadId=upload_id)

    def _object_name(self, key: str) -> str:
        """``key`` (``bucket/path``) without its bucket."""
        return key.partition("/")[2]

    def _call(self, method: str, **kwargs: Any) -> Any:
        return self._fs.call_s3(method, Bucket=self._bucket, **kwargs)


class _S3Writer(HashingWriter):
    """Bytes gathered into parts of a multipart upload, started once a first part is full."""

    def __init__(
        self,
        call: Callable[..., Any],
        relpath: str,
        name: str,
        *,
        max_bytes: int | None,
        after: Callable[[], None],
    ) -> None:
        super().__init__(relpath, max_bytes=max_bytes)
        self._call = call
        self._name = name
        self._after = after
        self._pending = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def _put(self, data: bytes) -> None:
        self._pending += data
        while len(self._pending) >= part_size(len(self._parts) + 1):
            self._send_part(part_size(len(self._parts) + 1))

    def _send_part(self, size: int) -> None:
        if self._upload_id is None:
            started = self._call("create_multipart_upload", Key=self._name)
            self._upload_id = str(started["UploadId"])
        with memoryview(self._pending) as view:
            body = view[:size].tobytes()
        del self._pending[:size]
        number = len(self._parts) + 1
        answer = self._call(
            "upload_part", Key=self._name, UploadId=self._upload_id, PartNumber=number, Body=body
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def _publish(self) -> None:
        if self._upload_id is None:
            self._call("put_object", Key=self._name, Body=bytes(self._pending))
        else:
            if self._pending:
                self._send_part(len(self._pending))
            self._call(
                "complete_multipart_upload",
                Key=self._name,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
            self._upload_id = None
        self._pending = bytearray()
        self._after()

    def _discard(self) -> None:
        self._pending = bytearray()
        upload_id, self._upload_id = self._upload_id, None
        if upload_id is not None:
            self._call("abort_multipart_upload", Key=self._name, UploadId=upload_id)
