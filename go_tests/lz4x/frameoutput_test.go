//go:build linux

package lz4x_test

import (
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/emulated"
	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/smaps"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/require"
)

// vmFlags returns the VmFlags line of the mapping that holds addr.
func vmFlags(t *testing.T, addr uintptr) string {
	flags, err := smaps.VMFlags(addr)
	require.NoError(t, err)
	return flags
}

// TestAdviseFrameOutputMarksWholeHugePages: a fresh 16 MiB mapping gets MADV_HUGEPAGE (VmFlags
// "hg") on its whole 2 MiB pages, a 4 MiB one (below the threshold) does not, and the buffer
// still works as memory.
func TestAdviseFrameOutputMarksWholeHugePages(t *testing.T) {
	if smaps.HugePagesOff() {
		t.Skip("transparent huge pages are off on this kernel")
	}
	if emulated.QEMUUser() {
		t.Skip("qemu-user does not pass MADV_HUGEPAGE on to the kernel")
	}
	for _, tc := range []struct {
		size int
		want bool
	}{{16 << 20, true}, {4 << 20, false}} {
		mem, err := syscall.Mmap(-1, 0, tc.size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		require.NoError(t, err)
		// Skip the first 4 KiB so the buffer is not 2 MiB aligned: only whole huge pages count.
		dst := mem[4096:]
		lz4x.AdviseFrameOutput(dst)
		base := uintptr(unsafe.Pointer(&dst[0]))
		mid := (base + uintptr(len(dst))/2) &^ (2<<20 - 1)
		flags := vmFlags(t, mid)
		require.Equal(t, tc.want, strings.Contains(flags, " hg"), "size %d: %s", tc.size, flags)
		require.NotContains(t, vmFlags(t, base), " hg", "the partial first huge page is left alone")
		src := text(1 << 20)
		n, err := lz4x.CompressFrame(dst, src, 0)
		require.NoError(t, err)
		require.Equal(t, src, decompressFrame(t, dst[:n]))
		require.NoError(t, syscall.Munmap(mem))
	}
	lz4x.AdviseFrameOutput(nil) // nothing to advise: no panic
}

func TestHugePagesOnlyWhileMemoryIsPlentiful(t *testing.T) {
	const GiB = 1 << 30
	big := 64 << 20
	require.True(t, lz4x.HugePagesAffordable(big, 8*GiB, 16*GiB))
	require.True(t, lz4x.HugePagesAffordable(big, 4*GiB, 16*GiB), "a quarter free is enough")
	require.False(t, lz4x.HugePagesAffordable(big, 4*GiB-1, 16*GiB), "under a quarter free")
	require.False(t, lz4x.HugePagesAffordable(big, 255<<20, 512<<20), "half free, but not four outputs' worth")
	require.True(t, lz4x.HugePagesAffordable(big, 256<<20, 512<<20))
	require.False(t, lz4x.HugePagesAffordable(lz4x.HugeOutputMin-1, 8*GiB, 16*GiB), "too small to matter")
	require.True(t, lz4x.HugePagesAffordable(lz4x.HugeOutputMin, 8*GiB, 16*GiB))
	require.False(t, lz4x.HugePagesAffordable(big, 0, 0), "no reading")
}
