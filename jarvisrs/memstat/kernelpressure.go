package memstat

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Kinds of KernelPressure.
const (
	// KernelNone means the kernel offers no pressure figure here (no PSI, not macOS).
	KernelNone = iota
	// KernelPSI means the figures are Linux pressure stall information (PSI).
	KernelPSI
	// KernelVM means the figure is macOS's kern.memorystatus_vm_pressure_level.
	KernelVM
)

// KernelPressure is the kernel's own view of memory pressure at one instant.
type KernelPressure struct {
	// Kind is KernelNone, KernelPSI or KernelVM.
	Kind int
	// Source is the PSI file read (KernelPSI) or VMPressureSysctl (KernelVM); "" for KernelNone.
	Source string
	// PSI holds the parsed file when Kind is KernelPSI.
	PSI PSI
	// VMLevel is "normal", "warn" or "critical" when Kind is KernelVM.
	VMLevel string
}

// psiBufSize holds a pressure file (two lines of at most ~80 bytes) many times over.
const psiBufSize = 512

// KernelPressureReader reads KernelPressure: the PSI file SelectPSISource chose when there is
// one, else macOS's sysctl. It is safe for concurrent use; it keeps the PSI file open between
// reads (one descriptor, close-on-exec) until Close.
type KernelPressureReader struct {
	path string // the PSI file, or "" to ask the sysctl
	mu   sync.Mutex
	f    *os.File
	buf  [psiBufSize]byte // guarded by mu; a field so reads allocate nothing
}

// NewKernelPressureReader returns a reader over procRoot and sysRoot ("/proc" and "/sys" for the
// real machine), choosing the PSI file now (see SelectPSISource).
func NewKernelPressureReader(procRoot, sysRoot string) *KernelPressureReader {
	return &KernelPressureReader{path: SelectPSISource(procRoot, sysRoot)}
}

// DefaultKernelPressure is the real machine's reader, made on first use and shared.
var DefaultKernelPressure = sync.OnceValue(func() *KernelPressureReader {
	return NewKernelPressureReader("/proc", "/sys")
})

// PSIPath returns the PSI file this reader reads, or "" when it has none.
func (r *KernelPressureReader) PSIPath() string { return r.path }

// Read returns the kernel's pressure figures. Without a PSI file it asks macOS's sysctl; where
// that does not exist either, it returns Kind KernelNone and no error. A PSI file that cannot be
// read (PSI disabled at boot makes reads fail with EOPNOTSUPP) or parsed returns an error
// wrapping ErrUnavailable.
func (r *KernelPressureReader) Read() (KernelPressure, error) {
	if r.path == "" {
		v, err := sysctlVMPressure()
		if err != nil {
			return KernelPressure{}, nil
		}
		level, err := ParseVMPressureLevel(v)
		if err != nil {
			return KernelPressure{}, err
		}
		return KernelPressure{Kind: KernelVM, Source: VMPressureSysctl, VMLevel: level}, nil
	}
	p, err := r.readPSI()
	if err != nil {
		return KernelPressure{}, fmt.Errorf("%s: %w", r.path, err)
	}
	return KernelPressure{Kind: KernelPSI, Source: r.path, PSI: p}, nil
}

// readPSI reads the file from offset 0 through the kept descriptor, opening it on first use, and
// parses it; a failed read drops the descriptor so the next read opens the file afresh.
func (r *KernelPressureReader) readPSI() (PSI, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		f, err := os.Open(r.path)
		if err != nil {
			return PSI{}, fmt.Errorf("reading %s: %v: %w", r.path, err, ErrUnavailable)
		}
		r.f = f
	}
	n, err := r.f.ReadAt(r.buf[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		r.f.Close()
		r.f = nil
		return PSI{}, fmt.Errorf("reading %s: %v: %w", r.path, err, ErrUnavailable)
	}
	if n == len(r.buf) {
		return PSI{}, fmt.Errorf("reading %s: larger than %d bytes: %w", r.path, psiBufSize, ErrUnavailable)
	}
	return ParsePSI(r.buf[:n])
}

// Close releases the kept descriptor; a later Read opens the file again. It always returns nil.
func (r *KernelPressureReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	return nil
}
