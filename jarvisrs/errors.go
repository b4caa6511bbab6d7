package jarvisrs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"syscall"
)

// Error codes: the facade maps each to a Python exception type (jarvis_rust_extensions/_errors.py).
// They are part of the contract between the two halves; change them in both places or not at all.
const (
	codeValue    = "value"    // ValueError: a bad argument or malformed input
	codeType     = "type"     // TypeError: an argument of the wrong kind
	codeCorrupt  = "corrupt"  // corrupt compressed data (RuntimeError/OSError+ValueError by call)
	codeTooLarge = "toolarge" // a claimed size the input cannot justify (ValueError)
	codeOS       = "os"       // OSError; followed by ":<errno>" when one is known
	codeInternal = "internal" // a bug: a recovered panic (RuntimeError)
)

// codedError carries a stable code for the facade in front of the human message.
type codedError struct {
	code string
	err  error
}

// Error renders "[jrx:<code>] <message>", the one format the facade parses.
func (e *codedError) Error() string { return fmt.Sprintf("[jrx:%s] %v", e.code, e.err) }

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *codedError) Unwrap() error { return e.err }

// withCode wraps err with code unless it already carries one; nil stays nil.
func withCode(code string, err error) error {
	if err == nil {
		return nil
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return err
	}
	return &codedError{code: code, err: err}
}

// valueErrorf builds a ValueError-coded error.
func valueErrorf(format string, args ...any) error {
	return &codedError{code: codeValue, err: fmt.Errorf(format, args...)}
}

// osError codes a file-system error as OSError with its errno, so Python raises the precise
// subclass (FileNotFoundError, PermissionError, IsADirectoryError, ...).
func osError(err error) error {
	if err == nil {
		return nil
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return &codedError{code: fmt.Sprintf("%s:%d", codeOS, int(errno)), err: err}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return &codedError{code: fmt.Sprintf("%s:%d", codeOS, int(syscall.ENOENT)), err: err}
	}
	if errors.Is(err, fs.ErrPermission) {
		return &codedError{code: fmt.Sprintf("%s:%d", codeOS, int(syscall.EACCES)), err: err}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &codedError{code: codeOS, err: err}
	}
	return err
}

// recoverPanic turns a panic in an exported function into an internal error, so a Go bug raises
// an exception in Python instead of aborting the interpreter; a memory fault (faults.go) becomes
// an OSError instead. Use as `defer recoverPanic(&err)`.
func recoverPanic(err *error) {
	if r := recover(); r != nil {
		if fe := faultError(r); fe != nil {
			*err = fe
			return
		}
		*err = &codedError{code: codeInternal, err: fmt.Errorf("internal error (please report): %v\n%s", r, debug.Stack())}
	}
}
