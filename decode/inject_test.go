package decode

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// TestParseInjection holds ParseInjection to what strace 6.1 accepts and refuses (each case
// was tried with strace -e inject= or -e fault= on this machine).
func TestParseInjection(t *testing.T) {
	valid := []struct {
		spec              string
		fault             bool
		errno, retval     uint64
		skip              bool
		signal            int
		instead           string
		delayed           bool
		enter, exit       time.Duration
		first, last, step uint64
		names             string // the set's names, comma-separated
	}{
		{spec: "mmap:error=ENOMEM", skip: true, errno: 12, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:error=enomem", skip: true, errno: 12, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:error=12", skip: true, errno: 12, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:error=+12", skip: true, errno: 12, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:error=4095", skip: true, errno: 4095, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:error=ERESTARTSYS", skip: true, errno: 512, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:error=ENOTSUPP", skip: true, errno: 524, first: 1, step: 1, names: "mmap"},
		{spec: "mmap,munmap:error=ENOMEM", skip: true, errno: 12, first: 1, step: 1, names: "mmap,munmap"},
		{spec: "brk:retval=0", skip: true, first: 1, step: 1, names: "brk"},
		{spec: "brk:retval=0x10", skip: true, retval: 16, first: 1, step: 1, names: "brk"},
		{spec: "brk:retval=010", skip: true, retval: 8, first: 1, step: 1, names: "brk"},
		{spec: "brk:retval=-1", skip: true, retval: ^uint64(0), first: 1, step: 1, names: "brk"},
		{spec: "brk:retval=18446744073709551615", skip: true, retval: ^uint64(0), first: 1, step: 1, names: "brk"},
		{spec: "mmap:error=ENOMEM:when=3", skip: true, errno: 12, first: 3, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=+2", skip: true, errno: 12, first: 2, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=3+", skip: true, errno: 12, first: 3, step: 1, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=3+4", skip: true, errno: 12, first: 3, step: 4, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=2..4", skip: true, errno: 12, first: 2, last: 4, step: 1, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=2..4+", skip: true, errno: 12, first: 2, last: 4, step: 1, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=2..8+3", skip: true, errno: 12, first: 2, last: 8, step: 3, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=3..3", skip: true, errno: 12, first: 3, last: 3, step: 1, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=65535", skip: true, errno: 12, first: 65535, names: "mmap"},
		{spec: "mmap:error=ENOMEM:when=1..65534", skip: true, errno: 12, first: 1, last: 65534, step: 1, names: "mmap"},
		// The last when= counts; empty tokens are skipped.
		{spec: "mmap:error=ENOMEM:when=2:when=1", skip: true, errno: 12, first: 1, names: "mmap"},
		{spec: "mmap::error=ENOMEM:", skip: true, errno: 12, first: 1, step: 1, names: "mmap"},
		{spec: "mmap", fault: true, skip: true, errno: 38, first: 1, step: 1, names: "mmap"},
		{spec: "mmap:when=2", fault: true, skip: true, errno: 38, first: 2, names: "mmap"},
		{spec: "mprotect:error=EACCES", fault: true, skip: true, errno: 13, first: 1, step: 1, names: "mprotect"},
		{spec: "madvise:error=EPERM:syscall=getpid", skip: true, errno: 1, instead: "getpid", first: 1, step: 1, names: "madvise"},
		{spec: "madvise:retval=0:syscall=getpgrp", skip: true, instead: "getpgrp", first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_enter=100", delayed: true, enter: 100 * time.Microsecond, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_exit=1.5ms", delayed: true, exit: 1500 * time.Microsecond, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_enter=0:delay_exit=2s", delayed: true, exit: 2 * time.Second, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_enter=10ns:error=EPERM", skip: true, errno: 1, delayed: true, enter: 10, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_enter=1e-3s", delayed: true, enter: time.Millisecond, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_enter=.5ms", delayed: true, enter: 500 * time.Microsecond, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:delay_enter=1e10s", delayed: true, enter: math.MaxInt64, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:signal=SIGUSR1", signal: 10, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:signal=usr1:when=2", signal: 10, first: 2, names: "madvise"},
		{spec: "madvise:signal=RT_2", signal: 34, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:signal=SIGRTMIN", signal: 32, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:signal=64", signal: 64, first: 1, step: 1, names: "madvise"},
		{spec: "madvise:error=EPERM:signal=SIGCHLD", skip: true, errno: 1, signal: 17, first: 1, step: 1, names: "madvise"},
		{spec: "brk:signal=SIGKILL:retval=0", skip: true, signal: 9, first: 1, step: 1, names: "brk"},
	}
	for _, c := range valid {
		inj, err := ParseInjection(c.spec, c.fault)
		if err != nil {
			t.Errorf("ParseInjection(%q, %v): %v", c.spec, c.fault, err)
			continue
		}
		if inj.Skip != c.skip || inj.Errno != c.errno || inj.Retval != c.retval || inj.Signal != c.signal || inj.Instead != c.instead || inj.Delayed != c.delayed || inj.DelayEnter != c.enter || inj.DelayExit != c.exit || inj.First != c.first || inj.Last != c.last || inj.Step != c.step {
			t.Errorf("ParseInjection(%q, %v) = skip %v errno %d retval %#x signal %d when %d..%d+%d, want skip %v errno %d retval %#x signal %d when %d..%d+%d",
				c.spec, c.fault, inj.Skip, inj.Errno, inj.Retval, inj.Signal, inj.First, inj.Last, inj.Step, c.skip, c.errno, c.retval, c.signal, c.first, c.last, c.step)
		}
		if got := strings.Join(inj.Set.Names(), ","); got != c.names {
			t.Errorf("ParseInjection(%q): set %s, want %s", c.spec, got, c.names)
		}
	}

	invalid := []struct {
		spec  string
		fault bool
		want  string // in the error
	}{
		{"mmap", false, "give error=ERRNO, retval=VALUE, signal=SIG, delay_enter=TIME or delay_exit=TIME"},
		{"mmap:when=2", false, "give error=ERRNO, retval=VALUE, signal=SIG, delay_enter=TIME or delay_exit=TIME"},
		{":error=ENOMEM", false, "invalid system call"},
		{"bogus:error=ENOMEM", false, "invalid system call 'bogus'"},
		{"read:error=ENOMEM", false, "not traced by mmtrace"},
		{"mmap:error=EBOGUS", false, "not an errno name"},
		{"mmap:error=EWOULDBLOCK", false, "not an errno name"},
		{"mmap:error=0", false, "from 1 to 4095"},
		{"mmap:error=4096", false, "from 1 to 4095"},
		{"mmap:error=0x0c", false, "not an errno name"},
		{"mmap:error=ENOMEM:error=EACCES", false, "give one error= or retval="},
		{"mmap:error=ENOMEM:retval=1", false, "give one error= or retval="},
		{"mmap:retval=1:retval=2", false, "give one error= or retval="},
		{"mmap:retval=abc", false, "not a number"},
		{"mmap:retval=0x", false, "not a number"},
		{"mmap:ERROR=ENOMEM", false, "unknown token"},
		{"mmap:error=ENOMEM:when=0", false, "first must be from 1 to 65535"},
		{"mmap:error=ENOMEM:when=65536", false, "first must be from 1 to 65535"},
		{"mmap:error=ENOMEM:when=3..2", false, "last must be from first to 65534"},
		{"mmap:error=ENOMEM:when=1..65535", false, "last must be from first to 65534"},
		{"mmap:error=ENOMEM:when=1..", false, "last must be"},
		{"mmap:error=ENOMEM:when=1...3", false, "last must be"},
		{"mmap:error=ENOMEM:when=2+0", false, "step must be from 1 to 65535"},
		{"mmap:error=ENOMEM:when=1..3+0", false, "step must be"},
		{"mmap:error=ENOMEM:when=x", false, "first must be"},
		{"mmap:retval=2", true, "retval= is for -e inject="},
		{"mmap:signal=SIGSEGV", true, "signal= is for -e inject="},
		{"mmap:signal=SIGUSR1:signal=SIGUSR2", false, "give one signal="},
		{"mmap:signal=0", false, "not a signal name nor a number from 1 to 64"},
		{"mmap:signal=65", false, "not a signal name nor a number from 1 to 64"},
		{"mmap:signal=SIGRTMIN+2", false, "not a signal name"},
		{"mmap:signal=SIGBOGUS", false, "not a signal name"},
		{"mmap:delay_enter=-1", false, "delay_enter=-1: not a time"},
		{"mmap:delay_enter=abc", false, "not a time"},
		{"mmap:delay_enter=5MS", false, "not a time"},
		{"mmap:delay_enter=1h", false, "not a time"},
		{"mmap:delay_enter=inf", false, "not a time"},
		{"mmap:delay_exit=1:delay_exit=2", false, "give one delay_exit="},
		{"mmap:delay_enter=1", true, "delay_enter= is for -e inject="},
		{"mmap:poke_enter=@arg1=00", false, "poke_enter= is not supported"},
		{"mmap:retval=0:syscall=getpid:syscall=getuid", false, "give one syscall="},
		{"mmap:retval=0:syscall=mmap", false, "syscall=mmap: not a call without arguments and effects"},
		{"mmap:retval=0:syscall=getuid32", false, "syscall=getuid32: not a call without arguments and effects"},
		{"mmap:retval=0:syscall=sched_yield", false, "not a call without arguments and effects"},
		{"mmap:syscall=getpid", true, "syscall= is for -e inject="},
		{"mmap:poke_exit=@arg1=00", false, "poke_exit= is not supported"},
	}
	for _, c := range invalid {
		_, err := ParseInjection(c.spec, c.fault)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseInjection(%q, %v) = %v, want an error with %q", c.spec, c.fault, err, c.want)
		}
		if strings.Contains(c.want, "not supported") && !errors.Is(err, ErrInjectUnsupported) {
			t.Errorf("ParseInjection(%q): %v does not wrap ErrInjectUnsupported", c.spec, err)
		}
	}
}

func TestErrnoNumber(t *testing.T) {
	for name, want := range map[string]uint64{"EPERM": 1, "ENOMEM": 12, "EHWPOISON": 133, "ERESTARTSYS": 512, "ERECALLCONFLICT": 530} {
		if got, ok := ErrnoNumber(name); !ok || got != want || ErrnoName(got) != name {
			t.Errorf("ErrnoNumber(%s) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "enomem", "EWOULDBLOCK", "E"} {
		if n, ok := ErrnoNumber(name); ok {
			t.Errorf("ErrnoNumber(%q) = %d, want none", name, n)
		}
	}
}
