package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// Source identifies one version of a source file: where it really is and what it looked like.
type Source struct {
	RealPath string // absolute, symlinks resolved: two names for one file share entries
	Size     int64  // bytes
	ModNanos int64  // modification time, nanoseconds since the Unix epoch
}

// Stat describes the current version of the file at path. Errors are the os package's (so
// errors.Is(err, fs.ErrNotExist) works for a missing file).
func Stat(path string) (Source, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Source{}, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		// EvalSymlinks reports a loop as a plain error; os.Stat gives the errno (ELOOP, ENOENT...).
		if _, serr := os.Stat(abs); serr != nil {
			return Source{}, serr
		}
		return Source{}, err
	}
	info, err := os.Stat(real)
	if err != nil {
		return Source{}, err
	}
	if info.IsDir() {
		return Source{}, &os.PathError{Op: "open", Path: path, Err: errIsDirectory}
	}
	return Source{RealPath: real, Size: info.Size(), ModNanos: info.ModTime().UnixNano()}, nil
}

// EntryPath is where the entry for src's real path and variant (for example "lz4-frame-l0" or
// "int8") lives. The name depends on the path and variant only, so a changed source replaces its
// old entry instead of accumulating new ones.
func (d *Dir) EntryPath(src Source, variant, ext string) string {
	h := sha256.Sum256([]byte(src.RealPath + "\x00" + variant))
	return filepath.Join(d.path, hex.EncodeToString(h[:16])+ext)
}
