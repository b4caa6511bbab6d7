// Package atomicfile writes files so that readers see either the old content or the complete new
// content, never a torn file: data goes to a temporary file in the destination's directory, which is
// flushed to disk and then renamed over the destination. A crash before the rename leaves the
// destination untouched and a temporary file that CleanStale removes later.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// tempMarker is part of every temporary file name, so leftovers can be recognised and removed.
const tempMarker = ".jrx-tmp-"

// File is a temporary file that becomes the destination on Commit. It embeds *os.File for writing.
// A File is not safe for concurrent use.
type File struct {
	*os.File
	dest     string
	finished bool
}

// StaleAge is how old a temporary file must be before it is taken for the leftover of a writer
// that died (a live writer's file is younger: it is written continuously).
const StaleAge = 10 * time.Minute

// Create opens a new temporary file beside dest with permission perm, to which the kernel applies
// the process's umask as it does for any new file (so 0o666 gives what Python's open() gives).
// Nothing is visible at dest until Commit. Temporaries for the same dest left by writers that died (older than
// StaleAge) are removed first, so crashes do not accumulate garbage.
func Create(dest string, perm os.FileMode) (*File, error) {
	dir, base := filepath.Split(dest)
	if dir == "" {
		dir = "."
	}
	own := "." + base + tempMarker
	removeStale(dir, own, StaleAge)
	removeStale(dir, "."+own, StaleAge) // a temporary of our temporary (a writer that writes via one)
	f, err := createExclusive(dir, own, perm)
	if err != nil {
		return nil, err
	}
	return &File{File: f, dest: dest}, nil
}

// createExclusive creates a new file dir/prefix<random> with mode perm (umask applied by the
// kernel). os.CreateTemp cannot be used: it always creates mode 0600, and a later chmod would
// ignore the umask.
func createExclusive(dir, prefix string, perm os.FileMode) (*os.File, error) {
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, &os.PathError{Op: "createtemp", Path: filepath.Join(dir, prefix+"*"), Err: fs.ErrExist}
}

// Commit flushes the data to disk, closes the file, renames it onto the destination and flushes
// the directory entry. On any error the temporary file is removed and the destination is untouched.
func (f *File) Commit() error {
	if f.finished {
		return errors.New("atomicfile: already finished")
	}
	f.finished = true
	tmp := f.Name()
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.dest)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("atomicfile: committing %s: %w", f.dest, err)
	}
	SyncDir(filepath.Dir(f.dest))
	return nil
}

// Abort closes and removes the temporary file. It is a no-op after Commit or a previous Abort, so
// `defer f.Abort()` is the idiom.
func (f *File) Abort() {
	if f.finished {
		return
	}
	f.finished = true
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// SyncDir flushes the directory dir to disk, making a completed rename in it durable; failure only
// weakens durability, never atomicity, so it is not reported.
func SyncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// IsTemp reports whether name (a base name) is a temporary file made by Create.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// CleanStale removes temporary files left in dir by writers that died, when they are older than
// age (so a live writer's file is left alone). It returns how many it removed; errors are ignored
// because a leftover is harmless.
func CleanStale(dir string, age time.Duration) int {
	return removeStale(dir, "", age)
}

// removeStale removes the temporaries in dir whose names start with prefix ("" for all) and that
// are older than age, and returns how many it removed.
func removeStale(dir, prefix string, age time.Duration) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	removed := 0
	cutoff := time.Now().Add(-age)
	for _, e := range entries {
		if e.IsDir() || !IsTemp(e.Name()) || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}
