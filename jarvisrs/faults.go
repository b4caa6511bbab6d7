package jarvisrs

import (
	"errors"
	"fmt"
)

// A memory-mapped file can shrink under its mapping (another program truncates it, or rewrites it
// in place as `open(path, "wb")` does); reading the lost pages raises SIGBUS, which would abort
// the interpreter. Go code that reads mapped memory, or Python-owned memory that may be mapped
// (every input buffer: a numpy array from load_safetensors is a view of a mapping), runs with
// debug.SetPanicOnFault on: the fault becomes a panic, which recoverPanic turns into faultError's
// OSError. Helper goroutines (quant's and lz4x's workers) take on the mode of the goroutine that
// starts them and hand the panic back to it.

// faultError returns the error for a recovered memory fault, or nil when r is not one.
func faultError(r any) error {
	err, ok := r.(error)
	if !ok {
		return nil
	}
	var fault interface{ Addr() uintptr }
	if !errors.As(err, &fault) {
		return nil
	}
	return &codedError{code: codeOS, err: fmt.Errorf("the file changed under the mapping (it was truncated or "+
		"rewritten in place while memory-mapped; read fault at %#x): replace such files by writing a new file "+
		"and renaming it over the old one", fault.Addr())}
}
