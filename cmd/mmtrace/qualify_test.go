package main

import (
	"slices"
	"testing"

	"github.com/mmtrace/mmtrace/decode"
	"github.com/mmtrace/mmtrace/report"
)

// TestParseNumberSet: strace's syntax of a qualifier's set, as strace 6.1 takes -e signal=.
func TestParseNumberSet(t *testing.T) {
	for _, c := range []struct {
		expr    string
		in, out []int
		err     string
	}{
		{"all", []int{0, 17, 255}, nil, ""},
		{"none", nil, []int{0, 17, 255}, ""},
		{"!all", nil, []int{17}, ""},
		{"!none", []int{17}, nil, ""},
		{"SIGCHLD", []int{17}, []int{10}, ""},
		{"!SIGCHLD", []int{10, 255}, []int{17}, ""},
		{"!!chld", []int{17}, []int{10}, ""},
		{",usr1,,11", []int{10, 11}, []int{17}, ""},
		{"", nil, nil, "invalid signal ''"},
		{"!", nil, nil, "invalid signal '!'"},
		{"usr1,!segv", nil, nil, "invalid signal '!segv'"},
		{"usr1,all", nil, nil, "invalid signal 'all'"},
		{"256", nil, nil, "invalid signal '256'"},
	} {
		set, err := parseNumberSet(c.expr, "signal", decode.SignalNumber)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: error %v, want %q", c.expr, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
		}
		for _, n := range c.in {
			if !set.has(n) {
				t.Errorf("%q: %d is not in the set", c.expr, n)
			}
		}
		for _, n := range c.out {
			if set.has(n) {
				t.Errorf("%q: %d is in the set", c.expr, n)
			}
		}
	}
}

// TestQuietMessages: -q, -qq, -qqq, --quiet=SET and the default, as strace 6.1 has them.
func TestQuietMessages(t *testing.T) {
	set := func(s string) *numberSet {
		n, err := parseNumberSet(s, "quiet", quietMessage)
		if err != nil {
			t.Fatal(err)
		}
		return &n
	}
	for _, c := range []struct {
		name          string
		f             traceFlags
		startsCommand bool
		want          []int
	}{
		{"command to stderr", traceFlags{}, true, nil},
		{"command to -o", traceFlags{output: "x"}, true, []int{quietAttach, quietPersonality}},
		{"attach to -o", traceFlags{output: "x"}, false, nil},
		{"-q", traceFlags{quietCount: 1}, false, []int{quietAttach, quietPersonality}},
		{"-qq", traceFlags{quietCount: 2}, false, []int{quietAttach, quietPersonality, quietExit}},
		{"-qqq", traceFlags{quietCount: 3}, false, []int{quietAttach, quietPersonality, quietExit, quietThreadExecve, quietPathResolution}},
		{"--quiet=superseded", traceFlags{quietSet: set("superseded"), output: "x"}, true, []int{quietThreadExecve}},
		{"--quiet=!exit", traceFlags{quietSet: set("!exit")}, true, []int{quietAttach, quietPersonality, quietThreadExecve, quietPathResolution}},
	} {
		got, err := c.f.quietMessages(c.startsCommand)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for n := quietAttach; n <= quietThreadExecve; n++ {
			if got.has(n) != slices.Contains(c.want, n) {
				t.Errorf("%s: message %d left out: %v, want %v", c.name, n, got.has(n), !got.has(n))
			}
		}
	}
}

// TestTimes: the times the options choose, and strace's spellings of them.
func TestTimes(t *testing.T) {
	for _, c := range []struct {
		name string
		f    traceFlags
		want report.StraceOptions
	}{
		{"-t", traceFlags{clockCount: 1}, report.StraceOptions{Clock: report.TimeOfDay}},
		{"-tt", traceFlags{clockCount: 2}, report.StraceOptions{Clock: report.TimeOfDay, ClockDigits: 6}},
		{"-ttt", traceFlags{clockCount: 3}, report.StraceOptions{Clock: report.UnixTime, ClockDigits: 6}},
		{"--timestamps=ms", traceFlags{clockSpecs: []string{"ms"}}, report.StraceOptions{Clock: report.TimeOfDay, ClockDigits: 3}},
		{"--timestamps=unix,ms,us", traceFlags{clockSpecs: []string{"unix,ms,us"}}, report.StraceOptions{Clock: report.UnixTime, ClockDigits: 6}},
		{"--timestamps=FORMAT:UNIX,PRECISION:NS", traceFlags{clockSpecs: []string{"FORMAT:UNIX,PRECISION:NS"}}, report.StraceOptions{Clock: report.UnixTime, ClockDigits: 9}},
		{"--timestamps=unix,ms --timestamps=time", traceFlags{clockSpecs: []string{"unix,ms", "time"}}, report.StraceOptions{Clock: report.TimeOfDay, ClockDigits: 3}},
		{"--timestamps=none", traceFlags{clockSpecs: []string{"unix", "none"}}, report.StraceOptions{}},
		{"--timestamps=,precision:s", traceFlags{clockSpecs: []string{",precision:s"}}, report.StraceOptions{Clock: report.TimeOfDay}},
		{"-r", traceFlags{relativeCount: 1}, report.StraceOptions{Relative: true, RelativeDigits: 6}},
		{"-r --relative-timestamps=NS", traceFlags{relativeCount: 1, relativePrecision: "NS"}, report.StraceOptions{Relative: true, RelativeDigits: 9}},
		{"--syscall-times=s", traceFlags{callTimesPrecision: "s"}, report.StraceOptions{CallTimes: true}},
		{"-T", traceFlags{callTimesCount: 1}, report.StraceOptions{CallTimes: true, CallTimeDigits: 6}},
	} {
		var got report.StraceOptions
		if err := c.f.times(&got); err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	for _, f := range []traceFlags{
		{clockSpecs: []string{"format:ms"}},
		{clockSpecs: []string{"precision:unix"}},
		{clockSpecs: []string{"unix,bogus"}},
		{clockCount: 1, clockSpecs: []string{"unix"}},
		{clockCount: 4},
		{relativePrecision: "1"},
		{callTimesPrecision: "xs"},
	} {
		var o report.StraceOptions
		if err := f.times(&o); err == nil {
			t.Errorf("%+v: accepted", f)
		}
	}
}

// TestCommandEnv: -E VAR=VAL replaces VAR's first entry or adds one at the end; -E VAR removes
// every entry of VAR, as strace 6.1 does; the environment given is not changed.
func TestCommandEnv(t *testing.T) {
	env := []string{"A=1", "B=2", "AB=3", "A=4", "C"}
	got := commandEnv(env, []string{"A=x", "C", "D=5", "B", "B=6"})
	want := []string{"A=x", "AB=3", "A=4", "D=5", "B=6"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if !slices.Equal(env, []string{"A=1", "B=2", "AB=3", "A=4", "C"}) {
		t.Errorf("the environment given was changed: %q", env)
	}
}
