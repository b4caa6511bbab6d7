package memstat

// systemMemorySource returns what SystemMemory and a Monitor without a Reader read: on Linux,
// the package-level Reader over /proc and /sys.
func systemMemorySource() func() (Memory, error) {
	return defaultReader().Read
}
