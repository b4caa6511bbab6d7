// Package mapping memory-maps whole files read-only, for zero-copy model loading.
package mapping

import (
	"errors"
	"fmt"
	"os"
	"sync"

	mmap "github.com/edsrzf/mmap-go"
)

// ErrClosed is returned when a Map is used after Close.
var ErrClosed = errors.New("mapping: map is closed")

// Map is a read-only, shared memory map of a whole file, taken at Open. Pages are loaded lazily by
// the kernel, so mapping a file costs no memory until it is read, and the pages are file-backed
// (reclaimable) rather than anonymous. Bytes must not be used after Close. Safe for concurrent use.
type Map struct {
	mu   sync.Mutex
	data mmap.MMap // nil for an empty file: mmap(2) cannot map zero bytes
	size int
}

// Open maps the file at path, which must be a regular file (a FIFO, socket or device is refused
// with EINVAL at once, never waited on). The mapping stays valid even if the file is later renamed or
// deleted; if it is truncated by another process, reading past the new end raises SIGBUS, which is
// why callers that need safety against that keep their own files immutable (atomic replace).
func Open(path string) (*Map, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, &os.PathError{Op: "mmap", Path: path, Err: errIsDir}
	}
	if !info.Mode().IsRegular() {
		return nil, &os.PathError{Op: "mmap", Path: path, Err: errNotRegular}
	}
	size := info.Size()
	if size != int64(int(size)) {
		return nil, fmt.Errorf("mapping: %s is too large to map (%d bytes)", path, size)
	}
	if size == 0 {
		return &Map{}, nil
	}
	data, err := mmap.MapRegion(f, int(size), mmap.RDONLY, 0, 0)
	if err != nil {
		return nil, &os.PathError{Op: "mmap", Path: path, Err: err}
	}
	return &Map{data: data, size: int(size)}, nil
}

// Len is the mapped length in bytes (the file size at Open).
func (m *Map) Len() int { return m.size }

// Bytes returns the mapped memory. It is read-only (writing to it faults) and valid until Close.
func (m *Map) Bytes() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.size > 0 && m.data == nil {
		return nil, ErrClosed
	}
	return m.data, nil
}

// Close unmaps the file. Calling it again is a no-op.
func (m *Map) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		return nil
	}
	err := m.data.Unmap()
	m.data = nil
	return err
}
