package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
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

// writeManPages writes the pages of root and its visible subcommands into dir.
func writeManPages(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man: %w", err)
	}
	// The generator's footer names the date it ran: pages built from the same source would
	// differ from build to build. Without it, the date in the header comes from
	// SOURCE_DATE_EPOCH when set (reproducible builds), else today.
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{
		Title:   "MMTRACE",
		Section: "1",
		Source:  "mmtrace " + buildVersion(),
		Manual:  "mmtrace manual",
	}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("man: %w", err)
	}
	return nil
}
