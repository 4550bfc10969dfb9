package cli

import (
	"github.com/spf13/cobra"

	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/labs"
)

// ExplainOptions are the arguments and flags of `locklab explain`.
type ExplainOptions struct {
	Deps     *Deps
	Scenario string
	Variant  string
	JSON     bool
}

// NewCmdExplain returns `locklab explain`. runF, when not nil, is called
// with the parsed options instead of explainRun.
func NewCmdExplain(deps *Deps, runF func(*ExplainOptions) error) *cobra.Command {
	opts := &ExplainOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "explain SCENARIO",
		Short: "Explain a scenario and the lesson of each variant",
		Long: `Print a scenario's documentation, then each variant's lesson: why the
buggy ones fail (for a deadlock, which Coffman condition holds), why the
fixes work, the detectors expected to report each, and its source file.
With --variant, only that variant.`,
		Example: `  locklab explain philosophers
  locklab explain bank --variant check-then-act
  locklab explain counter --json`,
		Args:              scenarioArg(deps),
		ValidArgsFunction: completeScenario(deps),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenario = args[0]
			if runF != nil {
				return runF(opts)
			}
			return explainRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Variant, "variant", "", "explain only this variant")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write the scenario as JSON")
	_ = cmd.RegisterFlagCompletionFunc("variant", completeVariant(deps))
	return cmd
}

func explainRun(opts *ExplainOptions) error {
	d := opts.Deps
	s, err := d.lookup(opts.Scenario)
	if err != nil {
		return err
	}
	var v *labs.Variant
	if opts.Variant != "" {
		if v, err = s.Variant(opts.Variant); err != nil {
			return err
		}
	}
	if opts.JSON {
		return render.ExplainJSON(d.Out, s, v)
	}
	return render.Explain(d.Out, s, v, d.style())
}
