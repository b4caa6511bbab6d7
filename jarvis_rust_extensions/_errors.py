"""Exception types, and the translation of Go error codes into them.

Go errors reach Python as ``RuntimeError("[jrx:<code>] message")`` (gopy cannot choose the type).
The code is a stable contract with ``jarvisrs/errors.go``; the message is for people and is never
parsed.
"""

from __future__ import annotations

import errno as _errno
import os
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Optional, Tuple, Type

__all__ = ["InvalidModelDataError", "LZ4BlockError", "ForkedProcessError", "translate"]


class InvalidModelDataError(OSError, ValueError):
    """``decompress_model`` input that is neither an LZ4 frame nor gzip, or is corrupt.

    It is an ``OSError`` because the original raised one, and a ``ValueError`` because that is
    what it really is; ``except`` clauses written for either keep working.
    """


class LZ4BlockError(RuntimeError, ValueError):
    """A raw LZ4 block that cannot be decoded, or a size it cannot justify.

    A ``RuntimeError`` like the original's error, and a ``ValueError`` for code that expects one.
    """


class ForkedProcessError(RuntimeError):
    """A call was made in a child created by ``fork()`` after the Go runtime had started.

    The Go runtime does not survive ``fork()``: such a call could hang forever, so it raises
    instead. Use the ``spawn`` or ``forkserver`` start method of ``multiprocessing``.
    """


_PREFIX = "[jrx:"


def _parse_code(text: str) -> Optional[Tuple[str, Optional[str], str]]:
    """``(code, number or None, message)`` of ``"[jrx:<code>[:<digits>]] message"`` (code: a-z), or None.

    By hand rather than with ``re``: importing ``re`` would cost milliseconds at every import.
    """
    if not text.startswith(_PREFIX):
        return None
    end = text.find("] ", len(_PREFIX))
    if end < 0:
        return None
    code, colon, number = text[len(_PREFIX):end].partition(":")
    if not (code.isascii() and code.isalpha() and code.islower()):
        return None
    if colon and not (number.isascii() and number.isdigit()):
        return None
    return code, (number if colon else None), text[end + 2:]

_BY_CODE: dict[str, Type[BaseException]] = {
    "value": ValueError,
    "type": TypeError,
    "toolarge": ValueError,
    "corrupt": RuntimeError,
    "internal": RuntimeError,
}


def translate(exc: BaseException, *, corrupt: Optional[Type[BaseException]] = None,
              filename: Optional[object] = None) -> BaseException:
    """Return the documented Python exception for an error raised by the Go extension.

    Args:
        exc: the ``RuntimeError`` gopy raised.
        corrupt: the type to use for corrupt or oversized compressed data in this call.
        filename: the path the call was about, attached to ``OSError``\\ s.

    Returns:
        A new exception (the caller raises it ``from None``); ``exc`` itself when it carries no
        code (an error that did not come from our Go code).
    """
    parsed = _parse_code(str(exc))
    if parsed is None:
        return exc
    code, number, message = parsed
    if code == "os":
        if number is not None:
            err = int(number)
            strerror = os.strerror(err)
            if filename is not None:
                return OSError(err, strerror, os.fsdecode(filename) if isinstance(filename, bytes) else str(filename))
            return OSError(err, f"{strerror}: {message}")
        return OSError(message)
    if corrupt is not None and code in ("corrupt", "toolarge"):
        if issubclass(corrupt, OSError):
            return corrupt(_errno.EINVAL, message)
        return corrupt(message)
    return _BY_CODE.get(code, RuntimeError)(message)
