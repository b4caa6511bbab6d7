//go:build linux

package lz4x

import (
	"reflect"
	"syscall"
)

// AdviseFrameOutput tells the kernel that dst, a fresh output buffer about to be written from
// its start (by CompressFrame, say), may be backed by transparent huge pages, so that writing it
// costs one page fault per 2 MiB instead of one per 4 KiB. It applies to the whole 2 MiB pages
// inside dst and only when dst holds at least 8 MiB; pages never written still cost no memory.
// It is a hint: on kernels with transparent huge pages off, or set to "never", and on other
// systems, it does nothing, and it never fails. Use it on memory from mmap or malloc (a Python
// bytes object, say), not on the Go heap, whose pages the Go runtime manages. Safe for
// concurrent use.
func AdviseFrameOutput(dst []byte) {
	if len(dst) == 0 {
		return
	}
	// Only the address's alignment is needed, so reflect's plain number serves (no unsafe).
	off, n := hugeSpan(reflect.ValueOf(dst).Pointer(), len(dst))
	if n > 0 {
		_ = syscall.Madvise(dst[off:off+n], syscall.MADV_HUGEPAGE)
	}
}
