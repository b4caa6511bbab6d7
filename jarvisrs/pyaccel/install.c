//go:build jarvis_cpython && cgo

// jrx_install creates the fast paths and hands them to Python. Called once, from Go
// (install_cpython.go), while the package is imported.

#include <stdio.h>

#include "pyaccel.h"

static int install_into(PyObject *ns) {
	if (jrx_probe_layout() < 0) {
		return -1;
	}
	PyObject *type = jrx_new_stats_cache_type();
	PyObject *reader = PyCFunction_NewEx(&jrx_read_float32_def, NULL, NULL);
	PyObject *portable = PyCFunction_NewEx(&jrx_read_float32_portable_def, NULL, NULL);
	PyObject *direct = PyBool_FromLong(jrx_direct_lists && jrx_direct_floats);
	int r = -1;
	if (type != NULL && reader != NULL && portable != NULL && direct != NULL &&
	    PyDict_SetItemString(ns, "StatsCache", type) == 0 && PyDict_SetItemString(ns, "read_float32", reader) == 0 &&
	    PyDict_SetItemString(ns, "read_float32_portable", portable) == 0 &&
	    PyDict_SetItemString(ns, "direct_reads", direct) == 0) {
		r = 0;
	}
	Py_DecRef(type);
	Py_DecRef(reader);
	Py_DecRef(portable);
	Py_DecRef(direct);
	return r;
}

// jrx_install takes the GIL (gopy released it around the Go call), fills the dict at ns and
// returns 0, or -1 with the Python error's text in err (the error itself is cleared).
int jrx_install(uintptr_t ns, char *err, size_t errlen) {
	int gil = PyGILState_Ensure();
	int r = install_into((PyObject *)ns);
	if (r < 0) {
		PyObject *type, *value, *tb;
		PyErr_Fetch(&type, &value, &tb);
		PyObject *msg = value == NULL ? NULL : PyObject_Str(value);
		const char *text = msg == NULL ? NULL : PyUnicode_AsUTF8(msg);
		snprintf(err, errlen, "%s", text == NULL ? "unknown error" : text);
		PyErr_Clear();
		Py_DecRef(msg);
		Py_DecRef(type);
		Py_DecRef(value);
		Py_DecRef(tb);
	}
	PyGILState_Release(gil);
	return r;
}
