//go:build linux

// Package loader_test checks the loader's gopy-facing calls where they touch the kernel.
package loader_test

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/emulated"
	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/smaps"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

// freshOutput maps size bytes of fresh anonymous memory (what a large Python bytes object is),
// offset by 4 KiB so that it is not 2 MiB aligned, and unmaps it when the test ends.
func freshOutput(t *testing.T, size int) []byte {
	t.Helper()
	mem, err := syscall.Mmap(-1, 0, size+4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	return mem[4096:]
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

// advisedHuge reports whether the whole 2 MiB page in the middle of b was advised MADV_HUGEPAGE.
func advisedHuge(t *testing.T, b []byte) bool {
	t.Helper()
	flags, err := smaps.VMFlags((addr(b) + uintptr(len(b))/2) &^ (2<<20 - 1))
	require.NoError(t, err)
	return strings.Contains(flags, " hg")
}

// TestLargeOutputsGetHugePages: compress_model's and decompress_model's outputs (Compress and
// DecompressFrame writing into memory Python owns) are advised huge pages when they are large
// and memory is plentiful, and small ones are not; the data round-trips either way.
func TestLargeOutputsGetHugePages(t *testing.T) {
	if smaps.HugePagesOff() {
		t.Skip("transparent huge pages are off on this kernel")
	}
	if emulated.QEMUUser() {
		t.Skip("qemu-user does not pass MADV_HUGEPAGE on to the kernel")
	}
	loader, err := jarvisrs.NewRustModelLoader(t.TempDir(), 0)
	require.NoError(t, err)
	for _, size := range []int{lz4x.HugeOutputMin / 2, 4 * lz4x.HugeOutputMin} {
		if m, err := memstat.SystemMemory(); err != nil || !lz4x.HugePagesAffordable(4*lz4x.HugeOutputMin, m.AvailableBytes, m.TotalBytes) {
			t.Skipf("memory is not plentiful here (%v): no huge pages are asked for", err)
		}
		var text bytes.Buffer
		for i := 0; text.Len() < size; i++ {
			fmt.Fprintf(&text, "layer.%d.weight shape=(%d, %d) dtype=float16 offset=%d\n", i%97, i%4096, i%31, i*8)
		}
		src := text.Bytes()[:size]
		want := size >= lz4x.HugeOutputMin

		frame := freshOutput(t, loader.CompressBound(size))
		n, err := loader.Compress(addr(src), size, addr(frame), len(frame))
		require.NoError(t, err)
		require.Equal(t, want, advisedHuge(t, frame), "compress output of %d bytes", size)

		out := freshOutput(t, size)
		got, err := jarvisrs.DecompressFrame(addr(frame), n, addr(out), size)
		require.NoError(t, err)
		require.Equal(t, size, got)
		require.Equal(t, want, advisedHuge(t, out), "decompress output of %d bytes", size)
		require.True(t, bytes.Equal(src, out), "round trip")
	}
}
