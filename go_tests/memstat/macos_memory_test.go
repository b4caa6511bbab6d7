package memstat_test

// macOS's host-memory arithmetic with injected readings: these run on every OS, since no Mac is
// here. The system calls that produce the readings are in memory_darwin.go.

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

const (
	gib        = 1 << 30
	applePage  = 16384 // vm_kernel_page_size on Apple Silicon
	intelPage  = 4096  // and on Intel Macs
	mac16GB    = 16 * gib
	maxNatural = math.MaxUint32
)

// vmStatistics64 lays out a vm_statistics64 record as host_statistics64 fills it (little-endian,
// 152 bytes), with the four leading page counts given and every later field set to garbage, which
// the parser must ignore.
func vmStatistics64(free, active, inactive, wire uint32) []byte {
	raw := make([]byte, memstat.VMStatistics64Size)
	for i := range raw {
		raw[i] = 0xA5
	}
	for i, v := range []uint32{free, active, inactive, wire} {
		binary.LittleEndian.PutUint32(raw[4*i:], v)
	}
	return raw
}

func TestParseVMStatistics64(t *testing.T) {
	full := vmStatistics64(1, 2, 3, 4)
	cases := []struct {
		name    string
		raw     []byte
		want    memstat.VMStatistics
		wantErr bool
	}{
		{"full record", full, memstat.VMStatistics{FreeCount: 1, ActiveCount: 2, InactiveCount: 3, WireCount: 4}, false},
		{"rev0 record (96 bytes)", full[:96], memstat.VMStatistics{FreeCount: 1, ActiveCount: 2, InactiveCount: 3, WireCount: 4}, false},
		{"just the four counts", full[:16], memstat.VMStatistics{FreeCount: 1, ActiveCount: 2, InactiveCount: 3, WireCount: 4}, false},
		{"longer than the record", append(append([]byte{}, full...), 9, 9, 9, 9), memstat.VMStatistics{FreeCount: 1, ActiveCount: 2, InactiveCount: 3, WireCount: 4}, false},
		{"zero pages", vmStatistics64(0, 0, 0, 0), memstat.VMStatistics{}, false},
		{"largest counts", vmStatistics64(maxNatural, maxNatural, maxNatural, maxNatural),
			memstat.VMStatistics{FreeCount: maxNatural, ActiveCount: maxNatural, InactiveCount: maxNatural, WireCount: maxNatural}, false},
		{"byte order", []byte{1, 2, 3, 4, 0, 0, 0, 0x80, 0xff, 0, 0, 0, 0, 0, 1, 0},
			memstat.VMStatistics{FreeCount: 0x04030201, ActiveCount: 0x80000000, InactiveCount: 0xff, WireCount: 0x10000}, false},
		{"15 bytes", full[:15], memstat.VMStatistics{}, true},
		{"one word", full[:4], memstat.VMStatistics{}, true},
		{"empty", []byte{}, memstat.VMStatistics{}, true},
		{"nil", nil, memstat.VMStatistics{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := memstat.ParseVMStatistics64(c.raw)
			if c.wantErr {
				require.ErrorIs(t, err, memstat.ErrUnavailable)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestDarwinMemory(t *testing.T) {
	cases := []struct {
		name              string
		vm                memstat.VMStatistics
		pageSize, memsize uint64
		wantAvailable     uint64
	}{
		// A 16 GB Apple Silicon Mac: 10,000 free and 150,000 inactive pages of 16 KiB.
		{"apple silicon", memstat.VMStatistics{FreeCount: 10_000, ActiveCount: 400_000, InactiveCount: 150_000, WireCount: 200_000},
			applePage, mac16GB, 160_000 * applePage},
		{"intel page size", memstat.VMStatistics{FreeCount: 1_000_000, InactiveCount: 500_000},
			intelPage, mac16GB, 1_500_000 * intelPage},
		// Active and wired pages never count as available, however many.
		{"active and wired ignored", memstat.VMStatistics{FreeCount: 3, ActiveCount: maxNatural, InactiveCount: 4, WireCount: maxNatural},
			applePage, mac16GB, 7 * applePage},
		{"zero pages", memstat.VMStatistics{}, applePage, mac16GB, 0},
		{"everything available", memstat.VMStatistics{FreeCount: mac16GB / applePage}, applePage, mac16GB, mac16GB},
		// Counts beyond the memory size are capped, not wrapped.
		{"huge counts", memstat.VMStatistics{FreeCount: maxNatural, InactiveCount: maxNatural}, applePage, mac16GB, mac16GB},
		{"product overflows 64 bits", memstat.VMStatistics{FreeCount: 2}, 1 << 63, mac16GB, mac16GB},
		{"one page", memstat.VMStatistics{InactiveCount: 1}, 1, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := memstat.DarwinMemory(c.vm, c.pageSize, c.memsize)
			require.NoError(t, err)
			assert.Equal(t, memstat.Memory{
				TotalBytes:     c.memsize,
				AvailableBytes: c.wantAvailable,
				UsedBytes:      c.memsize - c.wantAvailable,
				Source:         memstat.SourceHost,
			}, got)
		})
	}
}

func TestDarwinMemoryErrors(t *testing.T) {
	vm := memstat.VMStatistics{FreeCount: 10, InactiveCount: 10}
	cases := []struct {
		name              string
		pageSize, memsize uint64
	}{
		{"zero page size", 0, mac16GB},
		{"page size not a power of two", 3 * intelPage, mac16GB},
		{"zero memsize", applePage, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := memstat.DarwinMemory(vm, c.pageSize, c.memsize)
			require.ErrorIs(t, err, memstat.ErrUnavailable)
		})
	}
}

// psutil's macOS virtual_memory: available = (inactive + free) * page size and percent =
// (total - available) / total * 100. The system percentage this package reports, used / total *
// 100 with used = total - available, is the same number.
func TestDarwinMemoryMatchesPsutilFormula(t *testing.T) {
	const free, active, inactive, wired = 41_234, 389_001, 151_777, 180_003
	raw := vmStatistics64(free, active, inactive, wired)
	vm, err := memstat.ParseVMStatistics64(raw)
	require.NoError(t, err)
	got, err := memstat.DarwinMemory(vm, applePage, mac16GB)
	require.NoError(t, err)

	psutilAvailable := uint64(inactive+free) * applePage
	psutilPercent := float64(mac16GB-psutilAvailable) / float64(mac16GB) * 100
	assert.Equal(t, psutilAvailable, got.AvailableBytes)
	assert.Equal(t, psutilPercent, float64(got.UsedBytes)/float64(got.TotalBytes)*100)
	// psutil's own "used" field, (active + wired) * page size, is a different figure: it leaves
	// out what the compressor holds, among others.
	assert.NotEqual(t, uint64(active+wired)*applePage, got.UsedBytes)
}

// FuzzParseVMStatistics64 feeds arbitrary bytes and readings through the macOS arithmetic: no
// panic, only ErrUnavailable, and the Memory invariants whenever it succeeds.
func FuzzParseVMStatistics64(f *testing.F) {
	f.Add(vmStatistics64(10, 20, 30, 40), uint64(applePage), uint64(mac16GB))
	f.Add(vmStatistics64(maxNatural, 0, maxNatural, 0), uint64(intelPage), uint64(1))
	f.Add([]byte{1, 2, 3}, uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, raw []byte, pageSize, memsize uint64) {
		vm, err := memstat.ParseVMStatistics64(raw)
		if err != nil {
			require.ErrorIs(t, err, memstat.ErrUnavailable)
			return
		}
		m, err := memstat.DarwinMemory(vm, pageSize, memsize)
		if err != nil {
			require.ErrorIs(t, err, memstat.ErrUnavailable)
			return
		}
		require.Equal(t, memsize, m.TotalBytes)
		require.LessOrEqual(t, m.AvailableBytes, m.TotalBytes)
		require.Equal(t, m.TotalBytes-m.AvailableBytes, m.UsedBytes)
		require.Equal(t, memstat.SourceHost, m.Source)
	})
}
