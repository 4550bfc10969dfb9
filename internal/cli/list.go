package cli

import (
	"github.com/spf13/cobra"

	"github.com/locklab/locklab/internal/render"
)

// ListOptions are the flags of `locklab list`.
type ListOptions struct {
	Deps *Deps
	JSON bool
}

// NewCmdList returns `locklab list`. runF, when not nil, is called with the
// parsed options instead of listRun.
func NewCmdList(deps *Deps, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the scenarios and their variants",
		Long: `List every scenario and variant in curriculum order: whether the variant is
buggy, fixed or cooperative, the bug it shows, and the detectors expected
to report it (a warning on a fixed variant, explained by its lesson, is
marked "warned").`,
		Example: `  locklab list
  locklab list --json | jq -r '.[].variants[] | select(.kind == "buggy") | .run'`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write the catalog as JSON")
	return cmd
}

func listRun(opts *ListOptions) error {
	d := opts.Deps
	if opts.JSON {
		return render.ListJSON(d.Out, d.Catalog())
	}
	return render.List(d.Out, d.Catalog(), d.style())
}
