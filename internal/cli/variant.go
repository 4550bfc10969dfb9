package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/locklab/locklab/labs"
)

// errBuggyAndVariant is the usage error of giving both --buggy and
// --variant.
var errBuggyAndVariant = errors.New("--buggy and --variant cannot be used together")

// addVariantFlags binds --buggy and --variant, which run, race, explore and
// step share, with completion of the scenario's variant names; verb says
// what the command does with the variant ("run", "check", ...).
func addVariantFlags(cmd *cobra.Command, deps *Deps, buggy *bool, variant *string, verb string) {
	f := cmd.Flags()
	f.BoolVar(buggy, "buggy", false, verb+" the scenario's first buggy variant (the default)")
	f.StringVar(variant, "variant", "", verb+" this variant (see locklab list)")
	_ = cmd.RegisterFlagCompletionFunc("variant", completeVariant(deps))
}

// pickVariant returns the variant of s named variant or, when variant is
// empty, s's first buggy variant: the one a student comes to see.
func pickVariant(s *labs.Scenario, variant string) (*labs.Variant, error) {
	if variant != "" {
		return s.Variant(variant)
	}
	if v := s.FirstBuggy(); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("scenario %s has no buggy variant; choose one with --variant: %s",
		s.Name, strings.Join(s.VariantNames(), ", "))
}
