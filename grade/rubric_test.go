package grade

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRubric(t *testing.T) {
	tests := []struct {
		name, json, err string
	}{
		{name: "weights", json: `{"weights": {"schedules": 40, "no-leaks": 5}, "native_runs": 3, "exercises": {"bank": {"schedules": 4000}}}`},
		{name: "unknown check", json: `{"weights": {"schedule": 40}}`, err: `unknown check "schedule"; valid: works, race-free, schedules, progress, no-leaks (did you mean "schedules"?)`},
		{name: "gate", json: `{"weights": {"builds": 10}}`, err: "builds is a gate and has no weight"},
		{name: "negative", json: `{"weights": {"works": -1}}`, err: "weight of works must be between 0 and 1000"},
		{name: "runs", json: `{"native_runs": 500}`, err: "native_runs must be between 1 and 50"},
		{name: "field", json: `{"weight": {}}`, err: `unknown field "weight"`},
		{name: "exercise", json: `{"exercises": {"bnak": {}}}`, err: `unknown exercise "bnak"`},
		{name: "nested", json: `{"exercises": {"bank": {"exercises": {"bank": {}}}}}`, err: `"exercises" cannot nest`},
		{name: "syntax", json: `{`, err: "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "rubric.json")
			if err := os.WriteFile(p, []byte(tt.json), 0o644); err != nil {
				t.Fatal(err)
			}
			rf, err := LoadRubric(p)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("LoadRubric = %v; want nil", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("LoadRubric = %v; want an error containing %q", err, tt.err)
			case tt.err != "":
				return
			}
			bank, _ := Lookup("bank")
			got := rf.Apply(bank)
			if c, _ := got.Check(CheckSchedules); c.Points != 40 || got.Effort.Schedules != 4000 || got.Effort.NativeRuns != 3 || got.MaxScore() != 100 {
				t.Errorf("Apply(bank) = schedules %d points, %+v, max %d; want 40, 4000 schedules, 3 runs, 100", c.Points, got.Effort, got.MaxScore())
			}
			counter, _ := Lookup("counter")
			if got := rf.Apply(counter); got.Effort.Schedules != DefaultSchedules() {
				t.Errorf("Apply(counter) schedules = %d; want the default", got.Effort.Schedules)
			}
			if c, _ := bank.Check(CheckSchedules); c.Points != 30 {
				t.Errorf("Apply changed the catalog's exercise")
			}
		})
	}
}
