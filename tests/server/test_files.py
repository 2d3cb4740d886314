"""Content types, artifact kinds and Range headers."""

from __future__ import annotations

import pytest

from atlas.domain import ArtifactKind
from atlas.errors import RangeNotSatisfiableError
from atlas.server.files import guess_kind, guess_mime, parse_range


@pytest.mark.parametrize(
    ("path", "mime", "kind"),
    [
        ("plots/loss.png", "image/png", ArtifactKind.IMAGE),
        ("a.JPG", "image/jpeg", ArtifactKind.IMAGE),
        ("a.webp", "image/webp", ArtifactKind.IMAGE),
        ("anim.gif", "image/gif", ArtifactKind.GIF),
        ("a.wav", "audio/x-wav", ArtifactKind.AUDIO),
        ("a.flac", "audio/flac", ArtifactKind.AUDIO),
        ("a.mp4", "video/mp4", ArtifactKind.VIDEO),
        ("table.csv", "text/csv", ArtifactKind.TABLE),
        ("table.tsv", "text/tab-separated-values", ArtifactKind.TABLE),
        ("notes.txt", "text/plain", ArtifactKind.TEXT),
        ("README.md", "text/markdown", ArtifactKind.TEXT),
        ("config.yaml", "application/yaml", ArtifactKind.TEXT),
        ("out.json", "application/json", ArtifactKind.TEXT),
        ("model.pt", "application/octet-stream", ArtifactKind.FILE),
        ("data.tar.gz", "application/gzip", ArtifactKind.FILE),
        ("no_extension", "application/octet-stream", ArtifactKind.FILE),
    ],
)
def test_mime_and_kind_come_from_the_name(path: str, mime: str, kind: ArtifactKind) -> None:
    assert guess_mime(path) == mime
    assert guess_kind(mime) is kind


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 10)),
        ("bytes=10-", (10, 100)),
        ("bytes=90-200", (90, 100)),
        ("bytes=-10", (90, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=99-99", (99, 100)),
        (" bytes=1-2 ", (1, 3)),
        # Not one well-formed byte range: ignored, the whole file is sent.
        ("bytes=5-2", None),
        ("bytes=-", None),
        ("bytes=0-1,5-6", None),
        ("items=0-5", None),
        ("bytes=a-b", None),
        ("bytes=" + "9" * 5000 + "-", None),
    ],
)
def test_parse_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=100-", 100), ("bytes=100-200", 100), ("bytes=-0", 100), ("bytes=0-", 0)],
)
def test_ranges_outside_the_file_are_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiableError) as caught:
        parse_range(header, size)
    assert caught.value.detail["size"] == size
