package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// noArgs rejects positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

// scenarioArg accepts exactly one positional argument, a scenario name;
// the error names the valid scenarios. The name itself is checked when the
// command runs.
func scenarioArg(deps *Deps) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch len(args) {
		case 1:
			return nil
		case 0:
			return fmt.Errorf("%s needs a scenario: one of %s", cmd.CommandPath(), strings.Join(scenarioNames(deps.Catalog()), ", "))
		}
		return fmt.Errorf("%s takes one scenario, got %d arguments: %s", cmd.CommandPath(), len(args), strings.Join(args, " "))
	}
}
