package mapping_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/mapping"
)

func TestMapReadsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.bin")
	want := make([]byte, 3*4096+17)
	for i := range want {
		want[i] = byte(i * 7)
	}
	require.NoError(t, os.WriteFile(path, want, 0o600))
	m, err := mapping.Open(path)
	require.NoError(t, err)
	require.Equal(t, len(want), m.Len())
	got, err := m.Bytes()
	require.NoError(t, err)
	require.Equal(t, want, got)

	require.NoError(t, os.Remove(path))
	got, _ = m.Bytes()
	require.Equal(t, want[:100], got[:100], "the mapping outlives the file's name")

	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "Close twice is harmless")
	_, err = m.Bytes()
	require.ErrorIs(t, err, mapping.ErrClosed)
}

func TestEmptyFileMapsToNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	m, err := mapping.Open(path)
	require.NoError(t, err)
	require.Equal(t, 0, m.Len())
	b, err := m.Bytes()
	require.NoError(t, err)
	require.Empty(t, b)
	require.NoError(t, m.Close())
}

func TestOpenErrorsKeepTheirErrno(t *testing.T) {
	dir := t.TempDir()
	_, err := mapping.Open(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = mapping.Open(dir)
	require.ErrorIs(t, err, syscall.EISDIR)
}

func TestOnlyRegularFilesAreMappedAndAFIFONeverBlocks(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 1)
	go func() {
		_, err := mapping.Open(fifo)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, syscall.EINVAL)
	case <-time.After(20 * time.Second):
		t.Fatal("mapping a FIFO without a writer blocked")
	}
	_, err := mapping.Open("/dev/null")
	require.ErrorIs(t, err, syscall.EINVAL, "a character device is not mapped")
}
