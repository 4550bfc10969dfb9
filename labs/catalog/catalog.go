package catalog

import (
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/bank"
	"github.com/locklab/locklab/labs/boundedbuffer"
	"github.com/locklab/locklab/labs/counter"
	"github.com/locklab/locklab/labs/leaks"
	"github.com/locklab/locklab/labs/lockchannel"
	"github.com/locklab/locklab/labs/philosophers"
	"github.com/locklab/locklab/labs/readerswriters"
	"github.com/locklab/locklab/labs/reentrant"
	"github.com/locklab/locklab/labs/waitgroup"
)

// All returns every scenario in curriculum order. The slice is new on each
// call; the scenarios it points to are shared and must not be modified.
func All() []*labs.Scenario {
	return []*labs.Scenario{
		counter.Scenario,
		bank.Scenario,
		philosophers.Scenario,
		reentrant.Scenario,
		readerswriters.Scenario,
		boundedbuffer.Scenario,
		lockchannel.Scenario,
		leaks.Scenario,
		waitgroup.Scenario,
	}
}

// Names returns the scenario names in curriculum order.
func Names() []string {
	all := All()
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	return names
}

// Lookup returns the scenario with the given name. For any other name it
// returns a *labs.UnknownError that lists the valid names and suggests the
// closest one.
func Lookup(scenario string) (*labs.Scenario, error) {
	for _, s := range All() {
		if s.Name == scenario {
			return s, nil
		}
	}
	return nil, &labs.UnknownError{What: "scenario", Name: scenario, Valid: Names()}
}

// LookupVariant returns the named variant of the named scenario, or an
// *labs.UnknownError naming the valid choices.
func LookupVariant(scenario, variant string) (*labs.Scenario, *labs.Variant, error) {
	s, err := Lookup(scenario)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Variant(variant)
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}
