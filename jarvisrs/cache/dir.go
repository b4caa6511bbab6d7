// Package cache keeps derived copies of model files (compressed or quantized) in a private
// directory, keyed by the source's real path, and invalidated when the source's size or
// modification time change. Entries are written atomically, so concurrent writers and crashes never
// leave a torn entry, and each entry carries a checksum so external damage is detected.
package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

// Dir is a validated cache directory. Safe for concurrent use; several processes may share it.
type Dir struct {
	path string
}

// Open creates path like `mkdir -p` (new directories mode 0700) and checks that it is a real
// directory (not a symbolic link) owned by the effective user; otherwise it returns ErrUnsafeDir.
// Temporary files left by writers that died are removed.
func Open(path string) (*Dir, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, err
	}
	if err := checkOwnedDir(abs); err != nil {
		return nil, err
	}
	atomicfile.CleanStale(abs, atomicfile.StaleAge)
	return &Dir{path: abs}, nil
}

// checkOwnedDir refuses a symlink, a non-directory, or a directory owned by someone else.
func checkOwnedDir(path string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if info.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%w: %s is a symbolic link", ErrUnsafeDir, path)
	}
	if !info.IsDir() {
		return &os.PathError{Op: "open cache", Path: path, Err: syscall.ENOTDIR}
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: %s is owned by uid %d, not by this user (uid %d)", ErrUnsafeDir, path, st.Uid, os.Geteuid())
	}
	return nil
}

// Path is the absolute directory path.
func (d *Dir) Path() string { return d.path }

// Clear removes every entry and recreates the directory with the same checks as Open. A directory
// that someone removed meanwhile is simply recreated.
func (d *Dir) Clear() error {
	if err := checkOwnedDir(d.path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			_, err = Open(d.path)
		}
		return err
	}
	if err := os.RemoveAll(d.path); err != nil {
		return err
	}
	_, err := Open(d.path)
	return err
}
