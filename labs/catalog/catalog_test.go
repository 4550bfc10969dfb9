package catalog_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) {
	// The go-deadlock child (run.GoDeadlock re-executes this binary).
	if handled, code := run.ServeChild(catalog.LookupVariant); handled {
		os.Exit(code)
	}
	goleak.VerifyTestMain(m)
}

func TestValidate(t *testing.T) {
	if err := labs.Validate(catalog.All()); err != nil {
		t.Errorf("labs.Validate(catalog.All()) = %v; want nil", err)
	}
}

func TestNames(t *testing.T) {
	want := []string{"counter", "bank", "philosophers", "reentrant", "readers-writers", "bounded-buffer", "lock-across-channel", "leaks", "waitgroup"}
	if got := catalog.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q; want %q", got, want)
	}
}

func TestAllReturnsAFreshSlice(t *testing.T) {
	a := catalog.All()
	a[0] = nil
	if catalog.All()[0] == nil {
		t.Errorf("All()[0] = nil after the caller overwrote its copy; want a fresh slice per call")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		want    string // the scenario found; "" for an error
		suggest string // the suggestion the error must carry
	}{
		{name: "counter", want: "counter"},
		{name: "bank", want: "bank"},
		{name: "philosophers", want: "philosophers"},
		{name: "philosophres", suggest: "philosophers"},
		{name: "philo", suggest: "philosophers"},
		{name: "bnak", suggest: "bank"},
		{name: "Bank", suggest: "bank"}, // names are case-sensitive
		{name: "readers-writers", want: "readers-writers"},
		{name: "readers", suggest: "readers-writers"},
		{name: ""},
		{name: "sleeping-barber"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := catalog.Lookup(tt.name)
			if tt.want != "" {
				if err != nil || s == nil || s.Name != tt.want {
					t.Fatalf("Lookup(%q) = %v, %v; want scenario %q", tt.name, s, err, tt.want)
				}
				return
			}
			if s != nil || err == nil {
				t.Fatalf("Lookup(%q) = %v, %v; want an error", tt.name, s, err)
			}
			var unknown *labs.UnknownError
			if !errors.As(err, &unknown) {
				t.Fatalf("Lookup(%q) error = %T; want *labs.UnknownError", tt.name, err)
			}
			if unknown.What != "scenario" || unknown.Name != tt.name || !slices.Equal(unknown.Valid, catalog.Names()) {
				t.Errorf("Lookup(%q) error = %+v; want What scenario, Name %q, Valid %q", tt.name, unknown, tt.name, catalog.Names())
			}
			if got := labs.Closest(tt.name, unknown.Valid); got != tt.suggest {
				t.Errorf("Closest(%q) = %q; want %q", tt.name, got, tt.suggest)
			}
			msg := err.Error()
			if tt.suggest != "" && !strings.Contains(msg, `did you mean "`+tt.suggest+`"`) {
				t.Errorf("Lookup(%q) error = %q; want it to suggest %q", tt.name, msg, tt.suggest)
			}
			if tt.suggest == "" && strings.Contains(msg, "did you mean") {
				t.Errorf("Lookup(%q) error = %q; want no suggestion", tt.name, msg)
			}
		})
	}
}

func ExampleLookup() {
	_, err := catalog.Lookup("philosophres")
	fmt.Println(err)
	// Output:
	// unknown scenario "philosophres"; valid: counter, bank, philosophers, reentrant, readers-writers, bounded-buffer, lock-across-channel, leaks, waitgroup (did you mean "philosophers"?)
}
