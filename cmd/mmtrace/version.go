package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

// setVersion gives root the --version flag. The version is read from the binary itself, so
// that "go install github.com/mmtrace/mmtrace/cmd/mmtrace@v1.2.0" reports v1.2.0 without a
// build step that stamps it in.
func setVersion(root *cobra.Command) {
	root.Version = buildVersion()
	root.SetVersionTemplate("mmtrace {{.Version}}\n")
}

// buildVersion is the main module's version; a build from a work tree has none, "(devel)",
// and then the commit it was built from tells one build from another, when go build recorded
// it (it does not with -buildvcs=false or outside a repository).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := info.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	v = "(devel)"
	var rev string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev
		if modified {
			v += "+dirty"
		}
	}
	return v
}
