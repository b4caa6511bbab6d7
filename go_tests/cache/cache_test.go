package cache_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/cache"
)

func newSource(t *testing.T, dir, name string, content []byte) cache.Source {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, content, 0o600))
	src, err := cache.Stat(path)
	require.NoError(t, err)
	return src
}

func TestOpenCreatesAPrivateDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "cache")
	d, err := cache.Open(path)
	require.NoError(t, err)
	require.Equal(t, path, d.Path())
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.True(t, info.IsDir())
	require.Equal(t, os.FileMode(0o700), info.Mode().Perm())
}

func TestOpenRefusesSymlinksAndFiles(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	require.NoError(t, os.Mkdir(real, 0o700))
	link := filepath.Join(base, "link")
	require.NoError(t, os.Symlink(real, link))
	_, err := cache.Open(link)
	require.ErrorIs(t, err, cache.ErrUnsafeDir)

	file := filepath.Join(base, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = cache.Open(file)
	require.Error(t, err)
}

func TestOpenRefusesADirectoryOwnedBySomeoneElse(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown a directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "theirs")
	require.NoError(t, os.Mkdir(dir, 0o777))
	require.NoError(t, os.Chown(dir, 12345, 12345))
	_, err := cache.Open(dir)
	require.ErrorIs(t, err, cache.ErrUnsafeDir)
}

func TestEntryRoundTripAndInvalidation(t *testing.T) {
	base := t.TempDir()
	d, err := cache.Open(filepath.Join(base, "cache"))
	require.NoError(t, err)
	src := newSource(t, base, "m/model.pkl", []byte("version one"))
	entry := d.EntryPath(src, "lz4", ".c")

	_, err = cache.ReadEntry(entry, src)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.True(t, cache.NeedsRebuild(err))

	payload := bytes.Repeat([]byte("payload"), 1000)
	require.NoError(t, cache.WriteEntry(entry, src, payload))
	got, err := cache.ReadEntry(entry, src)
	require.NoError(t, err)
	require.Equal(t, payload, got)
	info, err := os.Stat(entry)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	changed := src
	changed.ModNanos += int64(time.Second)
	_, err = cache.ReadEntry(entry, changed)
	require.ErrorIs(t, err, cache.ErrStale)
	changed = src
	changed.Size++
	_, err = cache.ReadEntry(entry, changed)
	require.ErrorIs(t, err, cache.ErrStale)
}

func TestSameNameInDifferentFoldersDoesNotCollide(t *testing.T) {
	base := t.TempDir()
	d, err := cache.Open(filepath.Join(base, "cache"))
	require.NoError(t, err)
	a := newSource(t, base, "a/model.pkl", []byte("a"))
	b := newSource(t, base, "b/model.pkl", []byte("b"))
	require.NotEqual(t, d.EntryPath(a, "v", ""), d.EntryPath(b, "v", ""))
	require.NotEqual(t, d.EntryPath(a, "v1", ""), d.EntryPath(a, "v2", ""), "variants are separate entries")
}

func TestSymlinkSharesTheRealFilesEntry(t *testing.T) {
	base := t.TempDir()
	src := newSource(t, base, "model.pkl", []byte("x"))
	link := filepath.Join(base, "alias.pkl")
	require.NoError(t, os.Symlink(src.RealPath, link))
	viaLink, err := cache.Stat(link)
	require.NoError(t, err)
	require.Equal(t, src, viaLink)
}

func TestStatErrors(t *testing.T) {
	_, err := cache.Stat(filepath.Join(t.TempDir(), "missing"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = cache.Stat(t.TempDir())
	require.Error(t, err)
}

func TestDamagedEntriesAreDetected(t *testing.T) {
	base := t.TempDir()
	d, err := cache.Open(filepath.Join(base, "cache"))
	require.NoError(t, err)
	src := newSource(t, base, "model.pkl", []byte("x"))
	entry := d.EntryPath(src, "v", "")
	payload := bytes.Repeat([]byte{1, 2, 3, 4}, 4096)
	require.NoError(t, cache.WriteEntry(entry, src, payload))
	good, err := os.ReadFile(entry)
	require.NoError(t, err)

	cases := map[string][]byte{
		"flipped payload byte": flip(good, len(good)-10),
		"flipped magic":        flip(good, 0),
		"truncated payload":    good[:len(good)-1],
		"truncated header":     good[:10],
		"empty":                {},
		"appended byte":        append(append([]byte{}, good...), 0),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(entry, content, 0o600))
			_, err := cache.ReadEntry(entry, src)
			require.ErrorIs(t, err, cache.ErrDamaged)
			require.True(t, cache.NeedsRebuild(err))
		})
	}
}

func TestClearEmptiesAndRecreates(t *testing.T) {
	base := t.TempDir()
	d, err := cache.Open(filepath.Join(base, "cache"))
	require.NoError(t, err)
	src := newSource(t, base, "model.pkl", []byte("x"))
	require.NoError(t, cache.WriteEntry(d.EntryPath(src, "v", ""), src, []byte("p")))
	require.NoError(t, d.Clear())
	entries, err := os.ReadDir(d.Path())
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestNeedsRebuildIsFalseForRealFailures(t *testing.T) {
	require.False(t, cache.NeedsRebuild(fs.ErrPermission))
	require.False(t, cache.NeedsRebuild(errors.New("disk on fire")))
}

func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 0xFF
	return out
}

// FuzzParseEntry: arbitrary bytes never crash the entry reader, and whatever it accepts carries
// the right checksum (so it can only be an entry WriteEntry produced).
func FuzzParseEntry(f *testing.F) {
	dir := f.TempDir()
	src := cache.Source{RealPath: "/m", Size: 3, ModNanos: 42}
	entry := filepath.Join(dir, "e")
	if err := cache.WriteEntry(entry, src, []byte("hello world")); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(entry)
	f.Add(good)
	f.Add(good[:20])
	f.Add([]byte("JRXCACH1"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		payload, err := cache.ParseEntry(bytes.NewReader(data), int64(len(data)), src)
		if err == nil {
			require.Equal(t, data[len(data)-len(payload):], payload)
		}
	})
}
