// Internals shared by the C files of package pyaccel: the probed object layout and the argument
// helpers. Every function here expects the GIL to be held.
#ifndef JRX_PYACCEL_H
#define JRX_PYACCEL_H

#include <stdint.h>

#include "cpython_api.h"

extern Py_ssize_t jrx_header;   // object.__basicsize__: where a subclass's own fields start
extern Py_ssize_t jrx_type_off; // offset of ob_type: the header's last field
extern int jrx_direct_floats;   // a float's value can be read at jrx_header
extern int jrx_direct_lists;    // a list's size is at jrx_header, its item array pointer after it

#define OB_TYPE(o) (*(PyTypeObject **)((char *)(o) + jrx_type_off))
#define FLOAT_VALUE(o) (*(double *)((char *)(o) + jrx_header))
#define LIST_ITEMS(o) (*(PyObject ***)((char *)(o) + jrx_header + sizeof(Py_ssize_t)))

// layout.c
int jrx_probe_layout(void);
PyObject *jrx_none(void);

// args.c
int jrx_parse_args(const char *fname, const char *const *names, int n, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames, PyObject **out);
PyObject *jrx_type_name(PyObject *o);
int jrx_as_double(PyObject *o, double *out);
int jrx_number_arg(PyObject *o, const char *name, double *out);
int jrx_int_arg(PyObject *o, const char *name, long long *out);

// stats_cache.c: a new reference to the _StatsCache type, or NULL with an exception.
PyObject *jrx_new_stats_cache_type(void);

// float_reader.c: read_float32 and read_float32_portable (see there).
extern PyMethodDef jrx_read_float32_def, jrx_read_float32_portable_def;

#endif
