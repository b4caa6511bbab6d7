//go:build jarvis_cpython && cgo

package pyaccel

/*
// gopy's build puts -ffast-math into CGO_CFLAGS for every package; it would compile NaN checks
// away. Package flags come after the environment's, so this restores IEEE semantics here.
#cgo CFLAGS: -fno-fast-math
#include <stddef.h>
#include <stdint.h>
int jrx_install(uintptr_t ns, char *err, size_t errlen);
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Built reports whether this build contains the C fast paths.
const Built = true

// Install creates the fast paths and stores them in the Python dict at address namespace (which
// the caller keeps alive for the call): "StatsCache" (base class of RustMemoryMonitor),
// "read_float32", "read_float32_portable" and "direct_reads". It takes the GIL itself, so it may be
// called from a gopy wrapper, which releases it.
func Install(namespace uintptr) error {
	if namespace == 0 {
		return errors.New("pyaccel: null namespace")
	}
	var msg [512]C.char
	if C.jrx_install(C.uintptr_t(namespace), &msg[0], C.size_t(len(msg))) != 0 {
		return errors.New("pyaccel: " + C.GoString((*C.char)(unsafe.Pointer(&msg[0]))))
	}
	return nil
}
