package seccomp

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// NativeArch returns the AUDIT_ARCH value of the ABI this binary was built
// for, the key under which its own syscall numbers (unix.SYS_*) belong in
// Filter's traced set.
func NativeArch() (uint32, error) {
	switch runtime.GOARCH {
	case "amd64":
		return unix.AUDIT_ARCH_X86_64, nil
	case "386":
		return unix.AUDIT_ARCH_I386, nil
	case "arm64":
		return unix.AUDIT_ARCH_AARCH64, nil
	}
	return 0, fmt.Errorf("seccomp: no AUDIT_ARCH known for GOARCH %s", runtime.GOARCH)
}
