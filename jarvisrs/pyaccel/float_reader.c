//go:build jarvis_cpython && cgo

// read_float32: a Python list or tuple of numbers into float32 memory, with the GIL held (Python
// calls it directly), exactly as array('f', seq) converts.

#include "pyaccel.h"

// index_error re-raises the pending exception (same type) with the sequence's name and the index.
static PyObject *index_error(PyObject *name, Py_ssize_t i) {
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *msg = value == NULL ? NULL : PyObject_Str(value);
	if (msg != NULL) {
		PyErr_Format(type, "%U[%zd]: %U", name, i, msg);
		Py_DecRef(msg);
		Py_DecRef(type);
		Py_DecRef(value);
		Py_DecRef(tb);
	} else {
		PyErr_Restore(type, value, tb);
	}
	return NULL;
}

static PyObject *changed_size(PyObject *name) {
	PyErr_Format(PyExc_RuntimeError, "%U changed size while it was being read", name);
	return NULL;
}

// read_float32(seq, address, count, name): converts every element of the list or tuple seq, which
// must hold count elements, to float32 at address (count * 4 bytes the caller owns) exactly as
// array('f', seq) does: PyFloat_AsDouble, then a C cast (out of float32 range gives +-inf).
static PyObject *read_float32(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
	(void)module;
	if (nargs != 4) {
		PyErr_Format(PyExc_TypeError, "read_float32() takes 4 arguments (%zd given)", nargs);
		return NULL;
	}
	PyObject *seq = args[0], *name = args[3];
	float *out = (float *)PyLong_AsVoidPtr(args[1]);
	if (out == NULL && PyErr_Occurred()) {
		return NULL;
	}
	Py_ssize_t n = PyLong_AsSsize_t(args[2]);
	if (n == -1 && PyErr_Occurred()) {
		return NULL;
	}
	int is_list = OB_TYPE(seq) == &PyList_Type;
	if (!is_list && OB_TYPE(seq) != &PyTuple_Type) {
		PyErr_SetString(PyExc_TypeError, "read_float32() expects a list or a tuple");
		return NULL;
	}
	if ((is_list ? PyList_Size(seq) : PyTuple_Size(seq)) != n) {
		return changed_size(name);
	}
	if (n > 0 && out == NULL) {
		PyErr_SetString(PyExc_ValueError, "read_float32() got a null address");
		return NULL;
	}
	int direct = is_list && jrx_direct_lists && jrx_direct_floats;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *item;
		if (direct) {
			item = LIST_ITEMS(seq)[i];
			if (OB_TYPE(item) == &PyFloat_Type) {
				out[i] = (float)FLOAT_VALUE(item);
				continue;
			}
		} else {
			item = is_list ? PyList_GetItem(seq, i) : PyTuple_GetItem(seq, i);
			if (item == NULL) {
				return NULL;
			}
		}
		// Anything but an exact float may run Python code (__float__, __index__) that changes the
		// list: hold the item meanwhile, and check the size again afterwards.
		Py_IncRef(item);
		double d = PyFloat_AsDouble(item);
		Py_DecRef(item);
		if (d == -1.0 && PyErr_Occurred()) {
			return index_error(name, i);
		}
		out[i] = (float)d;
		if (is_list && PyList_Size(seq) != n) {
			return changed_size(name);
		}
	}
	return jrx_none();
}

PyMethodDef jrx_read_float32_def = {
    "read_float32", (void *)read_float32, JRX_METH_FASTCALL,
    "read_float32(seq, address, count, name, /)\n--\n\n"
    "Convert the count numbers of a list or tuple to float32 at address, as array('f', seq) does; "
    "an element that is not a real number raises its exception with name[index] in the message."};

// read_float32_portable is read_float32 without the in-place reads (API calls for every element):
// the path taken when the layout probe fails, exposed so that tests can compare the two.
static PyObject *read_float32_portable(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
	int saved_lists = jrx_direct_lists;
	jrx_direct_lists = 0;
	PyObject *r = read_float32(module, args, nargs);
	jrx_direct_lists = saved_lists;
	return r;
}

PyMethodDef jrx_read_float32_portable_def = {
    "read_float32_portable", (void *)read_float32_portable, JRX_METH_FASTCALL,
    "read_float32_portable(seq, address, count, name, /)\n--\n\nread_float32 through API calls only."};

