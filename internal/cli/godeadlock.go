package cli

import (
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/run"
)

// serveChild runs the go-deadlock child's entry point when this process is
// run.GoDeadlock's child, and reports its exit status. It must run before
// anything else: the child's workers may be stuck in go-deadlock's locks,
// and only the exit ends them.
func serveChild() (code int, served bool) {
	served, code = run.ServeChild(catalog.LookupVariant)
	return code, served
}
