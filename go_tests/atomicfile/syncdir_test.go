package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

// TestSyncDirIgnoresWhatItCannotSync: SyncDir only weakens durability on failure, so a missing
// directory or a path that is not a directory neither panics nor changes anything, and a real
// directory keeps its entries.
func TestSyncDirIgnoresWhatItCannotSync(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	atomicfile.SyncDir(dir)
	atomicfile.SyncDir(filepath.Join(dir, "missing"))
	atomicfile.SyncDir(file)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "x", string(got))
	require.NoDirExists(t, filepath.Join(dir, "missing"))
}
