//go:build !amd64

package ptrace

const launcherMachine = emNone

// launcherCode: no launcher image on this architecture; mmtrace re-execs itself instead.
func launcherCode(launcherLayout) []byte { return nil }
