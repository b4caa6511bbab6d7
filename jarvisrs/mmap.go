package jarvisrs

import (
	"unsafe"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/mapping"
)

// Mapping is a read-only memory map of a whole file, shared with Python: Python builds a buffer
// over Addr()/Len() and calls Close when the last view of it is gone. Safe for concurrent use.
type Mapping struct {
	m *mapping.Map
}

// MapFile maps the file at path read-only. An empty file gives a mapping of length 0.
func MapFile(path string) (_ *Mapping, err error) {
	defer recoverPanic(&err)
	if path, err = decodePath(path); err != nil {
		return nil, err
	}
	m, err := mapping.Open(path)
	if err != nil {
		return nil, osError(err)
	}
	return &Mapping{m: m}, nil
}

// Len is the mapped length in bytes.
func (m *Mapping) Len() int { return m.m.Len() }

// Addr is the address of the first mapped byte (0 when empty or closed). It stays valid until Close.
func (m *Mapping) Addr() uintptr {
	data, err := m.m.Bytes()
	if err != nil || len(data) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&data[0]))
}

// Close unmaps the file; using Python views of it afterwards would fault, so the facade calls it
// only once no view remains. Calling it twice is harmless.
func (m *Mapping) Close() (status int, err error) {
	defer recoverPanic(&err)
	return 0, osError(m.m.Close())
}
