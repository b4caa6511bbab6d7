package safetensors

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/atomicfile"
)

// Spec describes one tensor for Create: its name, element type and shape (element counts per
// dimension; empty for a scalar).
type Spec struct {
	Name  string
	DType DType
	Shape []int64
}

// slotState tracks one tensor's progress through Write.
type slotState uint8

const (
	slotEmpty slotState = iota
	slotWriting
	slotWritten
)

// slot is where one tensor goes in the file; offset is absolute.
type slot struct {
	name           string
	offset, length int64
	state          slotState
}

// Writer writes a safetensors file atomically: the header is computed and written by Create, each
// tensor's bytes go straight to their final place with Write (in any order, so memory use is
// bounded by the largest tensor the caller holds), and Commit makes the file appear at its
// destination complete or not at all. The layout and header bytes are those of the reference
// writer (safetensors.numpy.save_file): tensors by descending dtype alignment, then by name, and
// the header padded with spaces to a multiple of 8 bytes, so every tensor is aligned to its
// element size.
//
// Write is safe for concurrent use by several goroutines (each writing different tensors); Commit
// and Abort must not run concurrently with Write or with each other. Call Abort (typically
// deferred) on every path that does not Commit.
type Writer struct {
	file  *atomicfile.File
	size  int64
	index map[string]int

	mu        sync.Mutex
	slots     []slot
	remaining int
	finished  bool
}

// Create validates specs and metadata, computes the header, and writes it to a temporary file
// beside dest (permissions 0644 before umask); nothing appears at dest until Commit. Names must be
// unique, valid UTF-8 and not "__metadata__"; dtypes supported; shapes at most MaxDims
// non-negative dimensions whose byte size fits in an int64 (else ErrInvalidArgument). metadata
// may be nil (no "__metadata__" entry) or a map (an entry, even when empty, as the reference
// writes for {}); its keys and values must be valid UTF-8. A header larger than MaxHeaderSize is
// ErrTooLarge. specs and metadata are read, never retained. File system errors are wrapped and
// returned (errors.Is works with fs.ErrNotExist and friends).
func Create(dest string, specs []Spec, metadata map[string]string) (*Writer, error) {
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("%w: metadata entry %s is not valid UTF-8", ErrInvalidArgument, quoteShort(k))
		}
	}
	// Raw string lengths are a lower bound on the encoded header, so an oversized header is
	// refused before it is built.
	lower := 0
	for _, s := range specs {
		lower += len(s.Name)
	}
	for k, v := range metadata {
		lower += len(k) + len(v)
	}
	if lower > MaxHeaderSize {
		return nil, fmt.Errorf("%w: names and metadata alone take %d bytes, over the %d-byte header limit", ErrTooLarge, lower, MaxHeaderSize)
	}
	entries, err := layout(specs)
	if err != nil {
		return nil, err
	}
	header := encodeHeader(entries, metadata)
	if len(header) > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header would be %d bytes, over the %d-byte limit", ErrTooLarge, len(header), MaxHeaderSize)
	}
	dataStart := 8 + int64(len(header))
	var dataSize int64
	if len(entries) > 0 {
		dataSize = entries[len(entries)-1].end
	}
	if dataSize > math.MaxInt64-dataStart {
		return nil, fmt.Errorf("%w: total size overflows a 64-bit byte count", ErrInvalidArgument)
	}
	w := &Writer{
		size:      dataStart + dataSize,
		index:     make(map[string]int, len(entries)),
		slots:     make([]slot, len(entries)),
		remaining: len(entries),
	}
	for i, e := range entries {
		w.index[e.name] = i
		w.slots[i] = slot{name: e.name, offset: dataStart + e.begin, length: e.end - e.begin}
	}
	f, err := atomicfile.Create(dest, 0o666) // the umask applies, as for open()
	if err != nil {
		return nil, fmt.Errorf("safetensors: creating %s: %w", dest, err)
	}
	prefixed := make([]byte, 8, dataStart)
	binary.LittleEndian.PutUint64(prefixed, uint64(len(header)))
	prefixed = append(prefixed, header...)
	if _, err := f.WriteAt(prefixed, 0); err != nil {
		f.Abort()
		return nil, fmt.Errorf("safetensors: writing header of %s: %w", dest, err)
	}
	w.file = f
	return w, nil
}

// layout checks specs and orders them as the reference writer does, assigning data offsets.
func layout(specs []Spec) ([]layoutEntry, error) {
	entries := make([]layoutEntry, 0, len(specs))
	seen := make(map[string]struct{}, len(specs))
	for _, s := range specs {
		if err := checkSpec(s); err != nil {
			return nil, err
		}
		if _, dup := seen[s.Name]; dup {
			return nil, fmt.Errorf("%w: tensor %s appears twice", ErrInvalidArgument, quoteShort(s.Name))
		}
		seen[s.Name] = struct{}{}
		n, ok := byteSize(s.DType, s.Shape)
		if !ok {
			return nil, fmt.Errorf("%w: tensor %s: shape %v of %s overflows a 64-bit byte count", ErrInvalidArgument, quoteShort(s.Name), s.Shape, s.DType)
		}
		entries = append(entries, layoutEntry{name: s.Name, dtype: s.DType, shape: s.Shape, end: n})
	}
	slices.SortFunc(entries, func(a, b layoutEntry) int {
		return cmp.Or(cmp.Compare(dtypes[b.dtype].rank, dtypes[a.dtype].rank), cmp.Compare(a.name, b.name))
	})
	var offset int64
	for i := range entries {
		n := entries[i].end
		if n > math.MaxInt64-offset {
			return nil, fmt.Errorf("%w: total size overflows a 64-bit byte count", ErrInvalidArgument)
		}
		entries[i].begin, entries[i].end = offset, offset+n
		offset += n
	}
	return entries, nil
}

// checkSpec validates one spec on its own.
func checkSpec(s Spec) error {
	switch {
	case !utf8.ValidString(s.Name):
		return fmt.Errorf("%w: tensor name %s is not valid UTF-8", ErrInvalidArgument, quoteShort(s.Name))
	case s.Name == metadataKey:
		return fmt.Errorf("%w: tensor name %s is reserved", ErrInvalidArgument, quoteShort(s.Name))
	case !s.DType.Valid():
		return fmt.Errorf("%w: tensor %s: unsupported dtype %s", ErrInvalidArgument, quoteShort(s.Name), quoteShort(string(s.DType)))
	case len(s.Shape) > MaxDims:
		return fmt.Errorf("%w: tensor %s: %d dimensions, more than %d", ErrInvalidArgument, quoteShort(s.Name), len(s.Shape), MaxDims)
	}
	for _, d := range s.Shape {
		if d < 0 {
			return fmt.Errorf("%w: tensor %s: negative dimension in shape %v", ErrInvalidArgument, quoteShort(s.Name), s.Shape)
		}
	}
	return nil
}

// Write stores the bytes of tensor name: exactly its byte size (element count times dtype size),
// little-endian, C order. Each tensor must be written exactly once; a zero-length tensor still
// needs its (empty) Write. data is written before Write returns and never retained. On an I/O
// error the tensor counts as unwritten, so a retry is allowed. Safe for concurrent use with other
// Write calls.
func (w *Writer) Write(name string, data []byte) error {
	w.mu.Lock()
	if w.finished {
		w.mu.Unlock()
		return fmt.Errorf("%w: Write of %s after Commit or Abort", ErrInvalidArgument, quoteShort(name))
	}
	i, ok := w.index[name]
	if !ok {
		w.mu.Unlock()
		return fmt.Errorf("%w: Write of unknown tensor %s", ErrInvalidArgument, quoteShort(name))
	}
	s := &w.slots[i]
	if s.state != slotEmpty {
		w.mu.Unlock()
		return fmt.Errorf("%w: tensor %s written twice", ErrInvalidArgument, quoteShort(name))
	}
	if int64(len(data)) != s.length {
		w.mu.Unlock()
		return fmt.Errorf("%w: tensor %s needs %d bytes, got %d", ErrInvalidArgument, quoteShort(name), s.length, len(data))
	}
	s.state = slotWriting
	offset := s.offset
	w.mu.Unlock()

	// The slot is reserved, so the write can run unlocked: positional writes to distinct ranges
	// of one file do not interfere.
	var err error
	if len(data) > 0 {
		_, err = w.file.WriteAt(data, offset)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.slots[i].state = slotEmpty
		return fmt.Errorf("safetensors: writing tensor %s: %w", quoteShort(name), err)
	}
	w.slots[i].state = slotWritten
	w.remaining--
	return nil
}

// Commit checks that every tensor was written, flushes the file to disk and renames it onto the
// destination. If a tensor is missing (ErrInvalidArgument, naming it) or any step fails, the
// temporary file is removed and nothing appears at the destination. Either way the Writer is
// finished: later calls fail and Abort is a no-op.
func (w *Writer) Commit() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return fmt.Errorf("%w: Commit after Commit or Abort", ErrInvalidArgument)
	}
	w.finished = true
	if w.remaining > 0 {
		w.file.Abort()
		for _, s := range w.slots {
			if s.state != slotWritten {
				return fmt.Errorf("%w: %d of %d tensors not written, first %s", ErrInvalidArgument, w.remaining, len(w.slots), quoteShort(s.name))
			}
		}
	}
	if err := w.file.Commit(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// Abort removes the temporary file; nothing appears at the destination. It is a no-op after
// Commit or a previous Abort, so `defer w.Abort()` right after Create is the idiom.
func (w *Writer) Abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return
	}
	w.finished = true
	w.file.Abort()
}

// Size returns the size in bytes the finished file will have (8 + header + data). Safe for
// concurrent use.
func (w *Writer) Size() int64 {
	return w.size
}
