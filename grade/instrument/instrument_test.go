package instrument

import (
	"context"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite testdata/rewrite/*.golden")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const exercises = "github.com/locklab/locklab/exercises"

var (
	impOnce sync.Once
	imp     types.Importer
	impErr  error
	impFset = token.NewFileSet()
)

// importer imports the allowed packages, the exercise types and the
// shim's packages from the locklab module's own export data.
func testImporter(t *testing.T) types.Importer {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	impOnce.Do(func() {
		pkgs := append(DefaultImports(), exercises, ShimPath, Mirrors["sync"], Mirrors["sync/atomic"])
		imp, impErr = ExportImporter(context.Background(), "go", "../..", os.Environ(), impFset, pkgs...)
	})
	if impErr != nil {
		t.Fatal(impErr)
	}
	return imp
}

func config(t *testing.T) Config {
	return Config{Package: "sub", Imports: append(DefaultImports(), exercises), Importer: testImporter(t)}
}

// typecheck type-checks rewritten files as the instrumented build
// compiles them.
func typecheck(t *testing.T, files map[string][]byte) {
	t.Helper()
	fset := token.NewFileSet()
	var list []*ast.File
	for name, src := range files {
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatalf("rewritten %s does not parse: %v\n%s", name, err, src)
		}
		list = append(list, f)
	}
	conf := &types.Config{Importer: testImporter(t)}
	if _, err := conf.Check("sub", fset, list, nil); err != nil {
		var all strings.Builder
		for name, src := range files {
			all.WriteString("== " + name + "\n" + string(src) + "\n")
		}
		t.Fatalf("rewritten files do not type-check: %v\n%s", err, all.String())
	}
}

// TestRewrite rewrites every testdata/rewrite/NAME.go, type-checks the
// result, checks that every line kept its number, and compares it with
// NAME.golden (go test -update rewrites the goldens).
func TestRewrite(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/rewrite/*.go")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".go")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			p, vs, errs, err := Check(map[string][]byte{"sub.go": src}, config(t))
			if err != nil || len(vs) > 0 || len(errs) > 0 {
				t.Fatalf("Check = %v, %v, %v", vs, errs, err)
			}
			out, err := Rewrite(p)
			if err != nil {
				t.Fatal(err)
			}
			typecheck(t, out)
			got := out["sub.go"]
			if a, b := strings.Count(string(src), "\n"), strings.Count(string(got), "\n"); b < a {
				t.Errorf("rewritten file has %d lines; want at least the %d of the original", b, a)
			}
			checkLines(t, string(got))
			golden := strings.TrimSuffix(in, ".go") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(want) != string(got) {
				t.Errorf("rewritten %s differs from %s:\n%s", in, golden, got)
			}
		})
	}
}

// checkLines checks that every line of the original that holds a
// statement keeper comment ("// line N") is still line N.
func checkLines(t *testing.T, got string) {
	t.Helper()
	for i, l := range strings.Split(got, "\n") {
		if j := strings.Index(l, "// L"); j >= 0 {
			want := strings.TrimSpace(l[j+4:])
			if want != strconv.Itoa(i+1) {
				t.Errorf("line %d holds the marker of line %s: %s", i+1, want, l)
			}
		}
	}
}
