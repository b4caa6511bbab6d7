"""Argument conversions shared by the facade: Python values into the plain types Go takes."""

from __future__ import annotations

import os
from _operator import index  # operator.index itself; the operator module costs ~1 ms to import
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Union


def as_float(value: Any, name: str) -> float:
    """``value`` as a float; ``TypeError`` for anything that is not a real number (str, None...)."""
    if isinstance(value, (str, bytes, bytearray)) or value is None:
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}") from None


def as_int(value: Any, name: str) -> int:
    """``value`` as an int; ``TypeError`` for floats, strings and other non-integers (bool is refused too)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    try:
        return index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None


def as_path(value: Any, name: str = "path") -> str:
    """The wire form of a path for Go (see ``absolute_path``)."""
    return wire_path(absolute_path(value, name))


def wire_path(raw: bytes) -> str:
    """An absolute path's bytes as Go's ``decodePath`` reads them: UTF-8 as is, anything else as
    ``"hex:" + bytes.hex()`` (gopy passes strings as UTF-8)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + raw.hex()


def path_from_wire(wire: str) -> Union[str, bytes]:
    """A path Go returned in the wire form (``encodePath``, the inverse of ``wire_path``): a str
    when it was UTF-8, else its bytes."""
    return bytes.fromhex(wire[4:]) if wire.startswith("hex:") else wire


def absolute_path(value: Any, name: str = "path") -> bytes:
    """A ``str | bytes | os.PathLike`` path as absolute bytes (Linux paths are bytes).

    Made absolute without normalising (``link/..`` keeps meaning what ``open()`` means); the
    process has one working directory, shared with Go. ``TypeError`` for non-paths, ``ValueError``
    for empty paths and NUL bytes.
    """
    try:
        raw = os.fsencode(os.fspath(value))
    except TypeError:
        raise TypeError(f"{name} must be a str, bytes or os.PathLike, not {type(value).__name__}") from None
    if b"\x00" in raw:
        raise ValueError(f"{name} must not contain NUL bytes")
    if not raw:
        raise ValueError(f"{name} must not be empty")
    if not raw.startswith(b"/"):
        raw = os.path.join(os.getcwdb(), raw)
    return raw
