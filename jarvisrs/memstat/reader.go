package memstat

import (
	"path/filepath"
	"runtime"
)

// Reader reads Memory from a /proc and /sys tree. NewReader("/proc", "/sys") reads the real
// machine; other roots let tests point it at fake trees. A Reader is safe for concurrent use,
// except Close, which must not overlap a Read.
type Reader struct {
	// files lives in its own allocation so the cleanup that closes its descriptors when the
	// Reader is dropped does not keep the Reader reachable.
	files *readerFiles
}

// readerFiles is everything a Read opens.
type readerFiles struct {
	meminfo     *kernelFile
	zoneinfo    string // read only on kernels without MemAvailable
	hierarchies []hierarchy
}

func (f *readerFiles) close() {
	f.meminfo.close()
	for i := range f.hierarchies {
		f.hierarchies[i].close()
	}
}

// NewReader returns a Reader over procRoot and sysRoot. It resolves this process's cgroup
// memory files once, here (from <procRoot>/self/cgroup and <sysRoot>/fs/cgroup). Each Read then
// reads <procRoot>/meminfo and the cgroup limit files, plus the cgroup's usage and memory.stat
// when a limit is below the host total. Missing or unreadable cgroup files mean "no limit known",
// never an error. A process moved to another cgroup needs a new Reader.
//
// The Reader keeps these files open after its first Read (a few descriptors, close-on-exec), as
// reopening them costs more than reading them; Close, or the Reader becoming unreachable,
// releases them. A Read whose descriptor was closed or reused behind its back (by code that
// closes every descriptor, say) notices the failed or implausible read and opens the file again.
func NewReader(procRoot, sysRoot string) *Reader {
	r := &Reader{files: &readerFiles{
		meminfo:     newKernelFile(filepath.Join(procRoot, "meminfo")),
		zoneinfo:    filepath.Join(procRoot, "zoneinfo"),
		hierarchies: resolveHierarchies(procRoot, sysRoot),
	}}
	runtime.AddCleanup(r, (*readerFiles).close, r.files)
	return r
}

// Read returns the memory the calling process lives under. When a cgroup limit is below the
// host total, the figures describe the limit (Source SourceCgroup): TotalBytes is the limit,
// AvailableBytes is what is left under it but never more than the host has available, and
// UsedBytes is the rest (at least the cgroup's usage less its inactive page cache). Otherwise
// they are the host's (Source SourceHost). It returns an error wrapping ErrUnavailable only when
// the host figures cannot be read. It allocates nothing on success.
func (r *Reader) Read() (Memory, error) {
	f := r.files
	// Keep r, and so the descriptors its cleanup would close, alive until the reads are done.
	defer runtime.KeepAlive(r)
	host, err := readHostMemory(f.meminfo, f.zoneinfo)
	if err != nil {
		return Memory{}, err
	}

	best, found := cgroupLimit{limit: host.total}, false
	for i := range f.hierarchies {
		if c, ok := f.hierarchies[i].read(best.limit); ok {
			best, found = c, true
		}
	}
	if !found {
		return Memory{
			TotalBytes:     host.total,
			AvailableBytes: host.available,
			UsedBytes:      host.total - host.available,
			Source:         SourceHost,
		}, nil
	}
	used := min(best.usage, best.limit)
	available := min(best.limit-used, host.available)
	return Memory{
		TotalBytes:     best.limit,
		AvailableBytes: available,
		UsedBytes:      best.limit - available,
		Source:         SourceCgroup,
	}, nil
}

// Close releases the descriptors the Reader keeps open. It must not run concurrently with Read;
// a Read after Close opens the files again. It always returns nil.
func (r *Reader) Close() error {
	r.files.close()
	runtime.KeepAlive(r)
	return nil
}
