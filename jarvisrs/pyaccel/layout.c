//go:build jarvis_cpython && cgo

// The object layout the fast paths read directly, found and verified at install time on objects
// made for the purpose (see jrx_probe_layout), never assumed.

#include "pyaccel.h"

Py_ssize_t jrx_header;
Py_ssize_t jrx_type_off;
int jrx_direct_floats;
int jrx_direct_lists;

PyObject *jrx_none(void) {
	Py_IncRef(&_Py_NoneStruct);
	return &_Py_NoneStruct;
}

// probe_layout finds the header size from object.__basicsize__ and checks, on objects made for the
// purpose, that the type pointer, a float's value and a list's items sit where CPython 3.9-3.13
// (default builds) put them. Returns -1 (Python error set) when even the type pointer is not found.
int jrx_probe_layout(void) {
	PyObject *size = PyObject_GetAttrString((PyObject *)&PyBaseObject_Type, "__basicsize__");
	if (size == NULL) {
		return -1;
	}
	jrx_header = PyLong_AsSsize_t(size);
	Py_DecRef(size);
	if (jrx_header < (Py_ssize_t)(2 * sizeof(void *)) || jrx_header > 256 || jrx_header % sizeof(void *) != 0) {
		PyErr_Format(PyExc_RuntimeError, "unexpected object header size %zd", jrx_header);
		return -1;
	}
	jrx_type_off = jrx_header - (Py_ssize_t)sizeof(void *);
	PyObject *a = PyFloat_FromDouble(1.25), *b = PyFloat_FromDouble(-3.5), *list = PyList_New(2);
	int ok = a != NULL && b != NULL && list != NULL;
	if (ok && (OB_TYPE(a) != &PyFloat_Type || OB_TYPE(list) != &PyList_Type)) {
		PyErr_SetString(PyExc_RuntimeError, "object type pointer not found where expected");
		ok = 0;
	}
	if (ok) {
		jrx_direct_floats = FLOAT_VALUE(a) == 1.25 && FLOAT_VALUE(b) == -3.5;
		Py_IncRef(a);
		Py_IncRef(b);
		PyList_SetItem(list, 0, a);  // steals the references just taken
		PyList_SetItem(list, 1, b);
		jrx_direct_lists = *(Py_ssize_t *)((char *)list + jrx_header) == 2 && LIST_ITEMS(list)[0] == a &&
		               LIST_ITEMS(list)[1] == b;
	}
	Py_DecRef(a);
	Py_DecRef(b);
	Py_DecRef(list);
	return ok ? 0 : -1;
}

