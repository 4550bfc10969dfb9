package grade

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// want is a submission's want.json: its exact score, and each check's.
type want struct {
	Score  int            `json:"score"`
	Checks map[string]int `json:"checks"`
}

// TestSubmissions grades every submission under testdata/submissions
// that has a want.json (EXERCISE/NAME/, and hostile/NAME/ for the counter
// exercise) with the embedded checks, and compares the scores exactly.
func TestSubmissions(t *testing.T) {
	needToolchain(t)
	wants, err := filepath.Glob("testdata/submissions/*/*/want.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(wants) == 0 {
		t.Skip("no testdata/submissions/*/*/want.json yet")
	}
	for _, wf := range wants {
		dir := filepath.Dir(wf)
		exName := filepath.Base(filepath.Dir(dir))
		if exName == "hostile" {
			exName = "counter"
		}
		t.Run(strings.TrimPrefix(dir, "testdata/submissions/"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(wf)
			if err != nil {
				t.Fatal(err)
			}
			var w want
			if err := json.Unmarshal(data, &w); err != nil {
				t.Fatalf("%s: %v", wf, err)
			}
			ex, err := Lookup(exName)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Grade(context.Background(), ex, dir, Options{})
			if err != nil {
				t.Fatalf("Grade(%s) error %v", dir, err)
			}
			if res.Score != w.Score {
				t.Errorf("Grade(%s) score = %d; want %d", dir, res.Score, w.Score)
			}
			for name, pts := range w.Checks {
				c := res.Check(name)
				if c == nil {
					t.Errorf("Grade(%s) has no check %q", dir, name)
					continue
				}
				if c.Score != pts {
					t.Errorf("Grade(%s) check %s = %d (%s); want %d", dir, name, c.Score, c.Message, pts)
				}
			}
			if len(res.Checks) != len(ex.Rubric) {
				t.Errorf("Grade(%s) has %d checks; want %d", dir, len(res.Checks), len(ex.Rubric))
			}
			t.Logf("%s: %d/%d in %v (build %v, run %v)", dir, res.Score, res.MaxScore, res.Elapsed.Round(1e6), res.BuildTime.Round(1e6), res.RunTime.Round(1e6))
		})
	}
}
