//go:build jarvis_cpython && cgo

// Argument conversion for the fast paths, matching what the facade and gopy did before: positional
// or keyword arguments, PyFloat_AsDouble's numbers, and TypeErrors that name the argument.

#include "pyaccel.h"

// parse_args fills out[0..n) from positional arguments, then keywords; all n are required.
int jrx_parse_args(const char *fname, const char *const *names, int n, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames, PyObject **out) {
	if (nargs > n) {
		PyErr_Format(PyExc_TypeError, "%s() takes %d positional arguments but %zd were given", fname, n, nargs);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		out[i] = i < nargs ? args[i] : NULL;
	}
	Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_Size(kwnames);
	for (Py_ssize_t k = 0; k < nkw; k++) {
		PyObject *key = PyTuple_GetItem(kwnames, k);
		int j = 0;
		while (j < n && PyUnicode_CompareWithASCIIString(key, names[j]) != 0) {
			j++;
		}
		if (j == n) {
			PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", fname, key);
			return -1;
		}
		if (out[j] != NULL) {
			PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, names[j]);
			return -1;
		}
		out[j] = args[nargs + k];
	}
	for (int i = 0; i < n; i++) {
		if (out[i] == NULL) {
			PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fname, names[i]);
			return -1;
		}
	}
	return 0;
}

// type_name returns a new reference to type(o).__name__.
PyObject *jrx_type_name(PyObject *o) {
	return PyObject_GetAttrString((PyObject *)OB_TYPE(o), "__name__");
}

// as_double converts like PyFloat_AsDouble (floats, ints, __float__, __index__), reading exact
// floats in place. On failure it returns -1 with the exception set.
int jrx_as_double(PyObject *o, double *out) {
	if (OB_TYPE(o) == &PyFloat_Type && jrx_direct_floats) {
		*out = FLOAT_VALUE(o);
		return 0;
	}
	double d = PyFloat_AsDouble(o);
	if (d == -1.0 && PyErr_Occurred()) {
		return -1;
	}
	*out = d;
	return 0;
}

// number_arg is the facade's as_float: a TypeError naming the argument for anything that is not a
// real number (str, bytes, None, objects whose __float__ fails).
int jrx_number_arg(PyObject *o, const char *name, double *out) {
	if (jrx_as_double(o, out) == 0) {
		return 0;
	}
	if (PyErr_ExceptionMatches(PyExc_TypeError) || PyErr_ExceptionMatches(PyExc_ValueError)) {
		PyErr_Clear();
		PyObject *tn = jrx_type_name(o);
		if (tn != NULL) {
			PyErr_Format(PyExc_TypeError, "%s must be a number, not %U", name, tn);
			Py_DecRef(tn);
		}
	}
	return -1;
}

// int_arg is the facade's as_int plus gopy's int64 conversion: TypeError for bool and non-integers,
// OverflowError beyond int64.
int jrx_int_arg(PyObject *o, const char *name, long long *out) {
	if (OB_TYPE(o) == &PyBool_Type) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not bool", name);
		return -1;
	}
	PyObject *index = PyNumber_Index(o);
	if (index == NULL) {
		if (PyErr_ExceptionMatches(PyExc_TypeError)) {
			PyErr_Clear();
			PyObject *tn = jrx_type_name(o);
			if (tn != NULL) {
				PyErr_Format(PyExc_TypeError, "%s must be an int, not %U", name, tn);
				Py_DecRef(tn);
			}
		}
		return -1;
	}
	long long v = PyLong_AsLongLong(index);
	Py_DecRef(index);
	if (v == -1 && PyErr_Occurred()) {
		return -1;
	}
	*out = v;
	return 0;
}

