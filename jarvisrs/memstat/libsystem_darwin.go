package memstat

import (
	"errors"
	"strconv"
	"syscall"
	"unsafe"
)

// The few libSystem functions x/sys/unix does not wrap, called without cgo the way x/sys/unix
// calls libSystem on macOS: each is imported dynamically from libSystem.B.dylib, reached through
// an assembly trampoline (libsystem_darwin.s) and called with the runtime's syscall6, which
// switches to the system stack and back. This builds with CGO_ENABLED=0 and with cgo, and needs no
// macOS SDK. Mach functions return a kern_return_t (0 is KERN_SUCCESS) rather than setting errno.

//go:cgo_import_dynamic libc_mach_host_self mach_host_self "/usr/lib/libSystem.B.dylib"
//go:cgo_import_dynamic libc_host_statistics64 host_statistics64 "/usr/lib/libSystem.B.dylib"
//go:cgo_import_dynamic libc_host_page_size host_page_size "/usr/lib/libSystem.B.dylib"
//go:cgo_import_dynamic libc_proc_pidinfo proc_pidinfo "/usr/lib/libSystem.B.dylib"

// Trampoline addresses, filled in by libsystem_darwin.s.
var (
	libc_mach_host_self_trampoline_addr    uintptr
	libc_host_statistics64_trampoline_addr uintptr
	libc_host_page_size_trampoline_addr    uintptr
	libc_proc_pidinfo_trampoline_addr      uintptr
)

//go:linkname syscall_syscall6 syscall.syscall6
func syscall_syscall6(fn, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err syscall.Errno)

// Constants from <mach/host_info.h> and <sys/proc_info.h>.
const (
	hostVMInfo64     = 4  // HOST_VM_INFO64
	procPidTaskInfo  = 4  // PROC_PIDTASKINFO
	kernSuccess      = 0  // KERN_SUCCESS
	vmStatistics64Ws = 38 // HOST_VM_INFO64_COUNT, in 32-bit words
)

// machHostSelf returns this task's send right to the host port. Each call adds a reference to the
// right, so callers ask once and keep it.
func machHostSelf() uint32 {
	r, _, _ := syscall_syscall6(libc_mach_host_self_trampoline_addr, 0, 0, 0, 0, 0, 0)
	return uint32(r)
}

// hostStatistics64 fills buf with the host's vm_statistics64 and returns the filled part.
func hostStatistics64(host uint32, buf *[VMStatistics64Size / 8]uint64) ([]byte, error) {
	count := uint32(vmStatistics64Ws)
	r, _, _ := syscall_syscall6(libc_host_statistics64_trampoline_addr, uintptr(host), hostVMInfo64,
		uintptr(unsafe.Pointer(buf)), uintptr(unsafe.Pointer(&count)), 0, 0)
	if kr := int32(r); kr != kernSuccess {
		return nil, machError{"host_statistics64", kr}
	}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(buf)), VMStatistics64Size)
	return raw[:min(uint64(count)*4, VMStatistics64Size)], nil
}

// hostPageSize returns the kernel's page size, the unit of the vm_statistics64 counts.
func hostPageSize(host uint32) (uint64, error) {
	var size uint64 // vm_size_t: 64 bits on both macOS targets
	r, _, _ := syscall_syscall6(libc_host_page_size_trampoline_addr, uintptr(host),
		uintptr(unsafe.Pointer(&size)), 0, 0, 0, 0)
	if kr := int32(r); kr != kernSuccess {
		return 0, machError{"host_page_size", kr}
	}
	return size, nil
}

// procPidTaskInfoRaw fills buf with pid's struct proc_taskinfo and returns the filled part; it
// fails for a process that is gone or, unless running as root, belongs to another user.
func procPidTaskInfoRaw(pid int, buf *[ProcTaskInfoSize / 8]uint64) ([]byte, error) {
	r, _, _ := syscall_syscall6(libc_proc_pidinfo_trampoline_addr, uintptr(pid), procPidTaskInfo, 0,
		uintptr(unsafe.Pointer(buf)), ProcTaskInfoSize, 0)
	// proc_pidinfo returns 0 on failure and leaves the reason in errno, which syscall6 fetches only
	// after a -1: the reason is not known here.
	n := int32(r)
	if n <= 0 {
		return nil, errProcPidInfo
	}
	raw := unsafe.Slice((*byte)(unsafe.Pointer(buf)), ProcTaskInfoSize)
	return raw[:min(int(n), ProcTaskInfoSize)], nil
}

// errProcPidInfo is a failed proc_pidinfo: the process is gone, or this user may not inspect it.
var errProcPidInfo = errors.New("proc_pidinfo failed: no such process, or not permitted")

// machError is a failed Mach call and its kern_return_t.
type machError struct {
	call string
	kr   int32
}

func (e machError) Error() string {
	return e.call + " failed: kern_return_t " + strconv.Itoa(int(e.kr))
}
