package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newManCmd writes the manual pages: mmtrace.1 and one page per command (mmtrace-trace.1,
// ...), made from the commands' own help so that they never disagree with it. It is hidden:
// it is for packagers and "make install", not for users.
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the manual pages into DIR",
		Hidden: true,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("man: give the directory to write the pages into")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return writeManPages(c.Root(), args[0])
		},
	}
}

// writeManPages writes the pages of root and its visible subcommands into dir. (They are
// written here rather than by cobra/doc, whose Markdown packages cost every start of mmtrace,
// traced commands included, 2 ms of init functions.)
func writeManPages(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man: %w", err)
	}
	// Pages built from the same source are the same: the date comes from SOURCE_DATE_EPOCH
	// when it is set (reproducible builds), else it is today.
	date := time.Now()
	if epoch, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		date = time.Unix(epoch, 0)
	}
	cmds := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			cmds = append(cmds, c)
		}
	}
	for _, c := range cmds {
		page := manPage(c, date)
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		if err := os.WriteFile(filepath.Join(dir, name), page, 0o644); err != nil {
			return fmt.Errorf("man: %w", err)
		}
	}
	return nil
}

// manPage is the roff source of one command's page.
func manPage(c *cobra.Command, date time.Time) []byte {
	var b bytes.Buffer
	name := strings.ReplaceAll(c.CommandPath(), " ", "-")
	fmt.Fprintf(&b, ".TH %s 1 %s %s %s\n", roffArg(strings.ToUpper(name)), roffArg(date.UTC().Format("Jan 2006")),
		roffArg("mmtrace "+buildVersion()), roffArg("mmtrace manual"))
	fmt.Fprintf(&b, ".nh\n.ad l\n.SH NAME\n%s \\- %s\n", roff(name), roff(c.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n\\fB%s\\fP\n", roff(c.UseLine()))
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	fmt.Fprintf(&b, ".SH DESCRIPTION\n%s\n", roffParagraphs(desc))
	writeManFlags(&b, "OPTIONS", c.NonInheritedFlags())
	writeManFlags(&b, "OPTIONS INHERITED FROM PARENT COMMANDS", c.InheritedFlags())
	if c.Example != "" {
		fmt.Fprintf(&b, ".SH EXAMPLE\n.nf\n%s\n.fi\n", roff(c.Example))
	}
	var see []string
	if c.HasParent() {
		see = append(see, strings.ReplaceAll(c.Parent().CommandPath(), " ", "-"))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			see = append(see, strings.ReplaceAll(sub.CommandPath(), " ", "-"))
		}
	}
	if len(see) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, s := range see {
			sep := ","
			if i == len(see)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "\\fB%s\\fP(1)%s\n", roff(s), sep)
		}
	}
	return b.Bytes()
}

// writeManFlags lists flags as tagged paragraphs: "-o, --output=FILE" and its usage.
func writeManFlags(b *bytes.Buffer, title string, flags *pflag.FlagSet) {
	if !flags.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(b, ".SH %s\n", title)
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		tag := "--" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			tag = "-" + f.Shorthand + ", " + tag
		}
		varname, usage := pflag.UnquoteUsage(f)
		if varname != "" && f.Value.Type() != "count" {
			tag += "=" + varname
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(b, ".TP\n\\fB%s\\fP\n%s\n", roff(tag), roff(usage))
	})
}

// roff escapes text for roff: backslashes, hyphens (which would print as typographic
// hyphens, not the minus that options are typed with), and a control character at the start
// of a line.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// roffArg quotes one argument of a request such as .TH: inside roff's double quotes a quote
// is written twice (Go's \" would begin a roff comment).
func roffArg(s string) string {
	return `"` + strings.ReplaceAll(roff(s), `"`, `""`) + `"`
}

// roffParagraphs keeps the help text's paragraphs (blank lines) and its indented lines
// (examples, tables) as they are.
func roffParagraphs(s string) string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if strings.HasPrefix(para, " ") || strings.HasPrefix(para, "\t") {
			out = append(out, ".PP\n.nf\n"+roff(para)+"\n.fi")
		} else {
			out = append(out, ".PP\n"+roff(para))
		}
	}
	return strings.Join(out, "\n")
}
