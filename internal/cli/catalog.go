package cli

import (
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
)

// catalogAll is the catalog the locklab binary serves.
func catalogAll() []*labs.Scenario { return catalog.All() }
