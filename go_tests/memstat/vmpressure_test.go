package memstat_test

import (
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

// TestParseVMPressureLevel feeds the parser the values macOS's sysctl returns, on any OS.
func TestParseVMPressureLevel(t *testing.T) {
	for v, want := range map[uint32]string{1: "normal", 2: "warn", 4: "critical"} {
		got, err := memstat.ParseVMPressureLevel(v)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, bad := range []uint32{0, 3, 5, 8, 0xffffffff} {
		_, err := memstat.ParseVMPressureLevel(bad)
		require.ErrorIs(t, err, memstat.ErrUnavailable, "%d", bad)
	}
	require.Equal(t, "kern.memorystatus_vm_pressure_level", memstat.VMPressureSysctl)
}
