package decode

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Injection is one strace -e inject= or -e fault= expression: the calls to tamper with, what
// they return instead of running or the signal sent as they are made, and at which of their
// invocations.
type Injection struct {
	Set *Set
	// Skip: the calls are not run; they fail with Errno if not 0, else succeed with Retval.
	Skip   bool
	Errno  uint64
	Retval uint64
	// Signal, if not 0, is sent as the calls are made (signal=).
	Signal int
	// Instead, if not "", is the call without effects run in place of a skipped one
	// (syscall=), for a seccomp filter of the program's own that would refuse no call (-1).
	Instead string
	// Delayed: the task is held for DelayEnter as it makes the call and for DelayExit as the
	// call returns (delay_enter=, delay_exit=; either may be 0).
	Delayed               bool
	DelayEnter, DelayExit time.Duration
	// First, Last and Step are when=first..last+step: the invocations tampered with, counted
	// from 1 per call and per task, are First, then every Step-th one after it up to Last.
	// Last 0: no end; Step 0: First alone.
	First, Last, Step uint64
}

// Limits of when= and error=, as strace 6.1 has them.
const (
	maxWhenFirst = 0xffff
	maxWhenLast  = 0xfffe
	maxWhenStep  = 0xffff
	maxErrno     = 4095
)

// ErrInjectUnsupported is wrapped by ParseInjection's error for strace's tampering options
// that mmtrace does not have (poke_enter=, poke_exit=).
var ErrInjectUnsupported = errors.New("is not supported by mmtrace")

// ParseInjection parses what follows inject= (fault false) or fault= (fault true), as
// strace 6.1 does: SET[:error=ERRNO|:retval=VALUE][:signal=SIG][:syscall=NAME]
// [:delay_enter=TIME][:delay_exit=TIME][:when=EXPR], SET in -e trace= syntax. ERRNO is a name
// (any case) or a number from 1 to 4095; VALUE a C integer (0x1000, 010); SIG a name or a
// number from 1 to 64; NAME one of pureSyscalls, which every ABI of the machine has; TIME a
// number of s, ms, us (the default) or ns; EXPR first, first+, first+step,
// first..last, first..last+step. fault= takes error= (default ENOSYS) and when= only. Empty
// tokens are ignored and the last when= counts, as in strace.
func ParseInjection(spec string, fault bool) (*Injection, error) {
	setText, rest, _ := strings.Cut(spec, ":")
	set, err := ParseSet(setText)
	if err != nil {
		return nil, err
	}
	inj := &Injection{Set: set, First: 1, Step: 1}
	hasError, hasRetval := false, false
	var delays []string // the delay_*= given
	for _, tok := range strings.Split(rest, ":") {
		key, value, _ := strings.Cut(tok, "=")
		switch key {
		case "":
			if tok != "" {
				return nil, fmt.Errorf("%q: a token without a name", tok)
			}
		case "error":
			if hasError || hasRetval {
				return nil, errors.New("give one error= or retval=")
			}
			hasError = true
			if inj.Errno, err = parseInjectErrno(value); err != nil {
				return nil, err
			}
		case "retval":
			if fault {
				return nil, errors.New("retval= is for -e inject=; -e fault= takes error= and when=")
			}
			if hasError || hasRetval {
				return nil, errors.New("give one error= or retval=")
			}
			hasRetval = true
			if inj.Retval, err = strconv.ParseUint(value, 0, 64); err != nil {
				if n, serr := strconv.ParseInt(value, 0, 64); serr == nil && n < 0 {
					inj.Retval = uint64(n) // strtoull takes -1 as the all-ones value
				} else {
					return nil, fmt.Errorf("retval=%s: not a number", value)
				}
			}
		case "signal":
			if fault {
				return nil, errors.New("signal= is for -e inject=; -e fault= takes error= and when=")
			}
			if inj.Signal != 0 {
				return nil, errors.New("give one signal=")
			}
			if inj.Signal, err = parseInjectSignal(value); err != nil {
				return nil, err
			}
		case "syscall":
			if fault {
				return nil, errors.New("syscall= is for -e inject=; -e fault= takes error= and when=")
			}
			if inj.Instead != "" {
				return nil, errors.New("give one syscall=")
			}
			if !isPureEverywhere(value) {
				return nil, fmt.Errorf("syscall=%s: not a call without arguments and effects (%s)", value, strings.Join(pureSyscalls, ", "))
			}
			inj.Instead = value
		case "when":
			if inj.First, inj.Last, inj.Step, err = parseWhen(value); err != nil {
				return nil, fmt.Errorf("when=%s: %w", value, err)
			}
		case "delay_enter", "delay_exit":
			if fault {
				return nil, fmt.Errorf("%s= is for -e inject=; -e fault= takes error= and when=", key)
			}
			if slices.Contains(delays, key) {
				return nil, fmt.Errorf("give one %s=", key)
			}
			delays = append(delays, key)
			d, err := parseDelay(value)
			if err != nil {
				return nil, fmt.Errorf("%s=%s: %w", key, value, err)
			}
			if key == "delay_enter" {
				inj.DelayEnter = d
			} else {
				inj.DelayExit = d
			}
			inj.Delayed = true
		case "poke_enter", "poke_exit":
			if fault {
				return nil, fmt.Errorf("%s= is for -e inject=, and %w", key, ErrInjectUnsupported)
			}
			return nil, fmt.Errorf("%s= %w (error=, retval=, signal=, syscall=, delay_enter=, delay_exit= and when= are)", key, ErrInjectUnsupported)
		default:
			return nil, fmt.Errorf("unknown token %q", tok)
		}
	}
	switch {
	case fault && !hasError:
		inj.Errno = 38 // ENOSYS
	case !hasError && !hasRetval && inj.Signal == 0 && !inj.Delayed:
		return nil, errors.New("give error=ERRNO, retval=VALUE, signal=SIG, delay_enter=TIME or delay_exit=TIME")
	}
	inj.Skip = inj.Errno != 0 || hasRetval
	return inj, nil
}

// parseInjectErrno reads error='s value: an errno's name in any case, or its number.
func parseInjectErrno(value string) (uint64, error) {
	if n, err := parseUintCLike(value); err == nil {
		if n < 1 || n > maxErrno {
			return 0, fmt.Errorf("error=%s: the errno must be from 1 to %d", value, maxErrno)
		}
		return n, nil
	}
	if n, ok := ErrnoNumber(strings.ToUpper(value)); ok {
		return n, nil
	}
	return 0, fmt.Errorf("error=%s: not an errno name nor a number", value)
}

// pureSyscalls are the calls strace 6.1 runs in place of a skipped one (syscall=): without
// arguments and effects, on every ABI of x86_64.
var pureSyscalls = []string{"getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getpgrp"}

// isPureEverywhere tells whether name is one of pureSyscalls and every ABI a program of this
// machine may use has it.
func isPureEverywhere(name string) bool {
	if !slices.Contains(pureSyscalls, name) {
		return false
	}
	abis := []Arch{NativeArch()}
	if abis[0] == ArchX86_64 {
		abis = append(abis, ArchI386, ArchX32)
	}
	for _, a := range abis {
		if _, ok := SyscallNumber(a, name); !ok {
			return false
		}
	}
	return true
}

// SyscallNumber returns the number of the call named name on a (x32's with its bit), decoded
// by mmtrace or not.
func SyscallNumber(a Arch, name string) (uint64, bool) {
	for nr, n := range a.names() {
		if n == name {
			if a == ArchX32 {
				return uint64(nr) | x32BitNr, true
			}
			return uint64(nr), true
		}
	}
	return 0, false
}

// parseDelay reads a time as strace does: a decimal number, of microseconds or followed by
// s, ms, us or ns.
func parseDelay(text string) (time.Duration, error) {
	number, unit := text, time.Microsecond
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"ms", time.Millisecond}, {"us", time.Microsecond}, {"ns", time.Nanosecond}, {"s", time.Second}} {
		if n, ok := strings.CutSuffix(text, u.suffix); ok {
			number, unit = n, u.unit
			break
		}
	}
	v, err := strconv.ParseFloat(number, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not a time: a number of s, ms, us (the default) or ns")
	}
	if v*float64(unit) >= math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return time.Duration(v * float64(unit)), nil
}

// parseInjectSignal reads signal='s value: a signal's name, or its number up to SIGRTMAX.
func parseInjectSignal(value string) (int, error) {
	if sig, ok := SignalNumber(value); ok && sig >= 1 && sig <= sigRTMAX {
		return sig, nil
	}
	return 0, fmt.Errorf("signal=%s: not a signal name nor a number from 1 to %d", value, sigRTMAX)
}

// parseWhen reads first[..last][+[step]].
func parseWhen(expr string) (first, last, step uint64, err error) {
	// strtol, which strace reads first with, takes a leading '+'.
	head, stepText, hasStep := strings.Cut(strings.TrimPrefix(expr, "+"), "+")
	firstText, lastText, hasLast := strings.Cut(head, "..")
	if first, err = parseUintCLike(firstText); err != nil || first < 1 || first > maxWhenFirst {
		return 0, 0, 0, fmt.Errorf("first must be from 1 to %d", maxWhenFirst)
	}
	step = 0 // first alone
	if hasLast {
		if last, err = parseUintCLike(lastText); err != nil || last < first || last > maxWhenLast {
			return 0, 0, 0, fmt.Errorf("last must be from first to %d", maxWhenLast)
		}
		step = 1 // first..last: every one in the range
	}
	if hasStep {
		step = 1
		if stepText != "" {
			if step, err = parseUintCLike(stepText); err != nil || step < 1 || step > maxWhenStep {
				return 0, 0, 0, fmt.Errorf("step must be from 1 to %d", maxWhenStep)
			}
		}
	}
	return first, last, step, nil
}

// parseUintCLike reads a decimal number as strtol does where strace takes one: a leading
// '+' is allowed.
func parseUintCLike(s string) (uint64, error) {
	return strconv.ParseUint(strings.TrimPrefix(s, "+"), 10, 64)
}
