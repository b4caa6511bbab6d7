package memstat_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// Usage and memory.stat matter only under a limit below the host total: with every limit
// unlimited or above the host, garbage in them changes nothing and causes no error.
func TestReaderUnlimitedIgnoresUsage(t *testing.T) {
	for _, tc := range []struct{ name, cgroup, dir, limitFile, limit, usageFile string }{
		{"v2 max", "0::/app\n", "sys/fs/cgroup/app/", "memory.max", "max\n", "memory.current"},
		{"v2 above host", "0::/app\n", "sys/fs/cgroup/app/", "memory.max", strconv.Itoa(32768 * mib), "memory.current"},
		{"v1 sentinel", "4:memory:/app\n", "sys/fs/cgroup/memory/app/", "memory.limit_in_bytes", "9223372036854771712\n", "memory.usage_in_bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := fakeTree(t.TempDir())
			tree.write(t, "proc/meminfo", meminfo(16384, 12288))
			tree.write(t, "proc/self/cgroup", tc.cgroup)
			tree.write(t, "sys/fs/cgroup/cgroup.controllers", "")
			tree.write(t, tc.dir+tc.limitFile, tc.limit)
			tree.write(t, tc.dir+tc.usageFile, "garbage\n")
			tree.write(t, tc.dir+"memory.stat", "inactive_file lots\n")
			got, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
			require.NoError(t, err)
			assert.Equal(t, memstat.Memory{TotalBytes: 16384 * mib, AvailableBytes: 12288 * mib, UsedBytes: 4096 * mib, Source: memstat.SourceHost}, got)
		})
	}
}

// Proof that usage and memory.stat are not even opened without a limit below the host total:
// after the Reader resolved them, they become FIFOs with no writer, on which an open would
// block. Once a limit applies, they are read (and a writer releases the blocked open).
func TestReaderUnlimitedDoesNotOpenUsage(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/meminfo", meminfo(16384, 12288))
	tree.write(t, "proc/self/cgroup", "0::/app\n4:memory:/app\n")
	tree.write(t, "sys/fs/cgroup/unified/cgroup.controllers", "")
	v2 := "sys/fs/cgroup/unified/app/"
	v1 := "sys/fs/cgroup/memory/app/"
	tree.write(t, v2+"memory.max", strconv.Itoa(32768*mib)) // a number, but above the host
	tree.write(t, v1+"memory.limit_in_bytes", "9223372036854771712\n")
	var fifos []string
	for _, f := range []string{v2 + "memory.current", v2 + "memory.stat", v1 + "memory.usage_in_bytes", v1 + "memory.stat"} {
		tree.write(t, f, "1\n")
		fifos = append(fifos, filepath.Join(string(tree), f))
	}
	r := memstat.NewReader(tree.proc(), tree.sys())
	t.Cleanup(func() { _ = r.Close() })
	for _, f := range fifos {
		require.NoError(t, os.Remove(f))
		require.NoError(t, unix.Mkfifo(f, 0o644))
	}

	got, err := readWithin(t, r, fifos, 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, memstat.SourceHost, got.Source)

	// Now a limit below the host: the usage must be read, so the open blocks until released.
	tree.write(t, v2+"memory.max", strconv.Itoa(1024*mib))
	_, err = readWithin(t, r, fifos, 200*time.Millisecond)
	require.Error(t, err, "a limit below the host total must read the usage")
}

// readWithin runs r.Read, failing with an error if it has not returned within d; then it
// unblocks any open of the FIFOs by opening their write ends, and waits for Read to finish.
func readWithin(t *testing.T, r *memstat.Reader, fifos []string, d time.Duration) (memstat.Memory, error) {
	t.Helper()
	type result struct {
		m   memstat.Memory
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := r.Read()
		done <- result{m, err}
	}()
	select {
	case res := <-done:
		return res.m, res.err
	case <-time.After(d):
	}
	// Release the blocked open: keep opening write ends until Read returns.
	for {
		for _, f := range fifos {
			if fd, err := unix.Open(f, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err == nil {
				unix.Close(fd)
			}
		}
		select {
		case <-done:
			return memstat.Memory{}, os.ErrDeadlineExceeded
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// fdsOpenOn counts this process's descriptors whose file lies at or under prefix. Counting only
// the test's own files keeps descriptors that other tests' dropped objects close (whenever the
// garbage collector gets to them) out of the figures compared.
func fdsOpenOn(t *testing.T, prefix string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && strings.HasPrefix(target, prefix) {
			n++
		}
	}
	return n
}

// settledFDsOpenOn is fdsOpenOn once the finalizers of objects dropped earlier have run: it
// collects garbage until the count stays the same twice in a row (at most about 2 s).
func settledFDsOpenOn(t *testing.T, prefix string) int {
	t.Helper()
	last := -1
	for range 100 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		n := fdsOpenOn(t, prefix)
		if n == last {
			return n
		}
		last = n
	}
	return last
}

// A Reader keeps its files open; Close releases them, and a dropped Reader's are released by
// the garbage collector.
func TestReaderDescriptors(t *testing.T) {
	tree := copyTree(t, "v1_limited") // meminfo plus limit, usage and memory.stat files, ours alone
	openFDs := func(t *testing.T) int { return fdsOpenOn(t, string(tree)) }
	before := openFDs(t)

	r := memstat.NewReader(tree.proc(), tree.sys())
	first, err := r.Read()
	require.NoError(t, err)
	assert.Greater(t, openFDs(t), before, "a Read keeps its files open")
	require.NoError(t, r.Close())
	assert.Equal(t, before, openFDs(t), "Close releases them")
	again, err := r.Read()
	require.NoError(t, err, "a Read after Close opens the files again")
	assert.Equal(t, first, again)
	require.NoError(t, r.Close())

	for range 50 {
		_, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
		require.NoError(t, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for openFDs(t) > before+5 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, openFDs(t), before+5, "dropped Readers' files are closed")
}

// ProcessRSS keeps /proc/self/statm open; each call must still see the current figure: it
// follows 256 MiB of fresh pages being touched and then unmapped.
func TestProcessRSSFollowsGrowth(t *testing.T) {
	const size = 256 * mib
	block, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	require.NoError(t, err)
	for i := 0; i < size; i += os.Getpagesize() {
		block[i] = 1
	}
	grown, err := memstat.ProcessRSS()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, grown, uint64(size))
	assert.InDelta(t, float64(procField(t, "/proc/self/status", "VmRSS")*1024), float64(grown), 32*mib)

	require.NoError(t, unix.Munmap(block))
	shrunk, err := memstat.ProcessRSS()
	require.NoError(t, err)
	assert.Less(t, shrunk, grown-size/2)
	assert.InDelta(t, float64(procField(t, "/proc/self/status", "VmRSS")*1024), float64(shrunk), 32*mib)
}

// keptFD finds the descriptor this process holds open on path.
func keptFD(t *testing.T, path string) int {
	t.Helper()
	want, err := filepath.Abs(path)
	require.NoError(t, err)
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	for _, e := range entries {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == want {
			fd, err := strconv.Atoi(e.Name())
			require.NoError(t, err)
			return fd
		}
	}
	t.Fatalf("no descriptor open on %s", want)
	return -1
}

// Code that closes descriptors it does not own (daemonising) can take the kept ones away or
// put other files behind their numbers; reads then notice and open the files again.
func TestReaderSurvivesStolenDescriptors(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	r := memstat.NewReader(tree.proc(), tree.sys())
	t.Cleanup(func() { _ = r.Close() })
	want, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, memstat.SourceCgroup, want.Source)

	impostor := filepath.Join(t.TempDir(), "impostor")
	require.NoError(t, os.WriteFile(impostor, []byte("not what you expect\n"), 0o644))
	for _, rel := range []string{"proc/meminfo", leafDir + "memory.max", leafDir + "memory.current", leafDir + "memory.stat"} {
		t.Run("replaced "+rel, func(t *testing.T) {
			fd := keptFD(t, filepath.Join(string(tree), rel))
			other, err := unix.Open(impostor, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			require.NoError(t, err)
			require.NoError(t, unix.Dup3(other, fd, unix.O_CLOEXEC)) // fd is now the test's, not the Reader's
			unix.Close(other)
			t.Cleanup(func() { unix.Close(fd) })
			got, err := r.Read()
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
		t.Run("closed "+rel, func(t *testing.T) {
			require.NoError(t, unix.Close(keptFD(t, filepath.Join(string(tree), rel))))
			got, err := r.Read()
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestProcessRSSSurvivesStolenDescriptor(t *testing.T) {
	_, err := memstat.ProcessRSS()
	require.NoError(t, err)
	statm := "/proc/" + strconv.Itoa(os.Getpid()) + "/statm"

	devNull, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	require.NoError(t, err)
	fd := keptFD(t, statm)
	require.NoError(t, unix.Dup3(devNull, fd, unix.O_CLOEXEC))
	unix.Close(devNull)
	t.Cleanup(func() { unix.Close(fd) })
	rss, err := memstat.ProcessRSS()
	require.NoError(t, err)
	assert.Positive(t, rss)

	require.NoError(t, unix.Close(keptFD(t, statm)))
	rss, err = memstat.ProcessRSS()
	require.NoError(t, err)
	assert.Positive(t, rss)
}
