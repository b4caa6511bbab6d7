package memstat

import (
	"bytes"
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// errFileTooBig marks a kernel file that did not fit the caller's buffer; a truncated read of
// /proc or cgroup data would parse as a different, wrong number, so it is refused instead.
var errFileTooBig = errors.New("memstat: file larger than its read buffer")

// readKernelFile reads the whole of a small /proc or /sys file into buf and returns the filled
// part. It goes straight to the system calls: os.ReadFile would allocate and stat on every call,
// and these files are read on paths where a few microseconds matter. buf is not retained.
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

// readUintFile reads a file holding one unsigned decimal number, such as memory.current.
// Parsing bytes directly avoids the string allocation strconv would otherwise need.
func readUintFile(path string) (uint64, error) {
	var buf [64]byte
	b, err := readKernelFile(path, buf[:])
	if err != nil {
		return 0, err
	}
	return parseUint(bytes.TrimSpace(b))
}

// parseUint parses an unsigned decimal number with no sign and no surrounding space.
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

// statField returns the value of the line "key value" in a memory.stat-style file.
func statField(content []byte, key string) (uint64, bool) {
	for len(content) > 0 {
		line := content
		if i := bytes.IndexByte(content, '\n'); i >= 0 {
			line, content = content[:i], content[i+1:]
		} else {
			content = nil
		}
		name, value, ok := bytes.Cut(line, []byte{' '})
		if !ok || string(name) != key {
			continue
		}
		v, err := parseUint(bytes.TrimSpace(value))
		return v, err == nil
	}
	return 0, false
}
