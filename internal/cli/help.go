package cli

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/locklab/locklab/labs"
)

// subcommandNames returns the names of c's subcommands a user can run,
// help included.
func subcommandNames(c *cobra.Command) []string {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() || sub.Name() == "help" {
			names = append(names, sub.Name())
		}
	}
	return names
}

// unknownCommand is the error for name, which is not a subcommand of c:
// it names the valid ones and the closest.
func unknownCommand(c *cobra.Command, name string) error {
	valid := subcommandNames(c)
	if len(valid) == 0 {
		return fmt.Errorf("%s takes no arguments, got %q", c.CommandPath(), name)
	}
	msg := fmt.Sprintf("unknown command %q for %q; valid: %s", name, c.CommandPath(), strings.Join(valid, ", "))
	if s := labs.Closest(name, valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Errorf("%s", msg)
}

// cobraUnknownRE matches cobra's own unknown-command error, which names
// neither the valid commands nor (beyond two edits) the closest.
var cobraUnknownRE = regexp.MustCompile(`^unknown command "([^"]*)" for "[^"]*"`)

// betterUnknown rewrites cobra's unknown-command error, raised for c,
// as unknownCommand's.
func betterUnknown(c *cobra.Command, err error) error {
	if c == nil || err == nil {
		return err
	}
	if m := cobraUnknownRE.FindStringSubmatch(err.Error()); m != nil && !strings.Contains(err.Error(), "; valid: ") {
		return unknownCommand(c, m[1])
	}
	return err
}

// groupRunE makes a command that only groups subcommands (exercise)
// print its help when given none and reject an unknown one: without a
// Run, cobra prints the help for any argument and exits 0.
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	return cmd.Help()
}

// newHelpCmd returns `locklab help [command]`, which, unlike cobra's,
// fails with the valid choices for a topic that is no command.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long: `Help provides help for any command in the application.
Simply type ` + root.Name() + ` help [path to command] for full details.`,
		Example: "  locklab help run\n  locklab help exercise list",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, name := range subcommandNames(target) {
				if strings.HasPrefix(name, toComplete) {
					out = append(out, name)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target := root
			for _, a := range args {
				var next *cobra.Command
				for _, sub := range target.Commands() {
					if sub.Name() == a || sub.HasAlias(a) {
						next = sub
					}
				}
				if next == nil {
					return unknownCommand(target, a)
				}
				target = next
			}
			return target.Help()
		},
	}
}
