package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

// errIsDirectory is the errno for a source path that names a directory.
var errIsDirectory error = syscall.EISDIR

// Entry file layout (all little-endian):
//
//	magic     8 bytes  "JRXCACH1"
//	size      8 bytes  source size in bytes
//	mtime     8 bytes  source modification time in ns
//	length    8 bytes  payload length
//	checksum  4 bytes  CRC-32C of the payload
//	payload   length bytes
const (
	entryMagic      = "JRXCACH1"
	entryHeaderSize = 8 + 8 + 8 + 8 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteEntry stores payload as the entry at entryPath for src, atomically, file mode 0600.
func WriteEntry(entryPath string, src Source, payload []byte) error {
	f, err := atomicfile.Create(entryPath, 0o600)
	if err != nil {
		return err
	}
	defer f.Abort()
	var hdr [entryHeaderSize]byte
	copy(hdr[:8], entryMagic)
	binary.LittleEndian.PutUint64(hdr[8:], uint64(src.Size))
	binary.LittleEndian.PutUint64(hdr[16:], uint64(src.ModNanos))
	binary.LittleEndian.PutUint64(hdr[24:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(hdr[32:], crc32.Checksum(payload, castagnoli))
	if _, err := f.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := f.Write(payload); err != nil {
		return err
	}
	return f.Commit()
}

// ReadEntry returns the payload of the entry at entryPath if it was built from exactly src and is
// intact. A missing entry gives an error satisfying errors.Is(err, fs.ErrNotExist); a different
// source version ErrStale; bad framing or checksum ErrDamaged. The payload is read whole: entries
// hold one model, bounded by the file's own size which is checked against the header first.
func ReadEntry(entryPath string, src Source) ([]byte, error) {
	f, err := os.Open(entryPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return ParseEntry(f, info.Size(), src)
}

// ParseEntry validates and reads an entry of fileSize bytes from r (exposed for fuzzing).
func ParseEntry(r io.Reader, fileSize int64, src Source) ([]byte, error) {
	if fileSize < entryHeaderSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the header", ErrDamaged, fileSize)
	}
	var hdr [entryHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if string(hdr[:8]) != entryMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrDamaged)
	}
	if int64(binary.LittleEndian.Uint64(hdr[8:])) != src.Size || int64(binary.LittleEndian.Uint64(hdr[16:])) != src.ModNanos {
		return nil, ErrStale
	}
	length := binary.LittleEndian.Uint64(hdr[24:])
	if length != uint64(fileSize-entryHeaderSize) {
		return nil, fmt.Errorf("%w: payload length %d does not match the file (%d bytes)", ErrDamaged, length, fileSize)
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[32:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	}
	return payload, nil
}

// NeedsRebuild reports whether a ReadEntry error means "build the entry again" rather than a real
// failure such as a permission problem on the cache directory.
func NeedsRebuild(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrStale) || errors.Is(err, ErrDamaged)
}
