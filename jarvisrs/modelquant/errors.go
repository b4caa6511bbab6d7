package modelquant

import (
	"errors"
	"fmt"
)

// ErrInvalid marks every error caused by the caller's arguments or by the source model's content
// as the schemes see it: an unknown scheme, an already quantized model, a tensor name that
// collides with a scale tensor, a value that cannot be quantized (NaN, infinity). Test with
// errors.Is. Malformed files are reported with the safetensors package's own errors; file-system
// failures with the os errors.
var ErrInvalid = errors.New("modelquant: invalid input")

// ErrCancelled is returned when the context passed to Quantize is cancelled; the destination is
// then left as it was.
var ErrCancelled = errors.New("cancelled")

// inputError is an ErrInvalid whose message is only its cause's.
type inputError struct{ err error }

// Error is the cause's message.
func (e *inputError) Error() string { return e.err.Error() }

// Unwrap exposes both the cause and ErrInvalid to errors.Is and errors.As.
func (e *inputError) Unwrap() []error { return []error{e.err, ErrInvalid} }

// invalidf builds an ErrInvalid error with a formatted message.
func invalidf(format string, args ...any) error {
	return &inputError{err: fmt.Errorf(format, args...)}
}
