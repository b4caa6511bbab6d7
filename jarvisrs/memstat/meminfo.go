package memstat

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
)

// meminfoBufSize holds all of /proc/meminfo in one read (about 1.5 KB on 6.x kernels); a longer
// file is streamed through it.
const meminfoBufSize = 4 << 10

// hostMemory is the host's total and available memory, in bytes.
type hostMemory struct {
	total, available uint64
}

// meminfoFields are the /proc/meminfo figures Read may need, in bytes. The ones past
// MemAvailable feed only the estimate for kernels that lack MemAvailable (before 3.14).
type meminfoFields struct {
	total, free, available, cached, sReclaimable, activeFile, inactiveFile uint64
	seen                                                                   meminfoSeen
}

type meminfoSeen uint8

const (
	seenTotal meminfoSeen = 1 << iota
	seenAvailable
	seenSReclaimable
	seenActiveFile
	seenInactiveFile
)

var errMeminfoValue = errors.New("malformed value")

// readHostMemory reads the host's total and available memory from meminfo (a <proc>/meminfo).
// It parses the file directly rather than through gopsutil's mem.VirtualMemory, which splits,
// trims and converts every line into strings (about 170 allocations and most of a refresh's
// cost) to fill figures nobody here uses. When MemAvailable is missing it estimates it as
// gopsutil v3.24.5 does (see estimateAvailable), reading zoneinfo (a <proc>/zoneinfo).
func readHostMemory(meminfo *kernelFile, zoneinfo string) (hostMemory, error) {
	m, err := readMeminfo(meminfo)
	if err != nil && meminfo.keptReplaced() { // not meminfo after all: a reused descriptor
		m, err = readMeminfo(meminfo)
	}
	if err != nil {
		return hostMemory{}, err
	}
	if m.seen&seenAvailable == 0 {
		m.available = m.estimateAvailable(zoneinfo)
	}
	return hostMemory{total: m.total, available: min(m.available, m.total)}, nil
}

// readMeminfo parses meminfo up to the lines it needs. A file without a non-zero MemTotal is an
// error.
func readMeminfo(meminfo *kernelFile) (meminfoFields, error) {
	var m meminfoFields
	var buf [meminfoBufSize]byte
	sc := meminfo.lines(buf[:])
	for m.seen&(seenTotal|seenAvailable) != seenTotal|seenAvailable {
		line, ok := sc.next()
		if !ok {
			break
		}
		if err := m.parseLine(line); err != nil {
			sc.close()
			return m, fmt.Errorf("parsing %s: %v: %w", meminfo.path, err, ErrUnavailable)
		}
	}
	if err := sc.close(); err != nil {
		return m, fmt.Errorf("reading %s: %v: %w", meminfo.path, err, ErrUnavailable)
	}
	if m.total == 0 {
		return m, fmt.Errorf("%s reports no memory total: %w", meminfo.path, ErrUnavailable)
	}
	return m, nil
}

// parseLine records the figure on one "Key:   value kB" line if it is one Read needs. Lines
// are split as gopsutil splits them (exactly one colon, the value's " kB" dropped and the rest
// taken as KiB), and as there, a needed figure that is not a number is an error.
func (m *meminfoFields) parseLine(line []byte) error {
	key, value, ok := bytes.Cut(line, []byte{':'})
	if !ok || bytes.IndexByte(value, ':') >= 0 {
		return nil
	}
	var dst *uint64
	var seen meminfoSeen
	switch string(bytes.TrimSpace(key)) {
	case "MemTotal":
		dst, seen = &m.total, seenTotal
	case "MemFree":
		dst = &m.free
	case "MemAvailable":
		dst, seen = &m.available, seenAvailable
	case "Cached":
		dst = &m.cached
	case "SReclaimable":
		dst, seen = &m.sReclaimable, seenSReclaimable
	case "Active(file)":
		dst, seen = &m.activeFile, seenActiveFile
	case "Inactive(file)":
		dst, seen = &m.inactiveFile, seenInactiveFile
	default:
		return nil
	}
	kib, err := parseUint(bytes.TrimSuffix(bytes.TrimSpace(value), []byte(" kB")))
	if err != nil || kib > ^uint64(0)/1024 {
		return fmt.Errorf("%s: %w", string(key), errMeminfoValue) // a copy: key lives in the caller's buffer
	}
	*dst = kib * 1024
	m.seen |= seen
	return nil
}

// estimateAvailable is gopsutil v3.24.5's MemAvailable for kernels that lack it, itself psutil's
// port of the kernel's own formula: with Active(file), Inactive(file) and SReclaimable present
// and zoneinfo readable, free memory plus page cache plus reclaimable slab, each less its share
// of the zones' low watermarks; otherwise MemFree + Cached + SReclaimable. Unlike gopsutil's
// unsigned arithmetic, a negative estimate is 0 rather than a wrapped-around huge number.
func (m *meminfoFields) estimateAvailable(zoneinfo string) uint64 {
	simple := satAdd(m.free, satAdd(m.cached, m.sReclaimable))
	const needed = seenActiveFile | seenInactiveFile | seenSReclaimable
	if m.seen&needed != needed {
		return simple
	}
	lowPages, err := zoneLowWatermarks(zoneinfo)
	if err != nil {
		return simple
	}
	hi, low := bits.Mul64(lowPages, pageSize)
	if hi != 0 {
		return 0
	}
	pageCache := satAdd(m.activeFile, m.inactiveFile)
	pageCache -= min(pageCache/2, low)
	slab := m.sReclaimable - min(m.sReclaimable/2, low)
	avail := satAdd(m.free, satAdd(pageCache, slab))
	if avail < low {
		return 0
	}
	return avail - low
}

// zoneLowWatermarks sums the "low" watermarks, in pages, of every zone in a zoneinfo file.
// As in gopsutil, a line counts when its first field starts with "low", and a value that is not
// a number counts as 0.
func zoneLowWatermarks(zoneinfo string) (uint64, error) {
	fd, err := openRetry(zoneinfo)
	if err != nil {
		return 0, err
	}
	var sum uint64
	var buf [4 << 10]byte
	sc := streamLines(fd, buf[:])
	for {
		line, ok := sc.next()
		if !ok {
			return sum, sc.close()
		}
		first, rest := nextField(line)
		if !bytes.HasPrefix(first, []byte("low")) {
			continue
		}
		if second, _ := nextField(rest); len(second) > 0 {
			if v, err := parseUint(second); err == nil {
				sum = satAdd(sum, v)
			}
		}
	}
}

// nextField splits off the first space- or tab-separated field of b.
func nextField(b []byte) (field, rest []byte) {
	b = bytes.TrimLeft(b, " \t")
	if i := bytes.IndexAny(b, " \t"); i >= 0 {
		return b[:i], b[i:]
	}
	return b, nil
}

func satAdd(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return ^uint64(0)
	}
	return s
}
