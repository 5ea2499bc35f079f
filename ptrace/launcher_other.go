//go:build !amd64

package ptrace

import "debug/elf"

const launcherMachine = elf.EM_NONE

// launcherCode: no launcher image on this architecture; mmtrace re-execs itself instead.
func launcherCode(launcherLayout) []byte { return nil }
