package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

func TestCommitReplacesTheDestinationWhole(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.bin")
	require.NoError(t, os.WriteFile(dest, []byte("old"), 0o644))

	f, err := atomicfile.Create(dest, 0o600)
	require.NoError(t, err)
	_, err = f.Write([]byte("new content"))
	require.NoError(t, err)
	got, _ := os.ReadFile(dest)
	require.Equal(t, "old", string(got), "nothing is visible before Commit")

	require.NoError(t, f.Commit())
	got, err = os.ReadFile(dest)
	require.NoError(t, err)
	require.Equal(t, "new content", string(got))
	info, err := os.Stat(dest)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	requireNoTemps(t, dir)
	require.Error(t, f.Commit(), "a second Commit is refused")
}

func TestAbortLeavesTheDestinationAlone(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.bin")
	require.NoError(t, os.WriteFile(dest, []byte("old"), 0o644))
	f, err := atomicfile.Create(dest, 0o600)
	require.NoError(t, err)
	_, _ = f.Write([]byte("half"))
	f.Abort()
	f.Abort() // idempotent
	got, _ := os.ReadFile(dest)
	require.Equal(t, "old", string(got))
	requireNoTemps(t, dir)
}

func TestCreateInAMissingDirectoryFails(t *testing.T) {
	_, err := atomicfile.Create(filepath.Join(t.TempDir(), "missing", "out"), 0o600)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestCleanStaleRemovesOnlyOldTemporaries(t *testing.T) {
	dir := t.TempDir()
	old, err := atomicfile.Create(filepath.Join(dir, "a"), 0o600)
	require.NoError(t, err)
	_ = old.Close() // a writer that died: the file stays
	past := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(old.Name(), past, past))
	fresh, err := atomicfile.Create(filepath.Join(dir, "b"), 0o600)
	require.NoError(t, err)
	defer fresh.Abort()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "user-file"), nil, 0o600))

	require.Equal(t, 1, atomicfile.CleanStale(dir, 10*time.Minute))
	_, err = os.Stat(old.Name())
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(fresh.Name())
	require.NoError(t, err, "a live writer's file is kept")
	_, err = os.Stat(filepath.Join(dir, "user-file"))
	require.NoError(t, err, "other files are never touched")
}

func TestIsTemp(t *testing.T) {
	require.True(t, atomicfile.IsTemp(".model.bin.jrx-tmp-123"))
	require.False(t, atomicfile.IsTemp("model.bin"))
	require.False(t, atomicfile.IsTemp("model.jrx-tmp-1"), "temporaries are hidden files")
}

func requireNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.False(t, atomicfile.IsTemp(e.Name()), "left a temporary: %s", e.Name())
	}
}

func TestCreateRemovesOnlyItsOwnStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	dead, err := atomicfile.Create(filepath.Join(dir, "out.bin"), 0o600)
	require.NoError(t, err)
	_ = dead.Close() // a writer killed before Commit
	other, err := atomicfile.Create(filepath.Join(dir, "other.bin"), 0o600)
	require.NoError(t, err)
	_ = other.Close()
	past := time.Now().Add(-2 * atomicfile.StaleAge)
	require.NoError(t, os.Chtimes(dead.Name(), past, past))
	require.NoError(t, os.Chtimes(other.Name(), past, past))

	next, err := atomicfile.Create(filepath.Join(dir, "out.bin"), 0o600)
	require.NoError(t, err)
	defer next.Abort()
	_, err = os.Stat(dead.Name())
	require.ErrorIs(t, err, os.ErrNotExist, "the dead writer's temporary for the same file is gone")
	_, err = os.Stat(other.Name())
	require.NoError(t, err, "temporaries of other files are not this writer's business")
}
