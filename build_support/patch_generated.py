"""Mend gopy v0.5.0's generated Go wrappers so that an unknown handle raises instead of crashing.

gopy generates one cgo function per exported method. Each starts by releasing the GIL
(``_saved_thread := C.PyEval_SaveThread()``), then looks the receiver up by handle number; when the
number is unknown it returns a zero value at once. Two shapes come out of gopy:

* methods returning ``(T, error)`` or ``error`` restore the thread state only on the normal path,
  so the early return leaves the GIL released and the interpreter dies on its next step
  (a segfault or "PyEval_RestoreThread: NULL tstate");
* the other methods restore it with ``defer``, but return the zero value with no Python exception
  set, so a bad handle silently reads as ``0`` or ``False``.

``patch`` rewrites every such early return to take the GIL back, set ``RuntimeError("gopy: variable
handle not registered: N")`` (the generated wrappers are pybindgen "checked" functions, which test
``PyErr_Occurred()`` after the call) and, in the ``defer`` shape, release the GIL again so the
deferred restore stays balanced. The function is pure over the generated text and fails loudly
(``PatchError``) when the expected shape is not found, so a gopy upgrade cannot silently skip it.
"""

from __future__ import annotations

import re
import sys

__all__ = ["PatchError", "patch", "patch_file", "MARKER"]

MARKER = "// jarvis: bad handle raises (build_support/patch_generated.py)"

_LOOKUP = "gopyh.VarFromHandleTry((gopyh.CGoHandle)(_handle)"

_SHAPE = re.compile(
    r"(?P<save>(?P<ind>\t+)_saved_thread := C\.PyEval_SaveThread\(\)\n)"
    r"(?P<defer>\t+defer C\.PyEval_RestoreThread\(_saved_thread\)\n)?"
    r"(?P<lookup>\t+vifc, __err := gopyh\.VarFromHandleTry\(\(gopyh\.CGoHandle\)\(_handle\), \"[^\"\n]+\"\)\n)"
    r"(?P<open>\t+if __err != nil \{\n)"
    r"(?P<ret>(?P<rind>\t+)return[^\n]*\n)"
    r"(?P<close>\t+\}\n)"
)


class PatchError(RuntimeError):
    """The generated source does not have the shape this patch was written for."""


def _fix(m: re.Match) -> str:
    ind = m.group("rind")
    lines = [
        f"{ind}{MARKER}\n",
        f"{ind}C.PyEval_RestoreThread(_saved_thread)\n",
        f"{ind}__estr := C.CString(__err.Error())\n",
        f"{ind}C.PyErr_SetString(C.PyExc_RuntimeError, __estr)\n",
        f"{ind}C.free(unsafe.Pointer(__estr))\n",
    ]
    if m.group("defer"):
        lines.append(f"{ind}_saved_thread = C.PyEval_SaveThread()\n")
    return (m.group("save") + (m.group("defer") or "") + m.group("lookup") + m.group("open")
            + "".join(lines) + m.group("ret") + m.group("close"))


def patch(text: str) -> str:
    """Return ``text`` (gopy's generated ``<name>.go``) with every handle lookup's early return mended.

    Raises:
        PatchError: the text was already patched, has no handle lookup at all, or has a lookup
            whose surrounding code is not the shape gopy v0.5.0 generates.
    """
    if MARKER in text:
        raise PatchError("the generated source is already patched")
    lookups = text.count(_LOOKUP)
    if lookups == 0:
        raise PatchError(f"no {_LOOKUP!r} in the generated source: has gopy changed its wrappers?")
    if "C.PyErr_SetString(C.PyExc_RuntimeError" not in text:
        raise PatchError("the generated source lacks gopy's own error path (PyErr_SetString)")
    out, n = _SHAPE.subn(_fix, text)
    if n != lookups:
        raise PatchError(f"{lookups} handle lookups in the generated source but only {n} have the expected "
                         "shape (SaveThread, optional deferred RestoreThread, lookup, early return): "
                         "check build_support/patch_generated.py against this gopy version")
    return out


def patch_file(path: str) -> int:
    """Patch the generated Go file at ``path`` in place; return the number of wrappers mended."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = patch(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(out)
    return out.count(MARKER)


if __name__ == "__main__":  # pragma: no cover - manual use: python -m build_support.patch_generated FILE
    print(f"{patch_file(sys.argv[1])} wrappers patched in {sys.argv[1]}")
