package memstat

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// This file is macOS's host-memory arithmetic, kept free of build tags so tests run it on every
// OS with injected readings; memory_darwin.go only makes the Mach and sysctl calls.

// VMStatistics64Size is the size in bytes of the Mach vm_statistics64 record that
// host_statistics64(HOST_VM_INFO64) fills (HOST_VM_INFO64_COUNT = 38 natural_t words).
const VMStatistics64Size = 152

// vmStatisticsPrefix is the part of vm_statistics64 ParseVMStatistics64 needs: the four page
// counts free, active, inactive and wire, one 32-bit natural_t each, at offsets 0, 4, 8 and 12.
const vmStatisticsPrefix = 16

// VMStatistics holds the page counts of one Mach vm_statistics64 reading. Counts are in pages of
// the kernel's page size (host_page_size, 16 KiB on Apple Silicon, 4 KiB on Intel Macs).
type VMStatistics struct {
	// FreeCount is free_count: free pages, speculative ones included.
	FreeCount uint32
	// ActiveCount is active_count: pages in use and recently referenced.
	ActiveCount uint32
	// InactiveCount is inactive_count: pages not referenced lately, reclaimable first.
	InactiveCount uint32
	// WireCount is wire_count: pages wired down, never paged out.
	WireCount uint32
}

// ParseVMStatistics64 decodes the leading page counts of a vm_statistics64 record as
// host_statistics64 returns it: raw holds the count words the kernel filled (count * 4 bytes, up
// to VMStatistics64Size), in the host's byte order, which is little-endian on both macOS targets
// (arm64 and x86-64). raw is read, not retained. A record shorter than its first four words
// returns an error wrapping ErrUnavailable.
func ParseVMStatistics64(raw []byte) (VMStatistics, error) {
	if len(raw) < vmStatisticsPrefix {
		return VMStatistics{}, fmt.Errorf("vm_statistics64 of %d bytes, want at least %d: %w",
			len(raw), vmStatisticsPrefix, ErrUnavailable)
	}
	return VMStatistics{
		FreeCount:     binary.LittleEndian.Uint32(raw[0:]),
		ActiveCount:   binary.LittleEndian.Uint32(raw[4:]),
		InactiveCount: binary.LittleEndian.Uint32(raw[8:]),
		WireCount:     binary.LittleEndian.Uint32(raw[12:]),
	}, nil
}

// DarwinMemory turns one macOS reading into Memory, as psutil's virtual_memory computes total and
// available on macOS:
//
//	TotalBytes     = hw.memsize (memsize)
//	AvailableBytes = (free_count + inactive_count) * pageSize, at most TotalBytes
//	UsedBytes      = TotalBytes - AvailableBytes
//
// Source is SourceHost: macOS has no cgroups. psutil's percent, (total - available) / total * 100,
// is then exactly UsedBytes / TotalBytes * 100. psutil's own "used" field is different: it is
// (active_count + wire_count) * page size, which leaves out pages held by the compressor, so it is
// usually smaller than UsedBytes; this package keeps used = total - available on every OS.
//
// pageSize must be a power of two and memsize non-zero; otherwise the error wraps ErrUnavailable.
// An available figure above the total (counts that cannot all be real pages) is capped at the total.
func DarwinMemory(vm VMStatistics, pageSize, memsize uint64) (Memory, error) {
	if pageSize == 0 || pageSize&(pageSize-1) != 0 {
		return Memory{}, fmt.Errorf("page size %d is not a power of two: %w", pageSize, ErrUnavailable)
	}
	if memsize == 0 {
		return Memory{}, fmt.Errorf("hw.memsize is 0: %w", ErrUnavailable)
	}
	pages := uint64(vm.FreeCount) + uint64(vm.InactiveCount) // at most 2^33: no overflow
	hi, available := bits.Mul64(pages, pageSize)
	if hi != 0 || available > memsize {
		available = memsize
	}
	return Memory{
		TotalBytes:     memsize,
		AvailableBytes: available,
		UsedBytes:      memsize - available,
		Source:         SourceHost,
	}, nil
}
