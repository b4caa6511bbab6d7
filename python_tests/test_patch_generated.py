"""build_support/patch_generated.py: mends both wrapper shapes gopy v0.5.0 generates and refuses
any other shape loudly (so a gopy upgrade cannot silently drop the fix)."""

import importlib.util
import os

import pytest

from conftest import REPO

_spec = importlib.util.spec_from_file_location("patch_generated", os.path.join(REPO, "build_support", "patch_generated.py"))
pg = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pg)

ERROR_SHAPE = """//export jarvisrs_T_F
func jarvisrs_T_F(_handle CGoHandle) C.longlong {
\t_saved_thread := C.PyEval_SaveThread()
\tvifc, __err := gopyh.VarFromHandleTry((gopyh.CGoHandle)(_handle), "*jarvisrs.T")
\tif __err != nil {
\t\treturn C.longlong(0)
\t}
\tcret, __err := gopyh.Embed(vifc, reflect.TypeOf(jarvisrs.T{})).(*jarvisrs.T).F()
\tC.PyEval_RestoreThread(_saved_thread)
\tif __err != nil {
\t\testr := C.CString(__err.Error())
\t\tC.PyErr_SetString(C.PyExc_RuntimeError, estr)
\t\tC.free(unsafe.Pointer(estr))
\t\treturn C.longlong(0)
\t}
\treturn C.longlong(cret)
}
"""

DEFER_SHAPE = """func jarvisrs_T_G(_handle CGoHandle) C.double {
\t_saved_thread := C.PyEval_SaveThread()
\tdefer C.PyEval_RestoreThread(_saved_thread)
\tvifc, __err := gopyh.VarFromHandleTry((gopyh.CGoHandle)(_handle), "*jarvisrs.T")
\tif __err != nil {
\t\treturn C.double(0)
\t}
\treturn C.double(gopyh.Embed(vifc, reflect.TypeOf(jarvisrs.T{})).(*jarvisrs.T).G())
}
"""


def _branch(text, fn):
    body = text[text.index(fn):]
    return body[body.index("if __err != nil {"):body.index("}\n", body.index("if __err != nil {"))]


def test_error_shape_restores_the_thread_and_sets_an_exception():
    out = pg.patch(ERROR_SHAPE)
    branch = _branch(out, "jarvisrs_T_F")
    assert branch.index("C.PyEval_RestoreThread(_saved_thread)") < branch.index("PyErr_SetString") < branch.index("return")
    assert "PyEval_SaveThread" not in branch


def test_defer_shape_sets_an_exception_with_the_gil_and_stays_balanced():
    out = pg.patch(ERROR_SHAPE + DEFER_SHAPE)  # gopy's error path exists in every real file
    branch = _branch(out, "jarvisrs_T_G")
    order = [branch.index(s) for s in ("C.PyEval_RestoreThread(_saved_thread)", "PyErr_SetString",
                                       "_saved_thread = C.PyEval_SaveThread()", "return C.double(0)")]
    assert order == sorted(order)


def test_both_shapes_in_one_file_and_nothing_else_changes():
    text = ERROR_SHAPE + "\n// other code\n" + DEFER_SHAPE
    out = pg.patch(text)
    assert out.count(pg.MARKER) == 2
    stripped = "\n".join(line for line in out.splitlines()
                         if not any(s in line for s in (pg.MARKER, "__estr", "_saved_thread = C.PyEval_SaveThread()"))
                         and not (line.strip() == "C.PyEval_RestoreThread(_saved_thread)" and line.startswith("\t\t")))
    assert stripped == text.rstrip("\n")


@pytest.mark.parametrize("text", [
    "",                                                                  # nothing to patch
    ERROR_SHAPE.replace("\t\treturn C.longlong(0)\n\t}\n\tcret", "\t\tpanic(__err)\n\t}\n\tcret"),  # early exit changed
    ERROR_SHAPE.replace("\tvifc, __err", "\tfoo()\n\tvifc, __err"),     # something between save and lookup
    ERROR_SHAPE.replace("C.PyErr_SetString", "C.PyErr_SetObject"),       # gopy's own error path changed
])
def test_an_unexpected_shape_fails_loudly(text):
    with pytest.raises(pg.PatchError):
        pg.patch(text)


def test_patching_twice_is_refused():
    with pytest.raises(pg.PatchError, match="already"):
        pg.patch(pg.patch(ERROR_SHAPE))
