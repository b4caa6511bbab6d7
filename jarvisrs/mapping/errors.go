package mapping

import (
	"os"
	"syscall"
)

// errIsDir is the errno for mapping a directory, so callers see IsADirectoryError.
var errIsDir error = syscall.EISDIR

// errNotRegular is the errno for mapping a FIFO, socket or device: only regular files are mapped.
var errNotRegular error = syscall.EINVAL

// openFlags opens without blocking, so a FIFO with no writer is refused instead of waiting
// forever; O_NONBLOCK has no effect on regular files.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_CLOEXEC
