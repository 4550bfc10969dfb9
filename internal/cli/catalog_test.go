package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs/run"
)

// TestRealCatalog runs the commands over the catalog the binary serves.
func TestRealCatalog(t *testing.T) {
	all := catalogAll()
	if len(all) == 0 {
		t.Fatal("catalogAll() is empty; want the lab's scenarios")
	}
	exec := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		deps := &Deps{Out: &out, ErrOut: &errOut, Catalog: catalogAll, Run: run.Run}
		return execute(context.Background(), deps, args), out.String(), errOut.String()
	}

	code, out, errOut := exec("list")
	if code != exitOK || errOut != "" {
		t.Fatalf("locklab list: exit %d, stderr %q; want 0 and nothing", code, errOut)
	}
	for _, s := range all {
		for _, v := range s.Variants {
			if !strings.Contains(out, v.Name) {
				t.Errorf("locklab list does not show %s/%s", s.Name, v.Name)
			}
		}
		code, out, errOut := exec("explain", s.Name)
		if code != exitOK || errOut != "" || !strings.Contains(out, s.Title) || strings.Contains(out, "\n// ") {
			t.Errorf("locklab explain %s: exit %d, stderr %q; want 0, the title and no comment markers", s.Name, code, errOut)
		}
		code, out, _ = exec("__complete", "run", s.Name, "--variant", "")
		if code != exitOK || !strings.Contains(out, s.Variants[0].Name+"\t") {
			t.Errorf("completion of %s variants = %q; want %s among them", s.Name, out, s.Variants[0].Name)
		}
	}

	// A fixed variant runs clean with the scenario's defaults.
	for _, s := range all {
		if s.Name != "philosophers" {
			continue
		}
		code, out, errOut := exec("run", "philosophers", "--variant", "hierarchy")
		if code != exitOK || !strings.Contains(out, "OK:") {
			t.Errorf("locklab run philosophers --variant hierarchy: exit %d, stderr %q; want 0\n%s", code, errOut, out)
		}
	}
}
