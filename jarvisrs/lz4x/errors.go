package lz4x

import "errors"

// The errors below are returned wrapped (with context) and should be tested with errors.Is.
// File functions return *os.PathError values wrapped the same way, so errors.Is(err,
// fs.ErrNotExist) and friends keep working.
var (
	// ErrCorrupt is returned when compressed input is malformed, truncated, fails a checksum,
	// or decodes to a different size than it declares.
	ErrCorrupt = errors.New("lz4x: corrupt or truncated data")

	// ErrTooLarge is returned when a declared or needed output size exceeds what the input could
	// possibly expand to, or exceeds a caller's limit. It is reported before allocating.
	ErrTooLarge = errors.New("lz4x: size too large")

	// ErrShortBuffer is returned when a caller-provided dst cannot hold the output: a compression
	// dst below the bound, or a frame that decodes to more than len(dst).
	ErrShortBuffer = errors.New("lz4x: destination buffer too small")

	// ErrBadLevel is returned when a compression level is outside its documented range.
	ErrBadLevel = errors.New("lz4x: invalid compression level")

	// ErrNotLZ4Frame is returned when input starts with neither the LZ4 frame magic (nor, where
	// gzip is accepted, the gzip magic).
	ErrNotLZ4Frame = errors.New("lz4x: not an LZ4 frame")

	// ErrUnsupported is returned for well-formed LZ4 data this package does not read: legacy
	// frames (lz4 -l) and frames that need an external dictionary.
	ErrUnsupported = errors.New("lz4x: unsupported LZ4 feature")

	// ErrSourceChanged is returned when a file being compressed changes size while it is read,
	// so the size recorded in the frame header would be wrong.
	ErrSourceChanged = errors.New("lz4x: source file changed while being read")
)
