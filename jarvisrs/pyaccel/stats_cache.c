//go:build jarvis_cpython && cgo

// _StatsCache, the base class of RustMemoryMonitor: the cache of the last memory reading, its age,
// the ML accounting, is_memory_available and the memory pressure of the cached reading, called by
// Python directly. A stale cache is refreshed through self._refresh() (Python, which calls Go and
// then _publish) or, from get_memory_pressure, self._refresh_pressure() (one Go call for both,
// then _publish and _publish_pressure); a fresh reading whose pressure is not cached yet gets it
// through self._read_pressure() (Go without a refresh, then _publish_pressure).
//
// Thread safety: every method runs with the GIL held. Argument conversions (which may run Python
// code: __float__, __index__) finish before any field is written, and the writes of one update, or
// the reads of get_memory_stats, happen with no Python code in between, so no thread ever sees
// half of an update. Two threads may refresh at once: both readings are valid, the last one wins.

#include <float.h>
#include <time.h>

#include "pyaccel.h"

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
	unsigned long long generation;  // readings published so far
	PyObject *pressure;             // pressure dict of a reading, or NULL
	unsigned long long pressure_of; // the generation whose pressure it is
} cache_state;

#define STATE(o) ((cache_state *)((char *)(o) + jrx_header))

static PyObject *k_total, *k_available, *k_used, *k_percent, *k_process, *k_ml_mb, *k_ml_count, *k_ml_percent,
    *k_source, *k_kernel, *s_refresh, *s_refresh_pressure, *s_read_pressure;

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
	if (jrx_number_arg(arg, "update_interval", &interval) < 0) {
		return NULL;
	}
	STATE(self)->interval = interval;
	return jrx_none();
}

static const char *const publish_names[] = {"total_mb", "available_mb", "used_mb", "system_percent", "process_mb",
                                            "limit_source"};

static PyObject *cache_publish(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
	PyObject *a[6];
	double v[5];
	if (jrx_parse_args("_publish", publish_names, 6, args, nargs, kwnames, a) < 0) {
		return NULL;
	}
	for (int i = 0; i < 5; i++) {
		if (jrx_number_arg(a[i], publish_names[i], &v[i]) < 0) {
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
	st->generation++;
	Py_DecRef(old);
	return jrx_none();
}

// cache_publish_pressure keeps p (a dict, or None to forget) as the pressure of the reading
// published last.
static PyObject *cache_publish_pressure(PyObject *self, PyObject *p) {
	if (p != &_Py_NoneStruct && OB_TYPE(p) != &PyDict_Type) {
		PyObject *name = jrx_type_name(p);
		if (name != NULL) {
			PyErr_Format(PyExc_TypeError, "_publish_pressure() takes a dict or None, not %U", name);
			Py_DecRef(name);
		}
		return NULL;
	}
	cache_state *st = STATE(self);
	PyObject *old = st->pressure;
	if (p == &_Py_NoneStruct) {
		st->pressure = NULL;
	} else {
		Py_IncRef(p);
		st->pressure = p;
	}
	st->pressure_of = st->generation;
	Py_DecRef(old);
	return jrx_none();
}

// cache_get_memory_pressure returns a copy of the pressure of the cached reading (its "kernel"
// dict copied too, so a caller changing the result cannot change the cache), refreshing first
// like get_memory_stats. A cached call allocates two dicts and calls no Python code.
static PyObject *cache_get_memory_pressure(PyObject *self, PyObject *unused) {
	(void)unused;
	cache_state *st = STATE(self);
	PyObject *fill = NULL;
	if (!st->filled || monotonic_seconds() - st->at >= st->interval) {
		fill = s_refresh_pressure;
	} else if (st->pressure == NULL || st->pressure_of != st->generation) {
		fill = s_read_pressure;
	}
	if (fill != NULL) {
		PyObject *r = PyObject_CallMethodObjArgs(self, fill, NULL);
		if (r == NULL) {
			return NULL;
		}
		Py_DecRef(r);
		if (st->pressure == NULL) {
			PyErr_Format(PyExc_RuntimeError, "%U() published no pressure", fill);
			return NULL;
		}
	}
	PyObject *base = st->pressure;
	Py_IncRef(base);  // a collection during the copies may run code that replaces st->pressure
	PyObject *d = PyDict_Copy(base);
	PyObject *kernel = d == NULL ? NULL : PyDict_GetItem(base, k_kernel);  // borrowed, held by base
	if (kernel != NULL && OB_TYPE(kernel) == &PyDict_Type) {
		PyObject *k = PyDict_Copy(kernel);
		if (k == NULL || PyDict_SetItem(d, k_kernel, k) < 0) {
			Py_DecRef(d);
			d = NULL;
		}
		Py_DecRef(k);
	}
	Py_DecRef(base);
	return d;
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
	if (jrx_parse_args("update_ml_stats", ml_names, 2, args, nargs, kwnames, a) < 0 ||
	    jrx_number_arg(a[0], "models_mb", &mb) < 0 || jrx_int_arg(a[1], "models_count", &count) < 0) {
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
	return jrx_none();
}

static const char *const available_names[] = {"required_mb", "threshold_percent"};

static PyObject *cache_is_memory_available(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                           PyObject *kwnames) {
	PyObject *a[2];
	double required, threshold;
	if (jrx_parse_args("is_memory_available", available_names, 2, args, nargs, kwnames, a) < 0 ||
	    jrx_as_double(a[0], &required) < 0 || jrx_as_double(a[1], &threshold) < 0) {
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
	PyObject *stats = st->stats, *pressure = st->pressure;
	st->stats = NULL;
	st->pressure = NULL;
	Py_DecRef(stats);
	Py_DecRef(pressure);
	jrx_freefunc free_fn = (jrx_freefunc)PyType_GetSlot(tp, JRX_Py_tp_free);
	free_fn(self);
	Py_DecRef((PyObject *)tp);  // instances of heap types own a reference to their type
}

static PyMethodDef cache_methods[] = {
    {"get_memory_stats", (void *)cache_get_memory_stats, JRX_METH_NOARGS,
     "get_memory_stats($self, /)\n--\n\n"
     "The cached statistics, refreshed first if older than update_interval.\n\n"
     "Returns {\"total_mb\", \"available_mb\", \"used_mb\", \"system_percent\", \"process_mb\",\n"
     "\"ml_models_mb\": float, \"ml_models_count\": int, \"ml_percent\": float, \"limit_source\": \"host\" | \"cgroup\"}:\n"
     "used = total - available, system_percent = used / total * 100,\n"
     "ml_percent = ml_models_mb / total_mb * 100, process_mb = this process's RSS. A new dict each call."},
    {"update_ml_stats", (void *)cache_update_ml_stats, JRX_METH_FASTCALL | JRX_METH_KEYWORDS,
     "update_ml_stats($self, models_mb, models_count)\n--\n\n"
     "Record the memory (MiB) and number of loaded ML models; kept across refreshes.\n\n"
     "Raises ValueError for a negative or non-finite size or a negative count, TypeError for\n"
     "non-numbers and for a count that is not an int (bool included), OverflowError beyond int64."},
    {"is_memory_available", (void *)cache_is_memory_available, JRX_METH_FASTCALL | JRX_METH_KEYWORDS,
     "is_memory_available($self, required_mb, threshold_percent)\n--\n\n"
     "Whether required_mb more MiB fit, from the cached reading only (no system call, no refresh):\n"
     "(used_mb + required_mb) / total_mb * 100 < threshold_percent and available_mb > required_mb.\n"
     "False while nothing was ever read, when the total is 0, and for NaN arguments."},
    {"get_memory_pressure", (void *)cache_get_memory_pressure, JRX_METH_NOARGS,
     "get_memory_pressure($self, /)\n--\n\n"
     "The memory pressure of the cached reading, refreshed first if older than update_interval.\n\n"
     "A new dict each call, its \"kernel\" dict copied too (see RustMemoryMonitor.get_memory_pressure)."},
    {"_publish_pressure", (void *)cache_publish_pressure, JRX_METH_O,
     "_publish_pressure($self, pressure, /)\n--\n\n"
     "Keep pressure (a dict, or None to forget it) as the pressure of the reading published last."},
    {"_configure", (void *)cache_configure, JRX_METH_O, "_configure($self, update_interval, /)\n--\n\n"},
    {"_publish", (void *)cache_publish, JRX_METH_FASTCALL | JRX_METH_KEYWORDS,
     "_publish($self, total_mb, available_mb, used_mb, system_percent, process_mb, limit_source)\n--\n\n"
     "Store a fresh reading (called by _refresh)."},
    {NULL, NULL, 0, NULL},
};

static PyObject *intern(const char *s) { return PyUnicode_InternFromString(s); }

PyObject *jrx_new_stats_cache_type(void) {
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
		k_kernel = intern("kernel");
		s_refresh = intern("_refresh");
		s_refresh_pressure = intern("_refresh_pressure");
		s_read_pressure = intern("_read_pressure");
		if (k_kernel == NULL || s_refresh_pressure == NULL || s_read_pressure == NULL || k_total == NULL || k_available == NULL || k_used == NULL || k_percent == NULL || k_process == NULL ||
		    k_ml_mb == NULL || k_ml_count == NULL || k_ml_percent == NULL || k_source == NULL || s_refresh == NULL) {
			return NULL;
		}
	}
	static PyType_Slot slots[] = {
	    {JRX_Py_tp_dealloc, (void *)cache_dealloc},
	    {JRX_Py_tp_methods, (void *)cache_methods},
	    {JRX_Py_tp_new, (void *)PyType_GenericNew},
	    {JRX_Py_tp_doc, (void *)"Cached memory statistics and ML accounting (the monitor's hot paths, in C)."},
	    {0, NULL},
	};
	PyType_Spec spec = {"jarvis_rust_extensions._StatsCache", (int)(jrx_header + sizeof(cache_state)), 0,
	                    JRX_TPFLAGS_DEFAULT | JRX_TPFLAGS_BASETYPE, slots};
	return PyType_FromSpec(&spec);
}
