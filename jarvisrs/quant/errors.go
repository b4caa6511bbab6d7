package quant

import (
	"errors"
	"fmt"
)

// The errors every failure wraps, so callers can branch with errors.Is. The wrapping message
// says which length, index or value is at fault.
var (
	// ErrNonFinite is returned (wrapped in a *NonFiniteError) when an input holds NaN or ±Inf.
	ErrNonFinite = errors.New("quant: non-finite value")

	// ErrShape is returned when slice lengths or dimensions do not fit together: a destination,
	// scale or zero-point slice too short, negative or overflowing dimensions, a source whose
	// length is not outer*channels*inner, a group size below 1, or a GGUF row length that is not
	// a positive multiple of 32 dividing the input.
	ErrShape = errors.New("quant: shape mismatch")

	// ErrRange is returned when a finite value is outside what the format can represent: an
	// INT4 code outside -8..7, or a slice whose max - min overflows float32 (so no affine scale
	// exists).
	ErrRange = errors.New("quant: value out of range")

	// ErrKind is returned when a GGUF quantization kind is not one this package implements
	// (Q8_0 and Q4_0).
	ErrKind = errors.New("quant: unsupported GGUF kind")
)

// NonFiniteError reports the first NaN or ±Inf of an input. It wraps ErrNonFinite.
type NonFiniteError struct {
	// Index is the position of the first non-finite element, counted in elements from the
	// start of the input slice named by the function's documentation (the source values, or the
	// scales for the dequantizers).
	Index int
	// Value is that element.
	Value float32
}

// Error describes the bad element.
func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("quant: non-finite value %v at index %d", e.Value, e.Index)
}

// Unwrap returns ErrNonFinite, so errors.Is(err, ErrNonFinite) holds.
func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }
