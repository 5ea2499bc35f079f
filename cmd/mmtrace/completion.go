package main

import (
	"io"

	"github.com/spf13/cobra"
)

// newCompletionCmd replaces cobra's default completion command (hidden in root.go) by one
// with the shells mmtrace supports and documents. The scripts come from cobra's generators:
// they ask "mmtrace __complete" for the candidates, so they follow the commands and flags of
// the binary that is installed rather than a list frozen when the script was written.
func newCompletionCmd() *cobra.Command {
	shells := []string{"bash", "zsh", "fish"}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script for mmtrace",
		Long: `Print a script that makes the shell complete mmtrace's commands and flags.

  bash: mmtrace completion bash > /usr/local/share/bash-completion/completions/mmtrace
        (needs the bash-completion package), or: source <(mmtrace completion bash)
  zsh:  mmtrace completion zsh > "${fpath[1]}/_mmtrace"
        (with "autoload -U compinit; compinit" in ~/.zshrc)
  fish: mmtrace completion fish > ~/.config/fish/completions/mmtrace.fish`,
		ValidArgs:             shells,
		DisableFlagsInUseLine: true,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("completion: name one shell: bash, zsh or fish")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return writeCompletion(c.Root(), c.OutOrStdout(), args[0])
		},
	}
}

// writeCompletion writes the completion script of root's program for shell.
func writeCompletion(root *cobra.Command, w io.Writer, shell string) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, true)
	case "zsh":
		return root.GenZshCompletion(w)
	case "fish":
		return root.GenFishCompletion(w, true)
	}
	return usageError("completion: unknown shell %q (want bash, zsh or fish)", shell)
}
