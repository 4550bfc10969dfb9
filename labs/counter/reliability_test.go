package counter_test

import (
	"testing"

	"github.com/locklab/locklab/labs/counter"
	"github.com/locklab/locklab/labs/labtest"
)

// TestReliability measures how often each variant shows its bug with the
// default flags, when LOCKLAB_RELIABILITY is set:
//
//	LOCKLAB_RELIABILITY=100 go test -run TestReliability -v ./labs/counter
func TestReliability(t *testing.T) { labtest.Reliability(t, counter.Scenario, 0.99) }
