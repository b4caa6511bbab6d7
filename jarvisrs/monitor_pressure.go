package jarvisrs

import (
	"math"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// pressureLen is the length of the float64 buffer FillPressure fills:
//
//	0 level (0 low .. 4 emergency)   1 available MiB        2 trend MiB/s (NaN: none yet)
//	3 kernel kind (0 none, 1 PSI, 2 macOS)
//	4-6 some avg10/60/300 (%)        7-8 some total µs as high and low 32-bit halves
//	9-11 full avg10/60/300 (%)       12-13 full total µs as halves   14 full line present (0/1)
//	15 macOS level (0 normal, 1 warn, 2 critical)
//	16 the kernel reading's number (memstat.Pressure.KernelReading): equal numbers, same figures
//
// Totals travel as two exact halves because a float64 holds integers exactly only up to 2^53.
// ReadPressure's buffer adds ReadStats' six figures after these (readPressureLen).
const (
	pressureLen     = 17
	kernelNumSlot   = 16
	readPressureLen = pressureLen + statsLen
)

// vmLevels are macOS's level names in the order FillPressure numbers them.
var vmLevels = [...]string{"normal", "warn", "critical"}

// thresholdsOf validates the four thresholds (MiB, strictly decreasing, positive, finite).
func thresholdsOf(t0, t1, t2, t3 float64) (memstat.Thresholds, error) {
	t := memstat.Thresholds{t0, t1, t2, t3}
	if err := t.Validate(); err != nil {
		return t, withCode(codeValue, err)
	}
	return t, nil
}

// SetPressureThresholds sets the thresholds t0 > t1 > t2 > t3 (MiB) FillPressure and
// ReadPressure judge the level by (memstat.DefaultThresholds until then). They are kept here
// rather than passed to every call: four float arguments cost a refresh more than the pressure
// itself. Invalid thresholds raise ValueError and change nothing. Safe for concurrent use.
func (m *RustMemoryMonitor) SetPressureThresholds(t0, t1, t2, t3 float64) (status int, err error) {
	defer recoverPanic(&err)
	t, err := thresholdsOf(t0, t1, t2, t3)
	if err != nil {
		return 0, err
	}
	m.thresholds.Store(&t)
	return 0, nil
}

// pressureThresholds returns the thresholds SetPressureThresholds set last, or the defaults.
func (m *RustMemoryMonitor) pressureThresholds() memstat.Thresholds {
	if t := m.thresholds.Load(); t != nil {
		return *t
	}
	return memstat.DefaultThresholds
}

// FillPressure fills the n float64s at out (n >= 17, layout at pressureLen) with the pressure of
// the monitor's latest reading under its thresholds (SetPressureThresholds), without refreshing:
// the caller's cache decides when to refresh, through ReadStats or ReadPressure. The kernel
// figures' source is KernelPressureSource's (a string result would cost every call a conversion
// that changes nothing).
func (m *RustMemoryMonitor) FillPressure(out uintptr, n int) (status int, err error) {
	defer recoverPanic(&err)
	return 0, m.fillPressure(out, n, pressureLen, false)
}

// ReadPressure reads fresh figures (one refresh, as ReadStats makes) and fills the n float64s at
// out (n >= 23) with the pressure of that reading as FillPressure does (out[0:17]) followed by its
// statistics as ReadStats fills them (out[17:23]): one call where a refresh of both would
// otherwise take two.
func (m *RustMemoryMonitor) ReadPressure(out uintptr, n int) (status int, err error) {
	defer recoverPanic(&err)
	return 0, m.fillPressure(out, n, readPressureLen, m.refreshing())
}

// KernelPressureSource returns where the monitor's kernel figures come from: its PSI file (the
// cgroup v2 memory.pressure or /proc/pressure/memory), else "kern.memorystatus_vm_pressure_level"
// (macOS). It names the source of every figure FillPressure reports with a kernel kind other
// than 0.
func (m *RustMemoryMonitor) KernelPressureSource() string {
	if p := m.mon.KernelPressureReader().PSIPath(); p != "" {
		return p
	}
	return memstat.VMPressureSysctl
}

// fillPressure is FillPressure (want pressureLen) and ReadPressure (want readPressureLen).
func (m *RustMemoryMonitor) fillPressure(out uintptr, n, want int, refresh bool) error {
	if err := checkFloatOut(out, n, want); err != nil {
		return err
	}
	s, p, err := m.mon.StatsAndPressure(m.pressureThresholds(), refresh)
	if err != nil {
		return memstatError(err)
	}
	dst := float64sAt(out, n)
	clear(dst[:want])
	dst[0], dst[1], dst[2] = float64(p.Level), p.AvailableMB, p.TrendMBPerS
	if !p.HasTrend {
		dst[2] = math.NaN()
	}
	k := p.Kernel
	dst[3] = float64(k.Kind)
	switch k.Kind {
	case memstat.KernelPSI:
		fillPSILine(dst[4:9], k.PSI.Some)
		if k.PSI.HasFull {
			fillPSILine(dst[9:14], k.PSI.Full)
			dst[14] = 1
		}
	case memstat.KernelVM:
		for i, name := range vmLevels {
			if name == k.VMLevel {
				dst[15] = float64(i)
			}
		}
	}
	dst[kernelNumSlot] = float64(p.KernelReading)
	if want == readPressureLen {
		fillStats(dst[pressureLen:], s)
	}
	return nil
}

func fillPSILine(dst []float64, l memstat.PSILine) {
	dst[0], dst[1], dst[2] = l.Avg10, l.Avg60, l.Avg300
	dst[3], dst[4] = float64(l.TotalUs>>32), float64(l.TotalUs&0xffffffff)
}

// MemoryPressureLevel returns the level (0 low, 1 medium, 2 high, 3 critical, 4 emergency) for
// availableMB MiB available under thresholds t0 > t1 > t2 > t3 (MiB): memstat.LevelFor, the one
// level table. Invalid thresholds raise ValueError.
func MemoryPressureLevel(availableMB, t0, t1, t2, t3 float64) (level int, err error) {
	defer recoverPanic(&err)
	t, err := thresholdsOf(t0, t1, t2, t3)
	if err != nil {
		return 0, err
	}
	return int(memstat.LevelFor(availableMB, t)), nil
}

// MemoryPressureLevelName returns the name of level 0-4 ("low" .. "emergency"); anything else
// raises ValueError.
func MemoryPressureLevelName(level int) (name string, err error) {
	defer recoverPanic(&err)
	if level < int(memstat.LevelLow) || level > int(memstat.LevelEmergency) {
		return "", valueErrorf("no pressure level %d", level)
	}
	return memstat.PressureLevel(level).String(), nil
}

// maxTriggerWindowUs is the kernel's longest PSI trigger window (10 s).
const maxTriggerWindowUs = 10_000_000

// PressureTrigger is an open Linux PSI trigger on the monitor's pressure file, for
// wait_for_memory_pressure. Wait and Close must not overlap.
type PressureTrigger struct {
	t *memstat.PSITrigger
}

// OpenPressureTrigger registers the PSI trigger "some <stallUs> <windowUs>" on the pressure file
// the monitor reads. Where the kernel refuses (no PSI, not Linux, no write access, a sandbox),
// it raises OSError and the caller polls instead.
func (m *RustMemoryMonitor) OpenPressureTrigger(stallUs, windowUs int) (_ *PressureTrigger, err error) {
	defer recoverPanic(&err)
	if stallUs <= 0 || windowUs <= stallUs || windowUs > maxTriggerWindowUs {
		return nil, valueErrorf("PSI trigger needs 0 < stall < window <= %d µs, got %d and %d µs", maxTriggerWindowUs, stallUs, windowUs)
	}
	t, err := memstat.OpenPSITrigger(m.mon.KernelPressureReader().PSIPath(),
		time.Duration(stallUs)*time.Microsecond, time.Duration(windowUs)*time.Microsecond)
	if err != nil {
		return nil, withCode(codeOS, err)
	}
	return &PressureTrigger{t: t}, nil
}

// Wait blocks for at most timeoutMs milliseconds (capped at 10 s; callers wait in short slices
// so Ctrl-C is seen between them), releasing the GIL, and reports whether the trigger fired. A
// trigger the kernel closed raises OSError.
func (t *PressureTrigger) Wait(timeoutMs int) (fired bool, err error) {
	defer recoverPanic(&err)
	if t.t == nil {
		return false, valueErrorf("PSI trigger is closed")
	}
	fired, err = t.t.Wait(time.Duration(timeoutMs) * time.Millisecond)
	return fired, withCode(codeOS, err)
}

// Close unregisters the trigger; later calls do nothing.
func (t *PressureTrigger) Close() (status int, err error) {
	defer recoverPanic(&err)
	if t.t != nil {
		t.t.Close()
		t.t = nil
	}
	return 0, nil
}
