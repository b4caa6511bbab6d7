package memstat_test

import (
	"path/filepath"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

const hostPSI = "proc/pressure/memory"

// TestSelectPSISource copies the cgroup trees in testdata, gives them memory.pressure files and
// a host PSI file, and checks which one is chosen.
func TestSelectPSISource(t *testing.T) {
	cases := []struct {
		tree     string
		pressure string // cgroup memory.pressure to create, relative to the tree; "" for none
		want     string // the file expected, relative to the tree
	}{
		// A v2 limit on the leaf: the leaf's memory.pressure.
		{"v2_leaf", "sys/fs/cgroup/app.slice/worker.service/memory.pressure", "sys/fs/cgroup/app.slice/worker.service/memory.pressure"},
		// The limit is on an ancestor: still the process's own cgroup's file.
		{"v2_ancestor", "sys/fs/cgroup/kubepods/pod1/ctr/memory.pressure", "sys/fs/cgroup/kubepods/pod1/ctr/memory.pressure"},
		// "max" all the way up: no limit applies, the host file.
		{"v2_max", "sys/fs/cgroup/user.slice/session-1.scope/memory.pressure", hostPSI},
		// A limit above the host's memory is no limit.
		{"above_host", "sys/fs/cgroup/big/memory.pressure", hostPSI},
		// A cgroup namespace: the mount root is the process's cgroup, limited.
		{"v2_ns_root", "sys/fs/cgroup/memory.pressure", "sys/fs/cgroup/memory.pressure"},
		{"v2_ns_missing", "sys/fs/cgroup/memory.pressure", "sys/fs/cgroup/memory.pressure"},
		// A path climbing out of the mount is treated as the mount root, never outside it.
		{"escape", "sys/fs/cgroup/memory.pressure", "sys/fs/cgroup/memory.pressure"},
		// Limited, but the kernel gives the cgroup no pressure file (PSI off for cgroups).
		{"v2_leaf", "", hostPSI},
		// Hybrid: the v1 limit does not make the v2 (unlimited) file the source.
		{"hybrid", "sys/fs/cgroup/unified/user.slice/session-2.scope/memory.pressure", hostPSI},
		// v1 only: the host file.
		{"v1_limited", "", hostPSI},
	}
	for _, c := range cases {
		t.Run(c.tree+"/"+filepath.Base(c.want), func(t *testing.T) {
			tree := copyTree(t, c.tree)
			tree.write(t, hostPSI, wellFormedPSI)
			if c.pressure != "" {
				tree.write(t, c.pressure, "some avg10=3.00 avg60=2.00 avg300=1.00 total=42\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
			}
			want := filepath.Join(string(tree), c.want)
			require.Equal(t, want, memstat.SelectPSISource(tree.proc(), tree.sys()))

			kp, err := memstat.NewKernelPressureReader(tree.proc(), tree.sys()).Read()
			require.NoError(t, err)
			require.Equal(t, want, kp.Source)
			if c.want == hostPSI {
				require.Equal(t, uint64(123456), kp.PSI.Some.TotalUs)
			} else {
				require.Equal(t, uint64(42), kp.PSI.Some.TotalUs)
			}
		})
	}
}

func TestSelectPSISourceNone(t *testing.T) {
	// No host PSI file and no limit: nothing (a kernel built without PSI).
	tree := copyTree(t, "v2_max")
	require.Equal(t, "", memstat.SelectPSISource(tree.proc(), tree.sys()))
	kp, err := memstat.NewKernelPressureReader(tree.proc(), tree.sys()).Read()
	require.NoError(t, err)
	if kp.Kind != memstat.KernelVM { // on macOS the sysctl answers instead
		require.Equal(t, memstat.KernelPressure{}, kp)
	}
	// Nothing at all under the roots.
	empty := t.TempDir()
	require.Equal(t, "", memstat.SelectPSISource(filepath.Join(empty, "proc"), filepath.Join(empty, "sys")))
	// A cgroup file without a v2 line, and a garbage one.
	for _, content := range []string{"4:memory:/x\n", "\x00garbage", ""} {
		tree := copyTree(t, "v2_leaf")
		tree.write(t, "proc/self/cgroup", content)
		tree.write(t, "sys/fs/cgroup/app.slice/worker.service/memory.pressure", wellFormedPSI)
		require.Equal(t, "", memstat.SelectPSISource(tree.proc(), tree.sys()), "%q", content)
	}
}

func TestSelectPSISourceGarbageLimit(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	tree.write(t, hostPSI, wellFormedPSI)
	tree.write(t, "sys/fs/cgroup/app.slice/worker.service/memory.pressure", wellFormedPSI)
	tree.write(t, "sys/fs/cgroup/app.slice/worker.service/memory.max", "garbage\n")
	require.Equal(t, filepath.Join(string(tree), hostPSI), memstat.SelectPSISource(tree.proc(), tree.sys()))
	// Unreadable meminfo: any numeric limit counts.
	tree.write(t, "sys/fs/cgroup/app.slice/worker.service/memory.max", "68719476736\n")
	tree.write(t, "proc/meminfo", "garbage")
	require.Equal(t, filepath.Join(string(tree), "sys/fs/cgroup/app.slice/worker.service/memory.pressure"),
		memstat.SelectPSISource(tree.proc(), tree.sys()))
}
