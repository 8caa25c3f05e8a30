"""The multipart streamer: any chunking gives the same file; limits and faults are refusals."""

from __future__ import annotations

import pytest
from starlette.requests import ClientDisconnect

from prakerja.api.uploads import TooLargeError, stream_file_part
from prakerja.kit.errors import InputError
from tests.event_loop import run_coroutine

CONTENT = b"partner_code,instruction_id\r\nOVO,INS-1\r\n--not-a-boundary\r\n"


def _body(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, data in parts:
        named = f'; filename="{filename}"' if filename is not None else ""
        out += f'--XyZ\r\nContent-Disposition: form-data; name="{name}"{named}\r\n\r\n'.encode()
        out += data + b"\r\n"
    return out + b"--XyZ--\r\n"


async def _chunks(body: bytes, size: int, *, then: BaseException | None = None):
    for start in range(0, len(body), size):
        yield body[start : start + size]
    if then is not None:
        raise then


def _stream(tmp_path, body: bytes, *, size: int = 7, limit: int = 10_000, then=None):
    names: list[str | None] = []

    def name_file(given):
        names.append(given)
        return tmp_path / "kept.csv"

    streamed = run_coroutine(
        stream_file_part(
            _chunks(body, size, then=then), boundary=b"XyZ", name_file=name_file, limit=limit
        )
    )
    return streamed, names


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
def test_any_chunking_writes_the_file_part_exactly(tmp_path, size):
    body = _body(("note", None, b"ignored"), ("file", "hasil.csv", CONTENT))
    streamed, names = _stream(tmp_path, body, size=size)
    assert names == ["hasil.csv"]
    assert streamed.path.read_bytes() == CONTENT
    assert streamed.size == len(CONTENT)


def test_two_files_or_none_are_refused(tmp_path):
    with pytest.raises(InputError, match="one file"):
        _stream(tmp_path, _body(("file", "a.csv", b"a"), ("file", "b.csv", b"b")))
    with pytest.raises(InputError, match="no field 'file'"):
        _stream(tmp_path, _body(("other", "a.csv", b"a")))


def test_a_body_past_the_limit_is_too_large(tmp_path):
    with pytest.raises(TooLargeError):
        _stream(tmp_path, _body(("file", "a.csv", b"x" * 500)), limit=400)


def test_a_client_gone_mid_body_or_a_broken_body_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="ended"):
        _stream(tmp_path, _body(("file", "a.csv", b"abc"))[:60], then=ClientDisconnect())
    with pytest.raises(InputError):
        _stream(tmp_path, b"--XyZ\r\nContent-Disposition form-data\r\n\r\n" + b"\x00" * 10)
