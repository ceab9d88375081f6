"""Turn file bytes into text, refusing binary and mis-encoded input with a clear message."""

from __future__ import annotations

import codecs

from detente.errors import InputError

_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}
# Longest first: the UTF-32 little-endian mark starts with the UTF-16 one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))


def decode_bytes(name: str, data: bytes) -> str:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise InputError(f"{name}: invalid {label} text") from None
            return _newlines(text)
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
    return _newlines(text)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def display_name(name: str) -> str:
    """A file name fit for messages and the store: bytes that are not UTF-8 shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def unpaired_surrogate(text: str) -> str | None:
    """The first lone surrogate in `text` as an escape ('\\ud800'), or None (JSON can carry them)."""
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return f"\\u{ord(text[exc.start]):04x}"
