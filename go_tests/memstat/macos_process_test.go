package memstat_test

// macOS's per-process decoding with injected readings: these run on every OS, since no Mac is
// here. The system calls that produce the readings are in process_darwin.go and cleanup_darwin.go.

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// procTaskInfo lays out a struct proc_taskinfo (little-endian, 96 bytes) with the given virtual and
// resident sizes and every other field set to garbage, which the parser must ignore.
func procTaskInfo(virtual, resident uint64) []byte {
	raw := make([]byte, memstat.ProcTaskInfoSize)
	for i := range raw {
		raw[i] = 0x5A
	}
	binary.LittleEndian.PutUint64(raw[0:], virtual)
	binary.LittleEndian.PutUint64(raw[8:], resident)
	return raw
}

func TestParseProcTaskInfo(t *testing.T) {
	typical := procTaskInfo(420*gib, 180*mib)
	cases := []struct {
		name    string
		raw     []byte
		want    memstat.ProcTaskInfo
		wantErr bool
	}{
		{"typical", typical, memstat.ProcTaskInfo{VirtualBytes: 420 * gib, ResidentBytes: 180 * mib}, false},
		{"zero", procTaskInfo(0, 0), memstat.ProcTaskInfo{}, false},
		{"largest", procTaskInfo(math.MaxUint64, math.MaxUint64), memstat.ProcTaskInfo{VirtualBytes: math.MaxUint64, ResidentBytes: math.MaxUint64}, false},
		{"short", typical[:95], memstat.ProcTaskInfo{}, true},
		{"only the sizes", typical[:16], memstat.ProcTaskInfo{}, true},
		{"long", append(append([]byte{}, typical...), 0), memstat.ProcTaskInfo{}, true},
		{"empty", []byte{}, memstat.ProcTaskInfo{}, true},
		{"nil", nil, memstat.ProcTaskInfo{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := memstat.ParseProcTaskInfo(c.raw)
			if c.wantErr {
				require.ErrorIs(t, err, memstat.ErrUnavailable)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestCPUPercent(t *testing.T) {
	cases := []struct {
		name      string
		cpu, wall time.Duration
		want      float64
	}{
		{"idle", 0, time.Second, 0},
		{"one core busy", time.Second, time.Second, 100},
		{"half a core", 50 * time.Millisecond, 100 * time.Millisecond, 50},
		{"four cores busy", 4 * time.Second, time.Second, 400},
		{"microseconds", 3 * time.Microsecond, 12 * time.Microsecond, 25},
		{"empty window", time.Second, 0, 0},
		{"clock stepped back", time.Second, -time.Second, 0},
		{"negative cpu", -time.Second, time.Second, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, memstat.CPUPercent(c.cpu, c.wall))
		})
	}
}

// commField is a kinfo_proc p_comm: 17 bytes, NUL-padded.
func commField(name string) []byte {
	b := make([]byte, 17)
	copy(b, name)
	return b
}

func TestDarwinCommName(t *testing.T) {
	cases := []struct {
		comm []byte
		want string
	}{
		{commField("Python"), "Python"},
		{commField(""), ""},
		{commField("Google Chrome He"), "Google Chrome He"}, // MAXCOMLEN: 16 bytes and the NUL
		{[]byte("no terminator"), "no terminator"},
		{[]byte("ab\x00cd\x00"), "ab"},
		{nil, ""},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, memstat.DarwinCommName(c.comm), "%q", c.comm)
	}
}

// procArgs2 lays out a kern.procargs2 value: argc, the executable path, NUL padding, the
// arguments and then the environment.
func procArgs2(argc int32, exe string, pad int, args, env []string) []byte {
	raw := binary.LittleEndian.AppendUint32(nil, uint32(argc))
	raw = append(raw, exe...)
	raw = append(raw, make([]byte, 1+pad)...)
	for _, s := range append(args, env...) {
		raw = append(append(raw, s...), 0)
	}
	return raw
}

func TestParseProcArgs2(t *testing.T) {
	python := procArgs2(3, "/usr/bin/python3", 7, []string{"python3", "-m", "jarvis"}, []string{"HOME=/Users/me"})
	cases := []struct {
		name    string
		raw     []byte
		want    []string
		wantErr bool
	}{
		{"python", python, []string{"python3", "-m", "jarvis"}, false},
		{"no padding", procArgs2(1, "/bin/zsh", 0, []string{"-zsh"}, nil), []string{"-zsh"}, false},
		{"arguments with spaces", procArgs2(2, "/Applications/Visual Studio Code.app/Contents/MacOS/Electron", 3,
			[]string{"/Applications/Visual Studio Code.app/Contents/MacOS/Electron", "--type=renderer"}, nil),
			[]string{"/Applications/Visual Studio Code.app/Contents/MacOS/Electron", "--type=renderer"}, false},
		{"no arguments", procArgs2(0, "/sbin/launchd", 2, nil, []string{"PATH=/bin"}), []string{}, false},
		{"environment only counted by argc", procArgs2(1, "/bin/ls", 1, []string{"ls"}, []string{"A=1", "B=2"}), []string{"ls"}, false},
		{"too short for argc", []byte{1, 0, 0}, nil, true},
		{"empty", nil, nil, true},
		{"negative argc", procArgs2(-1, "/bin/ls", 1, []string{"ls"}, nil), nil, true},
		{"executable path not terminated", binary.LittleEndian.AppendUint32(nil, 1), nil, true},
		{"executable path runs off the end", append(binary.LittleEndian.AppendUint32(nil, 1), "/bin/l"...), nil, true},
		{"argc beyond the bytes", procArgs2(math.MaxInt32, "/bin/ls", 1, []string{"ls"}, nil), nil, true},
		{"argument not terminated", append(procArgs2(2, "/bin/ls", 1, []string{"ls"}, nil), "-l"...), nil, true},
		{"more arguments claimed than present", procArgs2(3, "/bin/ls", 1, []string{"ls", "-l"}, nil), nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := memstat.ParseProcArgs2(c.raw)
			if c.wantErr {
				require.ErrorIs(t, err, memstat.ErrUnavailable)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestDarwinProcessName(t *testing.T) {
	longArgs := procArgs2(2, "/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)", 4,
		[]string{"/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)", "--type=renderer"}, nil)
	cases := []struct {
		name      string
		comm      string
		procargs2 []byte
		want      string
	}{
		{"short name kept", "Python", procArgs2(1, "/usr/bin/python3.12", 0, []string{"/usr/bin/python3.12"}, nil), "Python"},
		{"16 bytes extended", "Google Chrome He", longArgs, "Google Chrome Helper (Renderer)"},
		{"15 bytes extended", "com.apple.WebKi", procArgs2(1, "/x", 0, []string{"/System/Library/com.apple.WebKit.WebContent"}, nil), "com.apple.WebKit.WebContent"},
		{"bare argv[0] extended", "jarvis_voice_as", procArgs2(1, "/x", 0, []string{"jarvis_voice_assistant"}, nil), "jarvis_voice_assistant"},
		{"argv[0] not starting with the name", "Google Chrome He", procArgs2(1, "/x", 0, []string{"/bin/something-else"}, nil), "Google Chrome He"},
		{"no arguments", "Google Chrome He", procArgs2(0, "/x", 0, nil, nil), "Google Chrome He"},
		{"garbled procargs2", "Google Chrome He", []byte{0xff, 0xff}, "Google Chrome He"},
		{"not read", "Google Chrome He", nil, "Google Chrome He"},
		{"14 bytes never extended", "abcdefghijklmn", procArgs2(1, "/x", 0, []string{"abcdefghijklmnop"}, nil), "abcdefghijklmn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, memstat.DarwinProcessName(c.comm, c.procargs2))
		})
	}
	assert.False(t, memstat.DarwinNameNeedsArgs("abcdefghijklmn"))
	assert.True(t, memstat.DarwinNameNeedsArgs("abcdefghijklmno"))
}

// Names as macOS would report them, through the cleanup rules: a truncated p_comm that hides
// "jarvis" past byte 16 is still excluded once extended from the command line.
func TestDarwinNamesThroughSelectCleanup(t *testing.T) {
	extended := memstat.DarwinProcessName("com.example.voic",
		procArgs2(1, "/x", 0, []string{"/Applications/com.example.voice-jarvis"}, nil))
	require.Equal(t, "com.example.voice-jarvis", extended)
	got := memstat.SelectCleanup([]memstat.Suggestion{
		{Pid: 10, Name: extended, RSSBytes: 900 * mib},
		{Pid: 11, Name: memstat.DarwinCommName(commField("Safari")), RSSBytes: 400 * mib},
	}, 1e9, 1)
	assert.Equal(t, []memstat.Suggestion{{Pid: 11, Name: "Safari", RSSBytes: 400 * mib}}, got)
}

// FuzzParseProcArgs2: arbitrary bytes never panic, fail only with ErrUnavailable, and a parsed
// value has exactly argc arguments.
func FuzzParseProcArgs2(f *testing.F) {
	f.Add(procArgs2(2, "/bin/ls", 3, []string{"ls", "-l"}, []string{"A=1"}))
	f.Add(procArgs2(-5, "/bin/ls", 0, nil, nil))
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		argv, err := memstat.ParseProcArgs2(raw)
		if err != nil {
			require.ErrorIs(t, err, memstat.ErrUnavailable)
			return
		}
		require.Len(t, argv, int(int32(binary.LittleEndian.Uint32(raw))))
		_ = memstat.DarwinProcessName("abcdefghijklmnop", raw)
	})
}
