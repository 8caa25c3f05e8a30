"""Stream a multipart upload's `file` part to disk within a byte limit, never into memory.

Starlette's `request.form()` spools every file part to a temporary file with
no limit on its size (only non-file fields are bounded), so a partner's
upload is parsed here instead: python-multipart's streaming parser is fed the
request body chunk by chunk as it arrives, the bytes of the `file` part go
straight into a file of the upload's own folder, and the whole body is
counted: past the limit the request is refused (413) before another chunk
is read, with at most one chunk (64 KB) beyond the limit ever held.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from prakerja.kit.errors import InputError, PrakerjaError

#: The most a partner's upload body may hold: 100 MB (MiB, 104,857,600 bytes).
UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024
#: The multipart field that carries the file.
FILE_FIELD = b"file"


class TooLargeError(PrakerjaError):
    """A request body over its limit."""

    status_code = 413


@dataclass
class StreamedFile:
    """The `file` part once on disk: where, as which name, how many bytes."""

    path: Path
    size: int


@dataclass
class _Parts:
    """The parser's state: the headers of the current part, and where the file part goes."""

    name_file: Callable[[str | None], Path]
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    sink: IO[bytes] | None = None
    written: StreamedFile | None = None
    files: int = 0

    def part_begin(self) -> None:
        self.headers = []

    def header_field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers.append((bytes(self.header_field).lower(), bytes(self.header_value)))
        self.header_field.clear()
        self.header_value.clear()

    def headers_finished(self) -> None:
        disposition = dict(self.headers).get(b"content-disposition")
        _kind, options = parse_options_header(disposition)
        if options.get(b"name") != FILE_FIELD:
            return
        self.files += 1
        if self.files > 1:
            raise InputError("send one file in the multipart field 'file'")
        filename = options.get(b"filename")
        path = self.name_file(filename.decode("utf-8", "replace") if filename else None)
        self.sink = path.open("xb")
        self.written = StreamedFile(path, 0)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.sink is not None and self.written is not None:
            self.sink.write(data[start:end])
            self.written.size += end - start

    def part_end(self) -> None:
        if self.sink is not None:
            self.sink.close()
            self.sink = None

    def close(self) -> None:
        self.part_end()


def multipart_boundary(content_type: str | None) -> bytes:
    """Return the boundary of a multipart/form-data body, or refuse another kind of body."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InputError("send the file as multipart/form-data in the field 'file'")
    return boundary


async def stream_file_part(
    chunks: AsyncIterator[bytes],
    *,
    boundary: bytes,
    name_file: Callable[[str | None], Path],
    limit: int,
) -> StreamedFile:
    """Write the body's `file` part to the path `name_file(filename)` gives; count the body.

    A body over `limit` bytes is TooLargeError, a malformed body or one
    without a `file` part InputError (the caller removes what was written).
    """
    parts = _Parts(name_file)
    try:
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": parts.part_begin,
                "on_header_field": parts.header_field_data,
                "on_header_value": parts.header_value_data,
                "on_header_end": parts.header_end,
                "on_headers_finished": parts.headers_finished,
                "on_part_data": parts.part_data,
                "on_part_end": parts.part_end,
            },
        )
        received = 0
        async for chunk in chunks:
            received += len(chunk)
            if received > limit:
                raise TooLargeError(f"the body is over the limit of {limit} bytes")
            parser.write(chunk)
        parser.finalize()
    except FormParserError as malformed:
        raise InputError("the body is not a well-formed multipart/form-data body") from malformed
    except ClientDisconnect as gone:
        raise InputError("the upload ended before its body did") from gone
    finally:
        parts.close()
    if parts.written is None:
        raise InputError("the multipart body has no field 'file'")
    return parts.written
