package memstat

import "os"

// pageSize is the size of the pages the kernel counts memory in, in bytes.
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
	// Name is the process name as psutil and gopsutil give it: the kernel's comm, extended from
	// the command line when comm is truncated to 15 bytes.
	Name string
}
