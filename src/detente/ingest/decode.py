"""Turn file bytes into text, refusing binary and mis-encoded input with a clear message."""

from __future__ import annotations

from detente.errors import InputError

_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def decode_bytes(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name}: invalid UTF-16 text") from None
    head = data[:8192]
    if b"\x00" in head or (head and sum(b in _CONTROL for b in head) / len(head) > 0.05):
        raise InputError(f"{name}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-encode the file as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
