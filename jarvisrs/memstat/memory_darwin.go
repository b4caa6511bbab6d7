package memstat

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// machHost is what every macOS reading reuses: the host port (asked for once, as each
// mach_host_self call adds a reference), the kernel's page size and hw.memsize, both fixed until
// reboot.
type machHost struct {
	port     uint32
	pageSize uint64
	memsize  uint64
}

var darwinHost = sync.OnceValues(func() (machHost, error) {
	h := machHost{port: machHostSelf()}
	var err error
	if h.pageSize, err = hostPageSize(h.port); err != nil {
		return machHost{}, fmt.Errorf("%v: %w", err, ErrUnavailable)
	}
	if h.memsize, err = unix.SysctlUint64("hw.memsize"); err != nil {
		return machHost{}, fmt.Errorf("sysctl hw.memsize: %v: %w", err, ErrUnavailable)
	}
	return h, nil
})

// systemMemorySource returns what SystemMemory and a Monitor without a Reader read: on macOS, the
// Mach VM statistics (see DarwinMemory).
func systemMemorySource() func() (Memory, error) {
	return readDarwinMemory
}

// readDarwinMemory makes one host_statistics64(HOST_VM_INFO64) call; page size and hw.memsize
// come from the first call's reading.
func readDarwinMemory() (Memory, error) {
	h, err := darwinHost()
	if err != nil {
		return Memory{}, err
	}
	var buf [VMStatistics64Size / 8]uint64
	raw, err := hostStatistics64(h.port, &buf)
	if err != nil {
		return Memory{}, fmt.Errorf("%v: %w", err, ErrUnavailable)
	}
	vm, err := ParseVMStatistics64(raw)
	if err != nil {
		return Memory{}, err
	}
	return DarwinMemory(vm, h.pageSize, h.memsize)
}
