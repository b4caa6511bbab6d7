package memstat

import "os"

// pageSize is the size of this process's pages, in bytes: the unit of Linux's /proc page counts.
// (macOS counts its VM statistics in the kernel's page size, which memory_darwin.go asks for.)
var pageSize = uint64(os.Getpagesize())

// ProcessInfo describes the calling process.
type ProcessInfo struct {
	// VirtualBytes is the size of the virtual address space, in bytes.
	VirtualBytes uint64
	// RSSBytes is the resident set size, in bytes.
	RSSBytes uint64
	// CPUPercent is CPU time (user + system, all threads) over wall time, in percent of one
	// core (so up to 100 × cores), since the previous SelfInfo call, or since the process
	// started on the first call.
	CPUPercent float64
	// Name is the process name as psutil gives it: the kernel's comm (Linux) or p_comm (macOS),
	// extended from the command line when it may be truncated (15 bytes or more).
	Name string
}
