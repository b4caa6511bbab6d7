// The few CPython C API declarations the C files of this package use, written out here so that
// the package needs no Python headers (and no include path) to compile: every name below is an
// exported function or data symbol of CPython 3.9-3.13 with this exact signature, resolved from
// the host interpreter when the extension is loaded. Only pointers to objects are used; the one piece of object layout
// they read (the type pointer, a float's value, a list's items) is probed and verified at
// install time (see jrx_probe_layout in layout.c), never assumed.
#ifndef JRX_CPYTHON_API_H
#define JRX_CPYTHON_API_H

#include <stddef.h>
#include <sys/types.h>

typedef ssize_t Py_ssize_t;
typedef struct _object PyObject;
typedef struct _typeobject PyTypeObject;

typedef PyObject *(*jrx_fastcall_kw)(PyObject *, PyObject *const *, Py_ssize_t, PyObject *);
typedef void (*jrx_freefunc)(void *);

typedef struct {
	const char *ml_name;
	void *ml_meth;
	int ml_flags;
	const char *ml_doc;
} PyMethodDef;

typedef struct {
	int slot;
	void *pfunc;
} PyType_Slot;

typedef struct {
	const char *name;
	int basicsize;
	int itemsize;
	unsigned int flags;
	PyType_Slot *slots;
} PyType_Spec;

// Method flags and type slots (methodobject.h, typeslots.h; stable ABI values).
#define JRX_METH_NOARGS 0x0004
#define JRX_METH_O 0x0008
#define JRX_METH_FASTCALL 0x0080
#define JRX_METH_KEYWORDS 0x0002
#define JRX_Py_tp_dealloc 52
#define JRX_Py_tp_doc 56
#define JRX_Py_tp_methods 64
#define JRX_Py_tp_new 65
#define JRX_Py_tp_free 74
#define JRX_TPFLAGS_BASETYPE (1UL << 10)
#define JRX_TPFLAGS_DEFAULT (1UL << 18) // Py_TPFLAGS_HAVE_VERSION_TAG, what Py_TPFLAGS_DEFAULT is

extern PyTypeObject PyFloat_Type, PyLong_Type, PyBool_Type, PyList_Type, PyTuple_Type, PyDict_Type, PyBaseObject_Type;
extern PyObject *PyExc_TypeError, *PyExc_ValueError, *PyExc_OverflowError, *PyExc_RuntimeError;
extern PyObject _Py_NoneStruct;

int PyGILState_Ensure(void);
void PyGILState_Release(int);

void Py_IncRef(PyObject *);
void Py_DecRef(PyObject *);

double PyFloat_AsDouble(PyObject *);
PyObject *PyFloat_FromDouble(double);
PyObject *PyLong_FromLongLong(long long);
long long PyLong_AsLongLong(PyObject *);
Py_ssize_t PyLong_AsSsize_t(PyObject *);
void *PyLong_AsVoidPtr(PyObject *);
PyObject *PyNumber_Index(PyObject *);
PyObject *PyBool_FromLong(long);

PyObject *PyList_New(Py_ssize_t);
Py_ssize_t PyList_Size(PyObject *);
PyObject *PyList_GetItem(PyObject *, Py_ssize_t);
int PyList_SetItem(PyObject *, Py_ssize_t, PyObject *);
Py_ssize_t PyTuple_Size(PyObject *);
PyObject *PyTuple_GetItem(PyObject *, Py_ssize_t);

PyObject *PyDict_New(void);
PyObject *PyDict_Copy(PyObject *);
PyObject *PyDict_GetItem(PyObject *, PyObject *);
int PyDict_SetItem(PyObject *, PyObject *, PyObject *);
int PyDict_SetItemString(PyObject *, const char *, PyObject *);

PyObject *PyUnicode_InternFromString(const char *);
PyObject *PyUnicode_FromString(const char *);
int PyUnicode_CompareWithASCIIString(PyObject *, const char *);
PyObject *PyObject_GetAttrString(PyObject *, const char *);
PyObject *PyObject_CallMethodObjArgs(PyObject *, PyObject *, ...);
PyObject *PyObject_Str(PyObject *);
const char *PyUnicode_AsUTF8(PyObject *);

PyObject *PyErr_Occurred(void);
int PyErr_ExceptionMatches(PyObject *);
void PyErr_SetString(PyObject *, const char *);
PyObject *PyErr_Format(PyObject *, const char *, ...);
void PyErr_Fetch(PyObject **, PyObject **, PyObject **);
void PyErr_NormalizeException(PyObject **, PyObject **, PyObject **);
void PyErr_Restore(PyObject *, PyObject *, PyObject *);
void PyErr_Clear(void);

PyObject *PyType_FromSpec(PyType_Spec *);
void *PyType_GetSlot(PyTypeObject *, int);
PyObject *PyType_GenericNew(PyTypeObject *, PyObject *, PyObject *);
PyObject *PyCFunction_NewEx(PyMethodDef *, PyObject *, PyObject *);

#endif
