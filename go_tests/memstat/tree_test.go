package memstat_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

const mib = 1 << 20

// fakeTree is a /proc + /sys pair under one directory, as the trees in testdata are laid out.
type fakeTree string

func (t fakeTree) proc() string { return filepath.Join(string(t), "proc") }
func (t fakeTree) sys() string  { return filepath.Join(string(t), "sys") }

// testdataTree names a read-only tree in testdata.
func testdataTree(name string) fakeTree {
	return fakeTree(filepath.Join("testdata", name))
}

// copyTree copies a testdata tree into a fresh temporary directory, for tests that rewrite files.
func copyTree(t testing.TB, name string) fakeTree {
	t.Helper()
	src := filepath.Join("testdata", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	require.NoError(t, err)
	return fakeTree(dst)
}

// write replaces (or creates) the file at rel inside the tree.
func (t fakeTree) write(tb testing.TB, rel, content string) {
	tb.Helper()
	path := filepath.Join(string(t), rel)
	require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(tb, os.WriteFile(path, []byte(content), 0o644))
}

// meminfo is a minimal /proc/meminfo with the given total and available, in MiB.
func meminfo(totalMiB, availableMiB uint64) string {
	return "MemTotal: " + kb(totalMiB) + " kB\nMemFree: " + kb(availableMiB/2) + " kB\nMemAvailable: " +
		kb(availableMiB) + " kB\nBuffers: 0 kB\nCached: 0 kB\n"
}

func kb(miB uint64) string {
	return strconv.FormatUint(miB*1024, 10)
}
