package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mmtrace/mmtrace/decode"
	"github.com/mmtrace/mmtrace/report"
)

// This file has the parsers of strace's -e qualifiers other than trace= (signal=, quiet=,
// decode-pids=) and of the options whose values strace spells in its own ways: the
// timestamp precisions and -E.

// numberSet is a set of small numbers (signals, quiet messages): what strace's -e QUALIFIER=SET
// chooses.
type numberSet [4]uint64

func (s *numberSet) add(n int)     { s[n/64] |= 1 << (n % 64) }
func (s numberSet) has(n int) bool { return n >= 0 && n < 256 && s[n/64]&(1<<(n%64)) != 0 }

// allNumbers is the set of every value: strace's default signal=all.
var allNumbers = numberSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// parseNumberSet parses strace's syntax of a qualifier's set, [!]...all|none|VALUE[,VALUE]...:
// each leading "!" inverts the set; all and none stand alone; a value that value does not know
// is refused as strace refuses it, "invalid signal 'bogus'".
func parseNumberSet(expr, what string, value func(string) (int, bool)) (numberSet, error) {
	var set numberSet
	invert := false
	rest := expr
	for strings.HasPrefix(rest, "!") {
		invert = !invert
		rest = rest[1:]
	}
	switch rest {
	case "none":
	case "all":
		invert = !invert
	default:
		empty := true
		for _, token := range strings.Split(rest, ",") {
			if token == "" {
				continue
			}
			n, ok := value(token)
			if !ok || n < 0 || n > 255 {
				return set, fmt.Errorf("invalid %s '%s'", what, token)
			}
			set.add(n)
			empty = false
		}
		if empty {
			return set, fmt.Errorf("invalid %s '%s'", what, expr)
		}
	}
	if invert {
		for i := range set {
			set[i] = ^set[i]
		}
	}
	return set, nil
}

// The messages -q and --quiet= silence, as strace 6.1 names them.
const (
	quietAttach         = iota // "mmtrace: Process N attached" and detached
	quietExit                  // "+++ exited with N +++"
	quietPathResolution        // strace's -P messages; mmtrace has none
	quietPersonality           // strace's "[ Process PID=N runs in 32 bit mode. ]"; mmtrace has none
	quietThreadExecve          // "+++ superseded by execve in pid N +++"
)

func quietMessage(name string) (int, bool) {
	n, ok := map[string]int{
		"attach": quietAttach, "exit": quietExit, "path-resolution": quietPathResolution,
		"personality": quietPersonality, "thread-execve": quietThreadExecve, "superseded": quietThreadExecve,
	}[name]
	return n, ok
}

// quietShort is what -q, -qq and -qqq stand for.
var quietShort = [...]string{1: "attach,personality", 2: "attach,personality,exit", 3: "all"}

// quietMessages is the set of messages to leave out: -q, -qq, -qqq or --quiet=SET
// (-e quiet=SET), one kind of spelling only, as strace 6.1 takes them; by default the
// messages about attaching, when mmtrace starts the command and writes to a file (-o), as
// strace does.
func (f *traceFlags) quietMessages(startsCommand bool) (numberSet, error) {
	switch {
	case f.quietCount > 0 && f.quietSet != nil:
		return numberSet{}, errors.New("-q and -e quiet/--quiet cannot be given together")
	case f.quietCount > len(quietShort)-1:
		return numberSet{}, errors.New("-q: give -q, -qq or -qqq")
	case f.quietSet != nil:
		return *f.quietSet, nil
	case f.quietCount > 0:
		return parseNumberSet(quietShort[f.quietCount], "quiet", quietMessage)
	case startsCommand && f.output != "":
		return parseNumberSet(quietShort[1], "quiet", quietMessage)
	}
	return numberSet{}, nil
}

// qualify parses the -e options that are not trace=: signal=, quiet= and decode-pids= (the
// long options --signal, --quiet and --decode-pids come here as -e options too, in their
// order, so that the last one given wins, as in strace). It returns the trace= expressions.
func (f *traceFlags) qualify() ([]string, error) {
	f.signals = allNumbers
	var trace []string
	for _, e := range f.expressions {
		qualifier, set, ok := strings.Cut(e, "=")
		if !ok {
			qualifier, set = "trace", e
		}
		var err error
		switch qualifier {
		case "signal", "signals", "s":
			f.signals, err = parseNumberSet(set, "signal", decode.SignalNumber)
		case "quiet", "silent", "silence", "q":
			var quiet numberSet
			quiet, err = parseNumberSet(set, "quiet", quietMessage)
			f.quietSet = &quiet
		case "decode-pids", "decode-pid":
			f.decodePids, err = parseNumberSet(set, "decode-pids", decodePidsDetail)
		default:
			trace = append(trace, e)
		}
		if err != nil {
			return nil, fmt.Errorf("-e %s: %w", e, err)
		}
	}
	return trace, nil
}

// What --decode-pids= prints beside a pid.
const (
	decodePidsComm  = iota // -Y: the command name, 1234<sh>
	decodePidsPidns        // the pid in mmtrace's own pid namespace as well
)

// processComm is the command name of process (or thread) pid as -Y prints it, "" when there is
// none: /proc/PID/comm, with what would end the name ("<", ">", a control character) and the
// backslash escaped as octal, as strace escapes them.
func processComm(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	comm := strings.TrimRight(string(data), "\n")
	var b strings.Builder
	for i := 0; i < len(comm); i++ {
		switch c := comm[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c < ' ' || c >= 0x7f || c == '<' || c == '>':
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func decodePidsDetail(name string) (int, bool) {
	n, ok := map[string]int{"comm": decodePidsComm, "pidns": decodePidsPidns}[name]
	return n, ok
}

// qualifierFlag is -e, or a long option that stands for an -e qualifier: --signal=SET is
// -e signal=SET. Each adds to the one list of -e options, which keeps their order.
type qualifierFlag struct {
	qualifier   string // "" for -e itself
	typ         string // what help calls its value
	expressions *[]string
}

func (q qualifierFlag) String() string { return "" }
func (q qualifierFlag) Type() string   { return q.typ }
func (q qualifierFlag) Set(v string) error {
	if q.qualifier != "" {
		v = q.qualifier + "=" + v
	}
	*q.expressions = append(*q.expressions, v)
	return nil
}

// countOrValue is an option that strace takes both repeated as a short flag (-q, -qq; -t, -tt)
// and with a value as a long one (--quiet=exit; --timestamps=unix,ms): the short form, and the
// long one without a value, count; a value goes to set.
type countOrValue struct {
	count *int
	set   func(string)
}

func (c countOrValue) String() string { return "" }

// Type is pflag's count type, whose default value for the short form, "+1", help leaves out.
func (c countOrValue) Type() string { return "count" }

func (c countOrValue) Set(v string) error {
	if v == "+1" {
		*c.count++
	} else {
		c.set(v)
	}
	return nil
}

// addCountOrValue registers a countOrValue option on fl, with aliases: other long names of it.
func addCountOrValue(fl *pflag.FlagSet, c countOrValue, name, shorthand, usage string, aliases ...string) {
	fl.VarPF(c, name, shorthand, usage).NoOptDefVal = "+1"
	for _, alias := range aliases {
		fl.VarPF(c, alias, "", usage).NoOptDefVal = "+1"
		fl.MarkHidden(alias)
	}
}

// precisionDigits is how many digits of a second strace's precision s, ms, us or ns (in any
// case) shows.
func precisionDigits(precision string) (int, bool) {
	digits, ok := map[string]int{"s": 0, "ms": 3, "us": 6, "ns": 9}[precision]
	return digits, ok
}

// tStandsFor is what -t, -tt and -ttt stand for.
var tStandsFor = [...]string{1: "format:time", 2: "format:time,precision:us", 3: "format:unix,precision:us"}

// times sets the times that lines show: the wall clock (-t, -tt, -ttt, or --timestamps=
// [format:]none|time|unix,[precision:]s|ms|us|ns, each one changing only what it names), the
// time since the previous line (-r, --relative-timestamps=PRECISION) and the time spent in each
// call (-T, --syscall-times=PRECISION); microseconds where no precision is given but for
// --timestamps, whose default is seconds.
func (f *traceFlags) times(o *report.StraceOptions) error {
	specs := f.clockSpecs
	switch {
	case f.clockCount > 0 && len(specs) > 0:
		return errors.New("-t and --absolute-timestamps cannot be given together")
	case f.clockCount > len(tStandsFor)-1:
		return errors.New("-t: give -t, -tt or -ttt")
	case f.clockCount > 0:
		specs = []string{tStandsFor[f.clockCount]}
	}
	for _, spec := range specs {
		format, formatGiven := o.Clock, false
		for _, token := range strings.Split(spec, ",") {
			word := strings.ToLower(token)
			kinds := "format:precision:"
			if w, ok := strings.CutPrefix(word, "format:"); ok {
				word, kinds = w, "format:"
			} else if w, ok := strings.CutPrefix(word, "precision:"); ok {
				word, kinds = w, "precision:"
			}
			clock, isFormat := map[string]report.Clock{"none": report.NoClock, "time": report.TimeOfDay, "unix": report.UnixTime}[word]
			digits, isPrecision := precisionDigits(word)
			switch {
			case token == "":
			case isFormat && strings.Contains(kinds, "format:"):
				format, formatGiven = clock, true
			case isPrecision && strings.Contains(kinds, "precision:"):
				o.ClockDigits = digits
			default:
				return fmt.Errorf("invalid --timestamps argument: '%s'", spec)
			}
		}
		if !formatGiven && format == report.NoClock {
			format = report.TimeOfDay
		}
		o.Clock = format
	}
	var err error
	if o.Relative = f.relativeCount > 0 || f.relativePrecision != ""; o.Relative {
		if o.RelativeDigits, err = timePrecision("--relative-timestamps", f.relativePrecision); err != nil {
			return err
		}
	}
	if o.CallTimes = f.callTimesCount > 0 || f.callTimesPrecision != ""; o.CallTimes {
		o.CallTimeDigits, err = timePrecision("--syscall-times", f.callTimesPrecision)
	}
	return err
}

// timePrecision is the digits of -r's or -T's precision: microseconds unless given.
func timePrecision(option, precision string) (int, error) {
	if precision == "" {
		return 6, nil
	}
	digits, ok := precisionDigits(strings.ToLower(precision))
	if !ok {
		return 0, fmt.Errorf("invalid %s argument: '%s'", option, precision)
	}
	return digits, nil
}

// commandEnv is the environment of the command: mmtrace's own, changed by each -E in turn.
// -E VAR=VAL puts VAR=VAL in place of VAR's first entry, or at the end; -E VAR removes every
// entry of VAR (as strace 6.1 does).
func commandEnv(env, changes []string) []string {
	if len(changes) == 0 {
		return env
	}
	env = slices.Clone(env)
	isVar := func(entry, name string) bool {
		rest, ok := strings.CutPrefix(entry, name)
		return ok && (rest == "" || rest[0] == '=')
	}
	for _, change := range changes {
		name, _, set := strings.Cut(change, "=")
		if !set {
			env = slices.DeleteFunc(env, func(entry string) bool { return isVar(entry, name) })
			continue
		}
		if i := slices.IndexFunc(env, func(entry string) bool { return isVar(entry, name) }); i >= 0 {
			env[i] = change
		} else {
			env = append(env, change)
		}
	}
	return env
}
