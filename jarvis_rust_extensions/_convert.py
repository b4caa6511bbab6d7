"""Argument conversions shared by the facade: Python values into the plain types Go takes."""

from __future__ import annotations

import operator
import os
from typing import Any


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
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None


def as_path(value: Any, name: str = "path") -> str:
    """A ``str | bytes | os.PathLike`` path as ``str`` for Go; rejects NUL bytes with ``ValueError``."""
    try:
        path = os.fsdecode(os.fspath(value))
    except TypeError:
        raise TypeError(f"{name} must be a str, bytes or os.PathLike, not {type(value).__name__}") from None
    if "\x00" in path:
        raise ValueError(f"{name} must not contain NUL bytes")
    return path
