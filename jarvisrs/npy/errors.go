package npy

import "errors"

// The errors every failure wraps, so callers can branch with errors.Is. The wrapping message
// says precisely what is wrong.
var (
	// ErrMalformed is returned when a file is not a valid .npy file: bad magic, truncated header,
	// a header that is not a Python dict literal with exactly the keys 'descr', 'fortran_order'
	// and 'shape', values of the wrong type, negative or overflowing shapes, or data that does not
	// fit in the file.
	ErrMalformed = errors.New("malformed npy file")

	// ErrUnsupported is returned when a file is valid but holds something this package does not
	// handle: a format version other than 1.0, 2.0 or 3.0, an object ('|O'), structured,
	// subarray, string, datetime or big-endian dtype, a string literal with escape sequences, or
	// more than MaxDims dimensions.
	ErrUnsupported = errors.New("unsupported npy content")

	// ErrTooLarge is returned when the header is longer than MaxHeaderSize bytes.
	ErrTooLarge = errors.New("npy header too large")
)
