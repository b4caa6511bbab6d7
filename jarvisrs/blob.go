package jarvisrs

// Blob holds bytes produced in Go whose size could not be known before the work was done (a gzip
// stream, a file read). Python asks for Len, allocates exactly that, and calls CopyTo once; the
// Blob is then dropped. Not safe for concurrent use.
type Blob struct {
	data []byte
}

// Len is the number of bytes held.
func (b *Blob) Len() int { return len(b.data) }

// CopyTo copies all Len() bytes into the n bytes at dst (Python's memory; n must equal Len()) and
// releases the Go copy.
func (b *Blob) CopyTo(dst uintptr, n int) (status int, err error) {
	defer recoverPanic(&err)
	if n != len(b.data) {
		return 0, valueErrorf("blob holds %d bytes, destination has %d", len(b.data), n)
	}
	if err := checkBuf(dst, n, "output"); err != nil {
		return 0, err
	}
	copy(bytesAt(dst, n), b.data)
	b.data = nil
	return 0, nil
}
