package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/mmtrace/mmtrace/decode"
	"github.com/mmtrace/mmtrace/ptrace"
)

// isInjectQualifier tells whether an -e qualifier tampers with calls (inject=, fault=).
func isInjectQualifier(qualifier string) bool {
	return qualifier == "inject" || qualifier == "fault"
}

// parseInjections parses the -e inject= and -e fault= expressions, in the order given.
func parseInjections(expressions []string) ([]*decode.Injection, error) {
	var out []*decode.Injection
	for _, e := range expressions {
		qualifier, spec, _ := strings.Cut(e, "=")
		if !isInjectQualifier(qualifier) {
			continue
		}
		inj, err := decode.ParseInjection(spec, qualifier == "fault")
		if err != nil {
			return nil, fmt.Errorf("-e %s: %w", e, err)
		}
		out = append(out, inj)
	}
	return out, nil
}

// warnRetvals says, in strace's words, where a retval= may not read as the value given: one
// in the range of -errno reads as a failure, and an i386 program sees only its low 32 bits.
func warnRetvals(w io.Writer, injections []*decode.Injection) {
	for _, inj := range injections {
		switch v := inj.Retval; {
		case !inj.Skip || inj.Errno != 0:
		case int64(v) < 0 && int64(v) >= -maxErrno:
			fmt.Fprintf(w, "mmtrace: Inadvertent injection of error %d is possible for retval=%d\n", -v, v)
		case v > math.MaxUint32 && decode.NativeArch() == decode.ArchX86_64:
			fmt.Fprintf(w, "mmtrace: Injected return value %d will be clipped to %d in compat personality\n", v, uint32(v))
		}
	}
}

// maxErrno is the largest errno: a return value from -maxErrno to -1 is a failure.
const maxErrno = 4095

// injectOptions turns the injections into the tracer's, one per call of each architecture
// the command may use: only calls that are printed, as strace tampers only with the calls
// it traces, and a later expression replaces an earlier one for the same call.
func (s *traceSession) injectOptions() []ptrace.Injection {
	var out []ptrace.Injection
	index := map[[2]uint64]int{}
	for _, inj := range s.injections {
		for _, arch := range runnableArches() {
			for _, nr := range inj.Set.Numbers(arch) {
				if !s.set.Has(arch, nr) {
					continue
				}
				o := ptrace.Injection{Arch: arch.Audit(), Nr: nr, Skip: inj.Skip, Errno: inj.Errno, Retval: int64(inj.Retval),
					Signal: inj.Signal, Delayed: inj.Delayed, DelayEnter: inj.DelayEnter, DelayExit: inj.DelayExit,
					First: inj.First, Last: inj.Last, Step: inj.Step}
				if inj.Instead != "" {
					o.RunInstead, _ = decode.SyscallNumber(arch, inj.Instead) // checked by ParseInjection
				}
				key := [2]uint64{uint64(o.Arch), nr}
				if i, ok := index[key]; ok {
					out[i] = o
					continue
				}
				index[key] = len(out)
				out = append(out, o)
			}
		}
	}
	return out
}

// injectedMark and delayedMark follow the return value of a tampered and of a delayed call,
// as strace prints them.
const (
	injectedMark = " (INJECTED)"
	delayedMark  = " (DELAYED)"
)
