// Package npy reads the header of numpy's .npy files (format versions 1.0, 2.0 and 3.0) and
// reports where the array data starts and how to interpret it, so the caller can memory-map the
// file and view the data in place. Tensor data is never read.
//
// A file starts with the magic "\x93NUMPY", a major and minor version byte, the header length
// (little-endian uint16 for 1.0, uint32 for 2.0 and 3.0), then the header: a Python dict literal
// such as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with spaces and a
// newline. The header is parsed by a small reader for Python literals, never evaluated.
//
// Only plain numeric and boolean dtypes are accepted, little-endian or byte-order-free; object,
// structured, string and big-endian arrays are refused with ErrUnsupported.
//
// Nothing in this package knows about Python, numpy or memory maps.
package npy
