package safetensors

import "errors"

// The errors every failure wraps, so callers can branch with errors.Is. The wrapping message
// says precisely what is wrong (which tensor, which field, which numbers).
var (
	// ErrMalformed is returned when a file or header breaks the safetensors format: bad length
	// prefix, invalid UTF-8 or JSON, missing or mistyped fields, duplicate keys, negative or
	// overflowing shapes, or data offsets that disagree with the shape, overlap, leave gaps or
	// fall outside the data section.
	ErrMalformed = errors.New("malformed safetensors file")

	// ErrUnsupported is returned when a header is well formed but names something this package
	// does not handle: a dtype the format knows but this package does not (F8_*, F4, F6_*, C64)
	// or a tensor with more than MaxDims dimensions.
	ErrUnsupported = errors.New("unsupported safetensors content")

	// ErrTooLarge is returned when a header is longer than MaxHeaderSize bytes, whether claimed by
	// a file's length prefix or produced by a Writer.
	ErrTooLarge = errors.New("safetensors header too large")

	// ErrInvalidArgument is returned when Create gets an invalid spec list (duplicate or reserved
	// names, unknown dtypes, negative or overflowing shapes, invalid UTF-8) or when a Writer is
	// used against its contract (unknown or repeated tensor, wrong data length, missing tensors at
	// Commit, use after Commit or Abort).
	ErrInvalidArgument = errors.New("invalid safetensors writer argument")
)
