package waitgroup_test

import (
	"testing"

	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/waitgroup"
)

// TestReliability measures how often each variant shows its bug with the
// default flags, when LOCKLAB_RELIABILITY is set:
//
//	LOCKLAB_RELIABILITY=100 go test -run TestReliability -v ./labs/waitgroup
func TestReliability(t *testing.T) { labtest.Reliability(t, waitgroup.Scenario, 0.99) }
