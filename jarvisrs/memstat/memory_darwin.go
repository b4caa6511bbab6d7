package memstat

import (
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// machHost is what every macOS reading reuses: the kernel's page size and hw.memsize, both fixed
// until reboot.
type machHost struct {
	pageSize uint64
	memsize  uint64
}

var darwinHost = sync.OnceValues(func() (machHost, error) {
	var h machHost
	var err error
	if h.pageSize, err = hostPageSize(hostPort()); err != nil {
		return machHost{}, fmt.Errorf("%v: %w", err, ErrUnavailable)
	}
	if h.memsize, err = unix.SysctlUint64("hw.memsize"); err != nil {
		return machHost{}, fmt.Errorf("sysctl hw.memsize: %v: %w", err, ErrUnavailable)
	}
	return h, nil
})

// keptHostPort is the host port's name in this task, 0 until first asked: each mach_host_self call
// adds a reference to the right, so it is asked once and kept.
var keptHostPort atomic.Uint32

func hostPort() uint32 {
	if p := keptHostPort.Load(); p != 0 {
		return p
	}
	p := machHostSelf()
	keptHostPort.Store(p)
	return p
}

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
	raw, err := hostStatistics64(hostPort(), &buf)
	if err != nil {
		// A child forked after the port was kept has its number but not the right (Mach rights
		// are not inherited): ask for the port again, once.
		keptHostPort.Store(0)
		raw, err = hostStatistics64(hostPort(), &buf)
	}
	if err != nil {
		return Memory{}, fmt.Errorf("%v: %w", err, ErrUnavailable)
	}
	vm, err := ParseVMStatistics64(raw)
	if err != nil {
		return Memory{}, err
	}
	return DarwinMemory(vm, h.pageSize, h.memsize)
}
