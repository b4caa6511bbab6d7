package cache

import "errors"

var (
	// ErrUnsafeDir is returned when the cache directory is a symbolic link or is owned by another
	// user: in a shared temporary directory either would let someone else read or plant entries.
	ErrUnsafeDir = errors.New("cache: unsafe cache directory")
	// ErrStale is returned by ReadEntry when the entry was built from a different version of the
	// source (size or modification time changed); the caller rebuilds it.
	ErrStale = errors.New("cache: entry is stale")
	// ErrDamaged is returned by ReadEntry when an entry's framing or checksum is wrong; the caller
	// rebuilds it.
	ErrDamaged = errors.New("cache: entry is damaged")
)
