package memstat

import "fmt"

// systemMemorySource returns what SystemMemory and a Monitor without a Reader read.
func systemMemorySource() func() (Memory, error) {
	return func() (Memory, error) {
		return Memory{}, fmt.Errorf("host memory: %w", ErrUnsupported)
	}
}
