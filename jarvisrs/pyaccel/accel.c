//go:build jarvis_cpython && cgo

// CPython fast paths, called by Python directly (with the GIL held, no gopy wrapper, no Go code):
// the memory monitor's cache and ML accounting (the base class _StatsCache of RustMemoryMonitor)
// and a reader of lists of numbers into float32 buffers. jrx_install (called once, from Go, while
// importing the package) creates them and stores them in a Python dict.
//
// Nothing here touches the Go runtime, so these calls also work in a forked child; refreshing the
// statistics calls back into Python (self._refresh), which is where Go is reached.

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpython_api.h"

// --- object layout, probed at install ----------------------------------------------------------

static Py_ssize_t header;         // object.__basicsize__: where a subclass's own fields start
static Py_ssize_t type_off;       // offset of ob_type: the header's last field
static int direct_floats;         // a float's value can be read at `header`
static int direct_lists;          // a list's size is at `header`, its item array pointer after it

#define OB_TYPE(o) (*(PyTypeObject **)((char *)(o) + type_off))
#define FLOAT_VALUE(o) (*(double *)((char *)(o) + header))
#define LIST_ITEMS(o) (*(PyObject ***)((char *)(o) + header + sizeof(Py_ssize_t)))

static PyObject *none(void) {
	Py_IncRef(&_Py_NoneStruct);
	return &_Py_NoneStruct;
}

// probe_layout finds the header size from object.__basicsize__ and checks, on objects made for the
// purpose, that the type pointer, a float's value and a list's items sit where CPython 3.9-3.13
// (default builds) put them. Returns -1 (Python error set) when even the type pointer is not found.
static int probe_layout(void) {
	PyObject *size = PyObject_GetAttrString((PyObject *)&PyBaseObject_Type, "__basicsize__");
	if (size == NULL) {
		return -1;
	}
	header = PyLong_AsSsize_t(size);
	Py_DecRef(size);
	if (header < (Py_ssize_t)(2 * sizeof(void *)) || header > 256 || header % sizeof(void *) != 0) {
		PyErr_Format(PyExc_RuntimeError, "unexpected object header size %zd", header);
		return -1;
	}
	type_off = header - (Py_ssize_t)sizeof(void *);
	PyObject *a = PyFloat_FromDouble(1.25), *b = PyFloat_FromDouble(-3.5), *list = PyList_New(2);
	int ok = a != NULL && b != NULL && list != NULL;
	if (ok && (OB_TYPE(a) != &PyFloat_Type || OB_TYPE(list) != &PyList_Type)) {
		PyErr_SetString(PyExc_RuntimeError, "object type pointer not found where expected");
		ok = 0;
	}
	if (ok) {
		direct_floats = FLOAT_VALUE(a) == 1.25 && FLOAT_VALUE(b) == -3.5;
		Py_IncRef(a);
		Py_IncRef(b);
		PyList_SetItem(list, 0, a);  // steals the references just taken
		PyList_SetItem(list, 1, b);
		direct_lists = *(Py_ssize_t *)((char *)list + header) == 2 && LIST_ITEMS(list)[0] == a &&
		               LIST_ITEMS(list)[1] == b;
	}
	Py_DecRef(a);
	Py_DecRef(b);
	Py_DecRef(list);
	return ok ? 0 : -1;
}

// --- argument helpers --------------------------------------------------------------------------

// parse_args fills out[0..n) from positional arguments, then keywords; all n are required.
static int parse_args(const char *fname, const char *const *names, int n, PyObject *const *args,
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
static PyObject *type_name(PyObject *o) {
	return PyObject_GetAttrString((PyObject *)OB_TYPE(o), "__name__");
}

// as_double converts like PyFloat_AsDouble (floats, ints, __float__, __index__), reading exact
// floats in place. On failure it returns -1 with the exception set.
static int as_double(PyObject *o, double *out) {
	if (OB_TYPE(o) == &PyFloat_Type && direct_floats) {
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
static int number_arg(PyObject *o, const char *name, double *out) {
	if (as_double(o, out) == 0) {
		return 0;
	}
	if (PyErr_ExceptionMatches(PyExc_TypeError) || PyErr_ExceptionMatches(PyExc_ValueError)) {
		PyErr_Clear();
		PyObject *tn = type_name(o);
		if (tn != NULL) {
			PyErr_Format(PyExc_TypeError, "%s must be a number, not %U", name, tn);
			Py_DecRef(tn);
		}
	}
	return -1;
}

// int_arg is the facade's as_int plus gopy's int64 conversion: TypeError for bool and non-integers,
// OverflowError beyond int64.
static int int_arg(PyObject *o, const char *name, long long *out) {
	if (OB_TYPE(o) == &PyBool_Type) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not bool", name);
		return -1;
	}
	PyObject *index = PyNumber_Index(o);
	if (index == NULL) {
		if (PyErr_ExceptionMatches(PyExc_TypeError)) {
			PyErr_Clear();
			PyObject *tn = type_name(o);
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

// --- _StatsCache: the monitor's cache and ML accounting ----------------------------------------

// cache_state lives right after the object header of every _StatsCache (and subclass) instance.
// Every field is read and written only by the functions below, with the GIL held and without
// running Python code in between, so a reader never sees half of an update.
typedef struct {
	double interval;                // seconds a reading stays fresh
	double at;                      // monotonic seconds of the last publish
	double total, used, available;  // MiB, of the last reading
	double ml_mb;                   // the ML accounting
	long long ml_count;
	int filled;                     // a reading was published
	PyObject *stats;                // dict of the last reading (ML keys at 0), or NULL
} cache_state;

#define STATE(o) ((cache_state *)((char *)(o) + header))

static PyObject *k_total, *k_available, *k_used, *k_percent, *k_process, *k_ml_mb, *k_ml_count, *k_ml_percent,
    *k_source, *s_refresh;

static double monotonic_seconds(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int set_float(PyObject *d, PyObject *key, double v) {
	PyObject *o = PyFloat_FromDouble(v);
	if (o == NULL) {
		return -1;
	}
	int r = PyDict_SetItem(d, key, o);
	Py_DecRef(o);
	return r;
}

static int set_int(PyObject *d, PyObject *key, long long v) {
	PyObject *o = PyLong_FromLongLong(v);
	if (o == NULL) {
		return -1;
	}
	int r = PyDict_SetItem(d, key, o);
	Py_DecRef(o);
	return r;
}

static PyObject *cache_configure(PyObject *self, PyObject *arg) {
	double interval;
	if (number_arg(arg, "update_interval", &interval) < 0) {
		return NULL;
	}
	STATE(self)->interval = interval;
	return none();
}

static const char *const publish_names[] = {"total_mb", "available_mb", "used_mb", "system_percent", "process_mb",
                                            "limit_source"};

static PyObject *cache_publish(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
	PyObject *a[6];
	double v[5];
	if (parse_args("_publish", publish_names, 6, args, nargs, kwnames, a) < 0) {
		return NULL;
	}
	for (int i = 0; i < 5; i++) {
		if (number_arg(a[i], publish_names[i], &v[i]) < 0) {
			return NULL;
		}
	}
	PyObject *d = PyDict_New();
	if (d == NULL) {
		return NULL;
	}
	if (set_float(d, k_total, v[0]) < 0 || set_float(d, k_available, v[1]) < 0 || set_float(d, k_used, v[2]) < 0 ||
	    set_float(d, k_percent, v[3]) < 0 || set_float(d, k_process, v[4]) < 0 || set_float(d, k_ml_mb, 0.0) < 0 ||
	    set_int(d, k_ml_count, 0) < 0 || set_float(d, k_ml_percent, 0.0) < 0 || PyDict_SetItem(d, k_source, a[5]) < 0) {
		Py_DecRef(d);
		return NULL;
	}
	cache_state *st = STATE(self);
	PyObject *old = st->stats;
	st->stats = d;
	st->total = v[0];
	st->available = v[1];
	st->used = v[2];
	st->at = monotonic_seconds();
	st->filled = 1;
	Py_DecRef(old);
	return none();
}

static PyObject *cache_get_memory_stats(PyObject *self, PyObject *unused) {
	(void)unused;
	cache_state *st = STATE(self);
	if (!st->filled || monotonic_seconds() - st->at >= st->interval) {
		PyObject *r = PyObject_CallMethodObjArgs(self, s_refresh, NULL);
		if (r == NULL) {
			return NULL;
		}
		Py_DecRef(r);
		if (st->stats == NULL) {
			PyErr_SetString(PyExc_RuntimeError, "_refresh() published no statistics");
			return NULL;
		}
	}
	// Read everything before allocating (an allocation may run a collection, hence Python code).
	PyObject *base = st->stats;
	double total = st->total, mb = st->ml_mb;
	long long count = st->ml_count;
	Py_IncRef(base);
	PyObject *d = PyDict_Copy(base);
	Py_DecRef(base);
	if (d == NULL) {
		return NULL;
	}
	if (set_float(d, k_ml_mb, mb) < 0 || set_int(d, k_ml_count, count) < 0 ||
	    set_float(d, k_ml_percent, total > 0 ? mb / total * 100 : 0.0) < 0) {
		Py_DecRef(d);
		return NULL;
	}
	return d;
}

static const char *const ml_names[] = {"models_mb", "models_count"};

static PyObject *cache_update_ml_stats(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
	PyObject *a[2];
	double mb;
	long long count;
	if (parse_args("update_ml_stats", ml_names, 2, args, nargs, kwnames, a) < 0 ||
	    number_arg(a[0], "models_mb", &mb) < 0 || int_arg(a[1], "models_count", &count) < 0) {
		return NULL;
	}
	if (!(mb >= 0 && mb <= DBL_MAX)) {
		PyObject *f = PyFloat_FromDouble(mb);
		if (f != NULL) {
			PyErr_Format(PyExc_ValueError, "models_mb must be a finite number >= 0, got %R", f);
			Py_DecRef(f);
		}
		return NULL;
	}
	if (count < 0) {
		PyErr_Format(PyExc_ValueError, "models_count must be >= 0, got %lld", count);
		return NULL;
	}
	// Both conversions (which may run Python code) are done: the two stores happen together.
	cache_state *st = STATE(self);
	st->ml_mb = mb;
	st->ml_count = count;
	return none();
}

static const char *const available_names[] = {"required_mb", "threshold_percent"};

static PyObject *cache_is_memory_available(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                           PyObject *kwnames) {
	PyObject *a[2];
	double required, threshold;
	if (parse_args("is_memory_available", available_names, 2, args, nargs, kwnames, a) < 0 ||
	    as_double(a[0], &required) < 0 || as_double(a[1], &threshold) < 0) {
		return NULL;
	}
	cache_state *st = STATE(self);
	if (!st->filled || !(st->total > 0)) {
		return PyBool_FromLong(0);
	}
	return PyBool_FromLong((st->used + required) / st->total * 100 < threshold && st->available > required);
}

static void cache_dealloc(PyObject *self) {
	PyTypeObject *tp = OB_TYPE(self);
	cache_state *st = STATE(self);
	PyObject *stats = st->stats;
	st->stats = NULL;
	Py_DecRef(stats);
	jrx_freefunc free_fn = (jrx_freefunc)PyType_GetSlot(tp, JRX_Py_tp_free);
	free_fn(self);
	Py_DecRef((PyObject *)tp);  // instances of heap types own a reference to their type
}

static PyMethodDef cache_methods[] = {
    {"get_memory_stats", (void *)cache_get_memory_stats, JRX_METH_NOARGS,
     "get_memory_stats($self, /)\n--\n\n"
     "The cached statistics, refreshed first (self._refresh()) if older than the update interval."},
    {"update_ml_stats", (void *)cache_update_ml_stats, JRX_METH_FASTCALL | JRX_METH_KEYWORDS,
     "update_ml_stats($self, models_mb, models_count)\n--\n\n"
     "Record the memory (MiB) and number of loaded ML models; kept across refreshes."},
    {"is_memory_available", (void *)cache_is_memory_available, JRX_METH_FASTCALL | JRX_METH_KEYWORDS,
     "is_memory_available($self, required_mb, threshold_percent)\n--\n\n"
     "Whether required_mb more MiB fit, from the cached reading only (no system call)."},
    {"_configure", (void *)cache_configure, JRX_METH_O, "_configure($self, update_interval, /)\n--\n\n"},
    {"_publish", (void *)cache_publish, JRX_METH_FASTCALL | JRX_METH_KEYWORDS,
     "_publish($self, total_mb, available_mb, used_mb, system_percent, process_mb, limit_source)\n--\n\n"
     "Store a fresh reading (called by _refresh)."},
    {NULL, NULL, 0, NULL},
};

// --- read_float32: a list or tuple of numbers into float32 -------------------------------------

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
	int direct = is_list && direct_lists && direct_floats;
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
	return none();
}

static PyMethodDef read_float32_def = {
    "read_float32", (void *)read_float32, JRX_METH_FASTCALL,
    "read_float32(seq, address, count, name, /)\n--\n\n"
    "Convert the count numbers of a list or tuple to float32 at address, as array('f', seq) does; "
    "an element that is not a real number raises its exception with name[index] in the message."};

// read_float32_portable is read_float32 without the in-place reads (API calls for every element):
// the path taken when the layout probe fails, exposed so that tests can compare the two.
static PyObject *read_float32_portable(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
	int saved_lists = direct_lists;
	direct_lists = 0;
	PyObject *r = read_float32(module, args, nargs);
	direct_lists = saved_lists;
	return r;
}

static PyMethodDef read_float32_portable_def = {
    "read_float32_portable", (void *)read_float32_portable, JRX_METH_FASTCALL,
    "read_float32_portable(seq, address, count, name, /)\n--\n\nread_float32 through API calls only."};

// --- install -----------------------------------------------------------------------------------

static PyObject *intern(const char *s) { return PyUnicode_InternFromString(s); }

static int install_into(PyObject *ns) {
	if (probe_layout() < 0) {
		return -1;
	}
	if (k_total == NULL) {
		k_total = intern("total_mb");
		k_available = intern("available_mb");
		k_used = intern("used_mb");
		k_percent = intern("system_percent");
		k_process = intern("process_mb");
		k_ml_mb = intern("ml_models_mb");
		k_ml_count = intern("ml_models_count");
		k_ml_percent = intern("ml_percent");
		k_source = intern("limit_source");
		s_refresh = intern("_refresh");
		if (k_total == NULL || k_available == NULL || k_used == NULL || k_percent == NULL || k_process == NULL ||
		    k_ml_mb == NULL || k_ml_count == NULL || k_ml_percent == NULL || k_source == NULL || s_refresh == NULL) {
			return -1;
		}
	}
	static PyType_Slot slots[] = {
	    {JRX_Py_tp_dealloc, (void *)cache_dealloc},
	    {JRX_Py_tp_methods, (void *)cache_methods},
	    {JRX_Py_tp_new, (void *)PyType_GenericNew},
	    {JRX_Py_tp_doc, (void *)"Cached memory statistics and ML accounting (the monitor's hot paths, in C)."},
	    {0, NULL},
	};
	PyType_Spec spec = {"jarvis_rust_extensions._StatsCache", (int)(header + sizeof(cache_state)), 0,
	                    JRX_TPFLAGS_DEFAULT | JRX_TPFLAGS_BASETYPE, slots};
	PyObject *type = PyType_FromSpec(&spec);
	PyObject *reader = PyCFunction_NewEx(&read_float32_def, NULL, NULL);
	PyObject *portable = PyCFunction_NewEx(&read_float32_portable_def, NULL, NULL);
	PyObject *direct = PyBool_FromLong(direct_lists && direct_floats);
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
