package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// subcommands are the commands a user sees in mmtrace --help and completes.
var subcommands = []string{"trace", "attach", "maps", "completion"}

// bashComplete runs the bash completion script as bash would on Tab, for the words typed so
// far (the last one being completed), and returns the candidates. The script comes from
// bash-completion's world: it needs that package's functions, as it does on a user's machine.
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	const lib = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(lib); err != nil {
		t.Fatalf("the completion test runs the script under bash-completion, which is not installed "+
			"(Debian: apt-get install -y bash-completion): %v", err)
	}
	// COMP_WORDS[0] is the binary under test: the script asks it for the candidates.
	driver := `source ` + lib + `
source "$1"
shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
__start_mmtrace
printf '%s\n' "${COMPREPLY[@]}"
`
	file := filepath.Join(t.TempDir(), "mmtrace.bash")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", "bash", append([]string{"-c", driver, "bash", file, mmtraceBin}, words...)...)
	if r.code != 0 {
		t.Fatalf("bash completion of %q exited %d: %s", words, r.code, r.stderr)
	}
	return strings.Fields(r.stdout)
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			r := runCmd(t, "", mmtraceBin, "completion", shell)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("mmtrace completion %s: exit %d, stderr %q", shell, r.code, r.stderr)
			}
			// cobra's scripts hold no list of commands: they ask "mmtrace __complete" at each
			// Tab, so the candidates are always the installed binary's. Check the script hooks
			// mmtrace up to that, and below, that it yields the subcommands.
			want := map[string][]string{
				"bash": {"__start_mmtrace", "complete -o default -F __start_mmtrace mmtrace", "__complete"},
				"zsh":  {"#compdef mmtrace", "compdef _mmtrace mmtrace", "__complete"},
				"fish": {"complete -c mmtrace", "__complete"},
			}[shell]
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("the %s script has no %q", shell, w)
				}
			}
			if shell == "bash" {
				file := filepath.Join(t.TempDir(), "mmtrace.bash")
				if err := os.WriteFile(file, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				if n := runCmd(t, "", "bash", "-n", file); n.code != 0 {
					t.Fatalf("bash -n: %s", n.stderr)
				}
				got := bashComplete(t, r.stdout, "")
				for _, c := range subcommands {
					if !slices.Contains(got, c) {
						t.Errorf("Tab after mmtrace offers %q, not %s", got, c)
					}
				}
				if slices.Contains(got, "man") {
					t.Errorf("Tab after mmtrace offers the hidden man command: %q", got)
				}
				got = bashComplete(t, r.stdout, "trace", "--str")
				if !slices.Contains(got, "--strace-only") || !slices.Contains(got, "--string-limit") {
					t.Errorf("Tab after mmtrace trace --str offers %q", got)
				}
				got = bashComplete(t, r.stdout, "completion", "")
				if !slices.Equal(got, []string{"bash", "zsh", "fish"}) {
					t.Errorf("Tab after mmtrace completion offers %q", got)
				}
			}
		})
	}
	// What every script asks for: the subcommands, with their descriptions.
	r := runCmd(t, "", mmtraceBin, "__complete", "")
	for _, c := range subcommands {
		if !regexp.MustCompile(`(?m)^` + c + `\t`).MatchString(r.stdout) {
			t.Errorf("mmtrace __complete \"\" does not offer %s:\n%s", c, r.stdout)
		}
	}
	if r := runCmd(t, "", mmtraceBin, "completion", "tcsh"); r.code != 2 || !strings.Contains(r.stderr, "unknown shell") {
		t.Errorf("mmtrace completion tcsh: exit %d, %q", r.code, r.stderr)
	}
}

// renderMan formats a man page as man(1) shows it, without hyphenation or justification so
// that flags are never split across lines.
func renderMan(t *testing.T, page string) string {
	t.Helper()
	man, err := exec.LookPath("man")
	if err != nil {
		t.Fatalf("the manual test renders the pages with man, which is not installed (Debian: apt-get install -y man-db): %v", err)
	}
	cmd := exec.Command(man, "--nh", "--nj", "-P", "cat", "-l", page)
	cmd.Env = append(os.Environ(), "MANWIDTH=200", "MAN_KEEP_FORMATTING=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("man -l %s: %v", page, err)
	}
	// Bold and underline, should man keep them, are overstrikes: keep the letters only.
	return regexp.MustCompile(".\b").ReplaceAllString(string(out), "")
}

func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if r := runCmd(t, "", mmtraceBin, "man", dir); r.code != 0 {
		t.Fatalf("mmtrace man: exit %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"mmtrace.1", "mmtrace-trace.1", "mmtrace-attach.1", "mmtrace-maps.1", "mmtrace-completion.1"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("mmtrace man wrote no %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "mmtrace-man.1")); err == nil {
		t.Error("the hidden man command has a page of its own")
	}
	top := renderMan(t, filepath.Join(dir, "mmtrace.1"))
	for _, c := range subcommands {
		if !strings.Contains(top, "mmtrace-"+c+"(1)") {
			t.Errorf("mmtrace(1) does not refer to mmtrace-%s(1):\n%s", c, top)
		}
	}
	text := renderMan(t, filepath.Join(dir, "mmtrace-trace.1"))
	for _, want := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "mmtrace trace [flags] -- CMD [ARGS...]"} {
		if !strings.Contains(text, want) {
			t.Errorf("mmtrace-trace(1) has no %q", want)
		}
	}
	// The title line and the footer: the page's name and mmtrace's version, which .TH quotes.
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "MMTRACE-TRACE(1)") || !strings.Contains(lines[0], "mmtrace manual") {
		t.Errorf("mmtrace-trace(1) title line: %q", lines[0])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "mmtrace ") || !strings.HasSuffix(last, "MMTRACE-TRACE(1)") {
		t.Errorf("mmtrace-trace(1) footer: %q", last)
	}
	// Every flag of trace, long and short, as the command itself defines them.
	newTraceCmd().Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if !strings.Contains(text, "--"+f.Name) {
			t.Errorf("mmtrace-trace(1) does not mention --%s", f.Name)
		}
		if f.Shorthand != "" && !strings.Contains(text, "-"+f.Shorthand+", --"+f.Name) {
			t.Errorf("mmtrace-trace(1) does not mention -%s for --%s", f.Shorthand, f.Name)
		}
	})
}

// TestRoffArg: a request's argument keeps its quotes and backslashes as text.
func TestRoffArg(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"mmtrace 1.0", `"mmtrace 1.0"`},
		{`say "hi"`, `"say ""hi"""`},
		{`a\b-c`, `"a\eb\-c"`},
	} {
		if got := roffArg(tc.in); got != tc.want {
			t.Errorf("roffArg(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("this test runs the Makefile, and make is not installed: %v", err)
	}
	tmp := t.TempDir()
	stage := filepath.Join(tmp, "stage")
	// BIN builds into the test's directory: the work tree's ./mmtrace is left alone.
	r := runCmd(t, "../..", "make", "install", "DESTDIR="+stage, "PREFIX=/opt/mm", "BIN="+filepath.Join(tmp, "mmtrace"))
	if r.code != 0 {
		t.Fatalf("make install: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{
		"/opt/mm/bin/mmtrace",
		"/opt/mm/share/man/man1/mmtrace.1",
		"/opt/mm/share/man/man1/mmtrace-trace.1",
		"/opt/mm/share/bash-completion/completions/mmtrace",
	} {
		st, err := os.Stat(stage + f)
		if err != nil {
			t.Errorf("make install did not install %s: %v", f, err)
			continue
		}
		if st.Size() == 0 {
			t.Errorf("%s is empty", f)
		}
	}
	if st, err := os.Stat(stage + "/opt/mm/bin/mmtrace"); err == nil && st.Mode().Perm()&0o111 == 0 {
		t.Errorf("the installed binary is not executable: %v", st.Mode())
	}
	// Static, as the README builds it: no dynamic loader to run at every start.
	if f, err := elf.Open(stage + "/opt/mm/bin/mmtrace"); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("the installed binary is dynamically linked (it has PT_INTERP)")
			}
		}
		f.Close()
	}
	if r := runCmd(t, "", stage+"/opt/mm/bin/mmtrace", "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "mmtrace ") {
		t.Errorf("the installed mmtrace --version: exit %d, %q", r.code, r.stdout)
	}
}

func TestVersion(t *testing.T) {
	// A release is its module version; a work tree's build is "(devel)" or, since Go 1.24,
	// a pseudo-version from the commit; either may carry the commit after it.
	line := regexp.MustCompile(`^mmtrace (v\d+\.\d+\.\d+\S*|\(devel\)( [0-9a-f]{12}(\+dirty)?)?)\n$`)
	for _, flag := range []string{"--version", "-v"} {
		r := runCmd(t, "", mmtraceBin, flag)
		if r.code != 0 || !line.MatchString(r.stdout) || r.stderr != "" {
			t.Errorf("mmtrace %s: exit %d, stdout %q, stderr %q", flag, r.code, r.stdout, r.stderr)
		}
	}
}
