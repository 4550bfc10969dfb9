package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// completeScenario completes the scenario argument with the catalog's
// names, described by their titles.
func completeScenario(deps *Deps) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, s := range deps.Catalog() {
			if strings.HasPrefix(s.Name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(s.Name, s.Title))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeVariant completes --variant with the variants of the scenario
// already given, described by kind and summary.
func completeVariant(deps *Deps) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		s, err := deps.lookup(args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, v := range s.Variants {
			if strings.HasPrefix(v.Name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(v.Name, string(v.Kind)+": "+v.Summary))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeDetectors completes the comma-separated --detector list: the
// names not yet in it, after what was typed up to the last comma.
func completeDetectors(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	done, last := "", toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done, last = toComplete[:i+1], toComplete[i+1:]
	}
	typed := strings.Split(done, ",")
	var out []cobra.Completion
	for _, d := range detectorChoices {
		if (d.name == detectorNone || d.name == detectorGoDeadlock) && done != "" {
			continue // they stand alone
		}
		if strings.HasPrefix(d.name, last) && !slices.Contains(typed, d.name) {
			out = append(out, cobra.CompletionWithDesc(done+d.name, d.help))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder
}
