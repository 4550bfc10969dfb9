package bank_test

import (
	"testing"

	"github.com/locklab/locklab/labs/bank"
	"github.com/locklab/locklab/labs/labtest"
)

// TestReliability measures how often each variant shows its bug with the
// default flags, when LOCKLAB_RELIABILITY is set:
//
//	LOCKLAB_RELIABILITY=100 go test -run TestReliability -v ./labs/bank
func TestReliability(t *testing.T) { labtest.Reliability(t, bank.Scenario, 0.99) }
