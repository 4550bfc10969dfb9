package labtest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklab/locklab/labs"
)

func TestHelperErrors(t *testing.T) {
	s := &labs.Scenario{Name: "toy", Variants: []labs.Variant{{Name: "clean"}}}
	tests := []struct {
		name, config string
		want         string // in the error
	}{
		{"toy", `{}`, "want scenario/variant"},
		{"nope/clean", `{}`, `unknown scenario "nope"`},
		{"toy/dirty", `{}`, `unknown variant "dirty"`},
		{"toy/clean", `{"Ops": "many"}`, envConfig},
	}
	for _, tt := range tests {
		t.Setenv(envConfig, tt.config)
		t.Setenv(envResult, filepath.Join(t.TempDir(), "result.json"))
		err := helper(tt.name, []*labs.Scenario{s})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("helper(%q, config %s) = %v; want an error mentioning %q", tt.name, tt.config, err, tt.want)
		}
	}
}
