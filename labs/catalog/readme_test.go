package catalog_test

import (
	"os"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs/catalog"
)

// TestReadmeTable checks the README's catalog table against the catalog,
// both ways: one row per variant, in curriculum order, under its
// scenario; the kind; and for a buggy variant the detectors of its
// Caught list, for the others none.
func TestReadmeTable(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "## The catalog")
	if start < 0 {
		t.Fatal("README.md has no ## The catalog section")
	}
	type row struct{ scenario, variant, kind, caught string }
	var rows []row
	scenario := ""
	for _, line := range strings.Split(text[start:], "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| scenario ") {
			if len(rows) > 0 && !strings.HasPrefix(line, "|") {
				break // the table's end
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 5 {
			t.Fatalf("README catalog row %q has %d cells; want 5", line, len(cells))
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] != "" {
			scenario = cells[0]
		}
		rows = append(rows, row{scenario, cells[1], cells[2], cells[4]})
	}
	i := 0
	for _, s := range catalog.All() {
		for _, v := range s.Variants {
			if i >= len(rows) {
				t.Fatalf("README catalog table ends before %s/%s", s.Name, v.Name)
			}
			r := rows[i]
			i++
			if r.scenario != s.Name || r.variant != v.Name {
				t.Errorf("README row %d is %s/%s; want %s/%s", i, r.scenario, r.variant, s.Name, v.Name)
				continue
			}
			if kind, _, _ := strings.Cut(r.kind, ":"); kind != string(v.Kind) {
				t.Errorf("README %s/%s: kind %q; want %s", s.Name, v.Name, r.kind, v.Kind)
			}
			var want []string
			for _, d := range v.Caught {
				want = append(want, string(d))
			}
			caught, _, _ := strings.Cut(r.caught, " (")
			if got := strings.Join(want, ", "); caught != got {
				t.Errorf("README %s/%s: caught by %q; want %q", s.Name, v.Name, r.caught, got)
			}
			if (len(v.Warned) > 0) != strings.Contains(r.caught, "warns") {
				t.Errorf("README %s/%s: caught by %q; want a warning noted exactly when Warned (%v)", s.Name, v.Name, r.caught, v.Warned)
			}
		}
	}
	if i != len(rows) {
		t.Errorf("README catalog table has %d rows; the catalog has %d variants", len(rows), i)
	}
	if n := len(catalog.All()); n < 9 || i < 35 {
		t.Errorf("%d scenarios, %d variants; want at least 9 and 35", n, i)
	}
}
