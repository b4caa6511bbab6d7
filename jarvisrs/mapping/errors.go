package mapping

import "syscall"

// errIsDir is the errno for mapping a directory, so callers see IsADirectoryError.
var errIsDir error = syscall.EISDIR
