"""Zip files (the data package, the XLSX) made of deflated chunks that a rebuild reuses.

A large file is cut into chunks (data.py cuts tables at rows chosen by their content) and
each chunk is deflated on its own, ending with a full flush: its compressed bytes depend only
on its own bytes, and the chunks one after another, then an empty final block, are one valid
deflate stream. The chunks are kept by digest between builds (`Chunks`), so a rebuild
compresses only the chunks that changed. A build from scratch and a rebuild run the same
steps, so they give the same bytes.

zipfile cannot take data that is already compressed, so the container is written here: local
headers, the data, the central directory and its end; no data descriptors, no extra fields,
one fixed date.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

LEVEL = 6  # zlib's default, as zipfile uses
# An empty final block (fixed Huffman codes): ends the stream the chunks began.
FINAL_BLOCK = b"\x03\x00"
# A chunk kept by another zlib or level would still be valid, but not the bytes a build from
# scratch would give.
SALT = f"deflate zlib={zlib.ZLIB_RUNTIME_VERSION} level={LEVEL}\0".encode()

DEFLATED, STORED = 8, 0
_SIZES = struct.Struct("<II")


def digest(*parts: bytes) -> bytes:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part)
    return hasher.digest()


def crc32_combine(crc_first: int, crc_second: int, second_length: int) -> int:
    """The CRC-32 of two byte strings one after the other, from the CRC-32 of each.

    CRC-32 is affine in the bits of the message, so crc(A+B) = crc(A+zeros) ^ crc(B) ^
    crc(zeros), with as many zero bytes as B has (zlib in Python has no crc32_combine).
    """
    zeros = bytes(second_length)
    return zlib.crc32(zeros, crc_first) ^ crc_second ^ zlib.crc32(zeros)


@dataclass(frozen=True)
class Deflated:
    """A chunk, deflated with a full flush at its end, with the CRC-32 and size of its bytes."""

    crc: int
    size: int
    data: bytes

    @classmethod
    def of(cls, raw: bytes) -> Deflated:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        data = compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH)
        return cls(zlib.crc32(raw), len(raw), data)

    def to_bytes(self) -> bytes:
        return _SIZES.pack(self.crc, self.size) + self.data

    @classmethod
    def from_bytes(cls, kept: bytes) -> Deflated:
        crc, size = _SIZES.unpack_from(kept)
        return cls(crc, size, kept[_SIZES.size :])


class Chunks:
    """Values by key: the last build's where it had them, else made now.

    `used` holds only what this build asked for: kept for the next build, the store does not
    grow with every edit.
    """

    def __init__(self, previous: dict[bytes, bytes] | None = None) -> None:
        self.previous = previous or {}
        self.used: dict[bytes, bytes] = {}

    def value(self, key: bytes, make: Callable[[], bytes]) -> bytes:
        found = self.used.get(key)
        if found is None:
            found = self.previous.get(key)
            if found is None:
                found = make()
            self.used[key] = found
        return found

    def deflated(self, key: bytes, make: Callable[[], bytes]) -> Deflated:
        """The chunk of bytes `make` gives (key: a digest of what they are made from)."""
        kept = self.value(digest(SALT, key), lambda: Deflated.of(make()).to_bytes())
        return Deflated.from_bytes(kept)

    def deflate(self, raw: bytes) -> Deflated:
        return self.deflated(digest(b"bytes\0", raw), lambda: raw)


@dataclass(frozen=True)
class Member:
    """A file in a zip: its bytes as stored there, and the CRC-32 and size of its own bytes."""

    name: str
    method: int
    crc: int
    size: int
    data: bytes


def deflated_member(name: str, chunks: list[Deflated]) -> Member:
    """A file made of these chunks, in order."""
    crc, size = 0, 0
    for chunk in chunks:
        crc = crc32_combine(crc, chunk.crc, chunk.size)
        size += chunk.size
    data = b"".join(chunk.data for chunk in chunks) + FINAL_BLOCK
    return Member(name, DEFLATED, crc, size, data)


def stored_member(name: str, raw: bytes) -> Member:
    """A file kept as it is: for one that is compressed already (an XLSX)."""
    return Member(name, STORED, zlib.crc32(raw), len(raw), raw)


DateTime = tuple[int, int, int, int, int, int]


def dos_date_time(when: DateTime) -> tuple[int, int]:
    year, month, day, hour, minute, second = when
    return (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_VERSION = 20  # 2.0: deflate
_MADE_ON_UNIX = 3 << 8 | _VERSION  # so that the permissions below are read
_READABLE = 0o100644 << 16  # a regular file, rw-r--r--
_UTF8_NAME = 0x800


def zip_bytes(members: list[Member], when: DateTime) -> bytes:
    """A zip of these members, all dated `when`: its bytes depend only on theirs."""
    date, time = dos_date_time(when)
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for member in members:
        name = member.name.encode("utf-8")
        flags = 0 if member.name.isascii() else _UTF8_NAME
        if max(offset, len(member.data), member.size) >= 0xFFFFFFFF or len(members) >= 0xFFFF:
            raise ValueError("too large for a zip without ZIP64")
        sizes = (member.crc, len(member.data), member.size, len(name))
        local = _LOCAL.pack(0x04034B50, _VERSION, flags, member.method, time, date, *sizes, 0)
        # no extra field, no comment, disk 0, no internal attributes
        central = (_MADE_ON_UNIX, _VERSION, flags, member.method, time, date, *sizes, 0, 0, 0, 0)
        directory.append(_CENTRAL.pack(0x02014B50, *central, _READABLE, offset) + name)
        out += [local, name, member.data]
        offset += len(local) + len(name) + len(member.data)
    listing = b"".join(directory)
    if offset + len(listing) >= 0xFFFFFFFF:
        raise ValueError("too large for a zip without ZIP64")
    end = _END.pack(0x06054B50, 0, 0, len(members), len(members), len(listing), offset, 0)
    return b"".join([*out, listing, end])
