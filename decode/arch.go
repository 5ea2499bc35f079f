package decode

import "runtime"

// Arch is the system call ABI a traced call was made with.
type Arch uint8

// Supported architectures.
const (
	ArchUnknown Arch = iota
	ArchX86_64
	ArchI386
	ArchX32
	ArchARM64
	numArch
)

// AUDIT_ARCH_* values (linux/audit.h) as PTRACE_GET_SYSCALL_INFO reports them.
const (
	auditArchX86_64  = 0xc000003e
	auditArchI386    = 0x40000003
	auditArchAARCH64 = 0xc00000b7
)

// x32BitNr is __X32_SYSCALL_BIT: x32 calls are x86_64 calls with this bit set.
const x32BitNr = 0x40000000

// ArchFromAudit maps an AUDIT_ARCH_* value to an Arch. x32 shares
// AUDIT_ARCH_X86_64 with x86_64: use ArchOf to tell them apart.
func ArchFromAudit(auditArch uint32) Arch {
	switch auditArch {
	case auditArchX86_64:
		return ArchX86_64
	case auditArchI386:
		return ArchI386
	case auditArchAARCH64:
		return ArchARM64
	}
	return ArchUnknown
}

// ArchOf is ArchFromAudit that also recognises x32 calls by the
// __X32_SYSCALL_BIT in the system call number.
func ArchOf(auditArch uint32, nr uint64) Arch {
	a := ArchFromAudit(auditArch)
	if a == ArchX86_64 && nr&x32BitNr != 0 {
		return ArchX32
	}
	return a
}

var archNames = [numArch]string{"unknown", "x86_64", "i386", "x32", "aarch64"}

// String returns the architecture's name as uname and strace spell it.
func (a Arch) String() string {
	if a < numArch {
		return archNames[a]
	}
	return "unknown"
}

// Audit returns the AUDIT_ARCH_* value of a (0 for ArchUnknown).
func (a Arch) Audit() uint32 {
	switch a {
	case ArchX86_64, ArchX32:
		return auditArchX86_64
	case ArchI386:
		return auditArchI386
	case ArchARM64:
		return auditArchAARCH64
	}
	return 0
}

// NativeArch is the architecture mmtrace itself was built for.
func NativeArch() Arch {
	switch runtime.GOARCH {
	case "amd64":
		return ArchX86_64
	case "386":
		return ArchI386
	case "arm64":
		return ArchARM64
	}
	return ArchUnknown
}

// wordSize is the size in bytes of the tracee's pointers and longs.
func (a Arch) wordSize() int {
	switch a {
	case ArchI386, ArchX32:
		return 4
	}
	return 8
}

// argMask masks raw register values to the width the ABI passes them in.
func (a Arch) argMask() uint64 {
	if a == ArchI386 {
		return 0xffffffff
	}
	return ^uint64(0)
}

//go:generate go run ./internal/gennames -o names_gen.go

// names returns the number-to-name table of a (names_gen.go).
func (a Arch) names() []string {
	switch a {
	case ArchX86_64:
		return namesX86_64[:]
	case ArchI386:
		return namesI386[:]
	case ArchX32:
		return namesX32[:]
	case ArchARM64:
		return namesARM64[:]
	}
	return nil
}

// syscallName returns the name of nr on a, or "".
func (a Arch) syscallName(nr uint64) string {
	if a == ArchX32 {
		nr &^= x32BitNr
	}
	n := a.names()
	if nr < uint64(len(n)) {
		return n[nr]
	}
	return ""
}
