package cli

import (
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/run"
)

// serveChild runs the go-deadlock child's entry point when this process is
// run.GoDeadlock's child, and reports its exit status. It must run before
// anything else: the child's workers may be stuck in go-deadlock's locks,
// and only the exit ends them.
func serveChild() (code int, served bool) {
	served, code = run.ServeChild(catalogVariant)
	return code, served
}

// catalogVariant finds a scenario and variant of the catalog by name.
func catalogVariant(scenario, variant string) (*labs.Scenario, *labs.Variant, error) {
	s, err := catalog.Lookup(scenario)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Variant(variant)
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}
