package grade

import (
	"strings"
	"testing"

	"github.com/locklab/locklab"
)

func TestRequires(t *testing.T) {
	mod := `module github.com/locklab/locklab

go 1.26

require github.com/a/b v1.2.3

require (
	github.com/c/d v0.1.0 // indirect
	// a comment
	github.com/e/f v2.0.0+incompatible
)
`
	got := strings.Join(requires([]byte(mod)), ";")
	if want := "github.com/a/b v1.2.3;github.com/c/d v0.1.0;github.com/e/f v2.0.0+incompatible"; got != want {
		t.Errorf("requires = %q; want %q", got, want)
	}
}

func TestStripIgnore(t *testing.T) {
	tests := []struct{ in, want string }{
		{"//go:build ignore\n\n// Doc.\npackage main\n", "\n// Doc.\npackage main\n"},
		{"// Copyright.\n\n//go:build ignore\n\npackage main\n", "// Copyright.\n\n\npackage main\n"},
		{"package main\n\n//go:build ignore\n", "package main\n\n//go:build ignore\n"},
		{"//go:build linux\npackage main\n", "//go:build linux\npackage main\n"},
	}
	for _, tt := range tests {
		if got := string(stripIgnore([]byte(tt.in))); got != tt.want {
			t.Errorf("stripIgnore(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestBuildMessage(t *testing.T) {
	out := "# locklab.grade/submission\n/tmp/locklab-grade-1/submission/bank.go:5:9: cannot use \"x\" (untyped string constant) as int value in return statement\n"
	got := buildMessage(out, "/tmp/locklab-grade-1")
	if want := `submission/bank.go:5:9: cannot use "x" (untyped string constant) as int value in return statement`; got != want {
		t.Errorf("buildMessage = %q; want %q", got, want)
	}
	if got := buildMessage("", "/x"); got != "the build failed" {
		t.Errorf("buildMessage(empty) = %q; want %q", got, "the build failed")
	}
}

func TestCatalog(t *testing.T) {
	for _, ex := range Catalog() {
		if ex.MaxScore() != 100 {
			t.Errorf("%s: max score %d; want 100", ex.Name, ex.MaxScore())
		}
		if _, err := locklab.Source.Open("grade/checks/" + ex.Name + "/checks_main.go"); err != nil {
			t.Errorf("%s: no embedded checks program: %v", ex.Name, err)
		}
		if got, err := Lookup(ex.Name); err != nil || got.Name != ex.Name {
			t.Errorf("Lookup(%s) = %v, %v", ex.Name, got, err)
		}
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), `unknown exercise "nope"; valid: counter, bank, philosophers`) {
		t.Errorf("Lookup(nope) = %v; want an unknown exercise error", err)
	}
}

func TestWithDir(t *testing.T) {
	tests := []struct{ cmd, dir, want string }{
		{"locklab grade bank --replay ll1-x", "exercises/bank", "locklab grade bank --replay ll1-x"},
		{"locklab grade bank --replay ll1-x", "exercises/bank/", "locklab grade bank --replay ll1-x"},
		{"locklab grade bank --replay ll1-x", "sub/abba", "locklab grade bank --dir sub/abba --replay ll1-x"},
		{"locklab grade bank", "my dir", "locklab grade bank --dir 'my dir'"},
		{"locklab grade banker", "x", "locklab grade banker"},
		{"go test ./...", "x", "go test ./..."},
		{"locklab grade bank", "it's", `locklab grade bank --dir 'it'\''s'`},
	}
	for _, tt := range tests {
		if got := withDir(tt.cmd, "bank", tt.dir); got != tt.want {
			t.Errorf("withDir(%q, bank, %q) = %q; want %q", tt.cmd, tt.dir, got, tt.want)
		}
	}
}
