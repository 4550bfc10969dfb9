package graph_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/internal/graph"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func report(t *testing.T, scenario, variant string) *view.Report {
	t.Helper()
	s, v, err := catalog.LookupVariant(scenario, variant)
	if err != nil {
		t.Fatal(err)
	}
	res, err := explore.Explore(context.Background(), s, v, explore.Options{})
	if err != nil || res.First == nil {
		t.Fatalf("explore = %v, %v", res, err)
	}
	return view.FromFailure(s, v, res.First)
}

func TestGolden(t *testing.T) {
	r := report(t, "philosophers", "left-then-right")
	for _, format := range graph.Formats() {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := graph.Write(&b, r, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "philosophers."+format+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update)", err)
			}
			if !bytes.Equal(want, b.Bytes()) {
				t.Errorf("%s graph differs from %s:\n%s", format, golden, b.String())
			}
		})
	}
	if err := graph.Write(&bytes.Buffer{}, r, "svg"); err == nil {
		t.Error("Write(svg) = nil; want an unknown format error")
	}
}
