package memstat

import (
	"bytes"
	"errors"
	"strconv"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// errFileTooBig marks a kernel file that did not fit the caller's buffer; a truncated read of
// /proc or cgroup data would parse as a different, wrong number, so it is refused instead.
var errFileTooBig = errors.New("memstat: file larger than its read buffer")

// kernelFile is a small /proc or /sys file that is read again and again. Its descriptor is
// opened on first use and then kept: opening a /proc or cgroup file walks the path and sets up
// a seq_file, which costs several times the read itself, while a pread at offset 0 on a kept
// descriptor makes the kernel generate the contents afresh. Reads are preads, so they are safe
// for concurrent use; close must not run concurrently with them.
//
// Code that closes every descriptor it did not open itself (daemonising, typically) can take
// the kept one away, and a later open can reuse its number for another file. So when a read
// fails or returns what cannot be these contents, the caller asks replaced whether the
// descriptor is still the file it opened, and if not, reads once more from a fresh one.
type kernelFile struct {
	path  string
	cpath *byte // path NUL-terminated once, so opening allocates nothing; nil if path holds a NUL
	kept  atomic.Pointer[openFile]
}

// openFile is a kept descriptor and the identity of the file it was opened on.
type openFile struct {
	fd       int
	dev, ino uint64
}

func newKernelFile(path string) *kernelFile {
	f := &kernelFile{path: path}
	f.cpath, _ = unix.BytePtrFromString(path)
	return f
}

// descriptor returns the kept descriptor, opening it on first use. A failed open is not
// remembered: the next call tries again, so a transient failure does not stick.
func (f *kernelFile) descriptor() (*openFile, error) {
	for {
		if o := f.kept.Load(); o != nil {
			return o, nil
		}
		fd, err := f.open()
		if err != nil {
			return nil, err
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return nil, err
		}
		o := &openFile{fd: fd, dev: uint64(st.Dev), ino: uint64(st.Ino)}
		if f.kept.CompareAndSwap(nil, o) {
			return o, nil
		}
		unix.Close(fd) // another reader kept one first: use theirs
	}
}

// replaced reports whether o, the descriptor a failed or implausible read went through, no
// longer refers to the file it was opened on (closed, or its number reused for another file).
// Then the kernelFile forgets it, without closing it, as the number is no longer its own, and
// the next read opens the file again. It costs an fstat, so only failure paths call it.
func (f *kernelFile) replaced(o *openFile) bool {
	var st unix.Stat_t
	if err := unix.Fstat(o.fd, &st); err == nil && uint64(st.Dev) == o.dev && uint64(st.Ino) == o.ino {
		return false
	}
	f.kept.CompareAndSwap(o, nil)
	return true
}

// keptReplaced is replaced for whatever descriptor is kept now, for callers that found the
// contents implausible after the read returned.
func (f *kernelFile) keptReplaced() bool {
	o := f.kept.Load()
	return o != nil && f.replaced(o)
}

// open opens a new descriptor for the file, without the allocation unix.Open makes to
// NUL-terminate its argument.
func (f *kernelFile) open() (int, error) {
	if f.cpath == nil {
		return -1, unix.EINVAL
	}
	dirfd := unix.AT_FDCWD // a variable: the negative constant cannot convert to uintptr directly
	for {
		r, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(f.cpath)),
			uintptr(unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0)
		switch errno {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		default:
			return -1, errno
		}
	}
}

// close releases the kept descriptor, if any; a later read opens a new one.
func (f *kernelFile) close() {
	if o := f.kept.Swap(nil); o != nil {
		unix.Close(o.fd)
	}
}

// readAll reads the whole file into buf through the kept descriptor and returns the filled part;
// a file that fills buf is refused with errFileTooBig. buf is not retained.
func (f *kernelFile) readAll(buf []byte) ([]byte, error) {
	for retried := false; ; retried = true {
		o, err := f.descriptor()
		if err != nil {
			return nil, err
		}
		n, err := preadRetry(o.fd, buf, 0)
		if err != nil {
			if !retried && f.replaced(o) {
				continue
			}
			return nil, err
		}
		if n == len(buf) {
			return nil, errFileTooBig
		}
		return buf[:n], nil
	}
}

// lines returns a scanner over the file's lines. A file that fits buf is read with one pread on
// the kept descriptor; a longer one is streamed through buf from a descriptor of its own, since
// chunks preaded from a shared one could come from different generations of the contents. The
// scanner's lines live in buf; the caller must close the scanner.
func (f *kernelFile) lines(buf []byte) lineScanner {
	o, err := f.descriptor()
	if err != nil {
		return lineScanner{errno: errnoOf(err), fd: -1}
	}
	n, err := preadRetry(o.fd, buf, 0)
	if err != nil && f.replaced(o) {
		if o, err = f.descriptor(); err == nil {
			n, err = preadRetry(o.fd, buf, 0)
		}
	}
	if err != nil {
		return lineScanner{errno: errnoOf(err), fd: -1}
	}
	if n < len(buf) {
		return lineScanner{pending: buf[:n], eof: true, fd: -1}
	}
	own, err := f.open()
	if err != nil {
		return lineScanner{errno: errnoOf(err), fd: -1}
	}
	return lineScanner{buf: buf, fd: own}
}

// lineScanner yields the lines of a file, without their newlines, from a buffer it was given.
// It is a plain iterator rather than a callback so that escape analysis can keep the buffer on
// the caller's stack: a line handed to a function value would force it onto the heap.
type lineScanner struct {
	buf     []byte // the whole buffer, when streaming from fd
	pending []byte // data in buf not yet returned
	fd      int    // a private descriptor being streamed, or -1
	eof     bool
	// The failure is kept as plain numbers, not an error: escape analysis does not tell fields
	// apart, so an interface returned from the struct would send buf to the heap with it.
	errno  unix.Errno
	tooBig bool
}

// errnoOf reduces a system-call error to its errno; the calls used here return nothing else.
func errnoOf(err error) unix.Errno {
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EIO
}

// streamLines returns a scanner that reads fd sequentially through buf. It takes fd over: the
// scanner's close closes it.
func streamLines(fd int, buf []byte) lineScanner {
	return lineScanner{buf: buf, fd: fd}
}

// next returns the next line; ok is false once the lines run out or reading fails (then close
// reports the error). A line is valid until the following call. A line longer than the buffer
// is errFileTooBig.
func (s *lineScanner) next() (line []byte, ok bool) {
	for {
		if i := bytes.IndexByte(s.pending, '\n'); i >= 0 {
			line, s.pending = s.pending[:i], s.pending[i+1:]
			return line, true
		}
		if s.eof || s.errno != 0 || s.tooBig {
			if s.eof && len(s.pending) > 0 {
				line, s.pending = s.pending, nil
				return line, true
			}
			return nil, false
		}
		carried := copy(s.buf, s.pending)
		if carried == len(s.buf) {
			s.tooBig = true
			return nil, false
		}
		m, err := unix.Read(s.fd, s.buf[carried:])
		switch {
		case err == unix.EINTR:
			m = 0
		case err != nil:
			s.errno = errnoOf(err)
			return nil, false
		case m == 0:
			s.eof = true
		}
		s.pending = s.buf[:carried+m]
	}
}

// close releases the scanner's private descriptor, if any, and returns the first read error.
func (s *lineScanner) close() error {
	if s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
	switch {
	case s.tooBig:
		return errFileTooBig
	case s.errno != 0:
		return s.errno
	}
	return nil
}

func preadRetry(fd int, buf []byte, offset int64) (int, error) {
	for {
		n, err := unix.Pread(fd, buf, offset)
		if err != unix.EINTR {
			return n, err
		}
	}
}

// readKernelFile reads the whole of a small /proc or /sys file into buf and returns the filled
// part, for files read too rarely to keep open. It goes straight to the system calls: os.ReadFile
// would allocate a buffer and stat on every call. buf is not retained.
func readKernelFile(path string, buf []byte) ([]byte, error) {
	fd, err := openRetry(path)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for {
		if n == len(buf) {
			return nil, errFileTooBig
		}
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			return buf[:n], nil
		}
		n += m
	}
}

func openRetry(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// readUint reads a file holding one unsigned decimal number, such as memory.current.
func (f *kernelFile) readUint() (uint64, error) {
	for retried := false; ; retried = true {
		var buf [64]byte
		b, err := f.readAll(buf[:])
		if err != nil {
			return 0, err
		}
		b = bytes.TrimSpace(b)
		v, err := parseUint(b)
		// "max" is cgroup v2's word for no limit; anything else that is not a number may be
		// another file behind a reused descriptor.
		if err != nil && !retried && string(b) != "max" && f.keptReplaced() {
			continue
		}
		return v, err
	}
}

// parseUint parses an unsigned decimal number with no sign and no surrounding space. Parsing
// bytes directly avoids the string allocation strconv would otherwise need.
func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, strconv.ErrSyntax
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, strconv.ErrRange
		}
		v = v*10 + d
	}
	return v, nil
}

// statField returns the value of the line "key value" in a memory.stat-style file, read through
// f. ok is false when the file cannot be read or has no such line.
func statField(f *kernelFile, key string) (value uint64, ok bool) {
	value, ok = scanStatField(f, key)
	if !ok && f.keptReplaced() { // perhaps not memory.stat after all: a reused descriptor
		value, ok = scanStatField(f, key)
	}
	return value, ok
}

func scanStatField(f *kernelFile, key string) (uint64, bool) {
	var buf [statBufSize]byte
	sc := f.lines(buf[:])
	defer sc.close()
	for {
		line, more := sc.next()
		if !more {
			return 0, false
		}
		name, rest, found := bytes.Cut(line, []byte{' '})
		if found && string(name) == key {
			v, err := parseUint(bytes.TrimSpace(rest))
			return v, err == nil
		}
	}
}
