package instrument

import (
	"strings"
	"testing"
)

func TestCheckViolations(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // a substring of the violations, "" for none
		errs string // a substring of the type errors
	}{
		{name: "ok", src: "package sub\n\nimport \"sync\"\n\nvar mu sync.Mutex\n"},
		{name: "sentinel", src: "package sub\n\nimport \"errors\"\n\nvar errSelf = errors.New(\"self\")\n"},
		{name: "fmt sentinel", src: "package sub\n\nimport \"fmt\"\n\nvar errX = fmt.Errorf(\"x %d\", 1)\n"},
		{name: "make", src: "package sub\n\nvar m = make(map[int]int, 4)\nvar ch = make(chan int)\n"},
		{name: "oncevalue", src: "package sub\n\nimport \"sync\"\n\nvar get = sync.OnceValue(func() int { return 1 })\n"},
		{name: "os", src: "package sub\n\nimport \"os\"\n\nvar _ = os.Args\n", want: `sub.go:3: import "os" is not allowed`},
		{name: "unsafe", src: "package sub\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n", want: `import "unsafe" is not allowed`},
		{name: "cgo", src: "package sub\n\n// int x;\nimport \"C\"\n", want: `sub.go:4: import "C" (cgo) is not allowed`},
		{name: "reflect", src: "package sub\n\nimport \"reflect\"\n\nvar _ = reflect.TypeOf\n", want: `import "reflect"`},
		{name: "grader", src: "package sub\n\nimport \"github.com/locklab/locklab/grade/shim\"\n\nvar _ = shim.Begin\n", want: `import "github.com/locklab/locklab/grade/shim" is not allowed`},
		{name: "linkname", src: "package sub\n\n//go:linkname x runtime.x\nvar x int\n", want: "sub.go:3: the directive //go:linkname is not allowed"},
		{name: "embed", src: "package sub\n\n//go:embed secret\nvar s string\n", want: "//go:embed is not allowed"},
		{name: "build", src: "//go:build ignore\n\npackage sub\n", want: "sub.go:1: the directive //go:build"},
		{name: "line", src: "package sub\n\n//line other.go:1\nvar x int\n", want: "//line directives"},
		{name: "init", src: "package sub\n\nfunc init() {}\n", want: "sub.go:3: func init is not allowed"},
		{name: "reserved", src: "package sub\n\nvar _llshim int\n", want: "the identifier _llshim uses the prefix _ll"},
		{name: "package", src: "package main\n", want: "package main: the file must be in package sub"},
		{name: "dot", src: "package sub\n\nimport . \"fmt\"\n\nvar _ = Sprint\n", want: "dot imports are not allowed"},
		{name: "runtime", src: "package sub\n\nimport \"runtime\"\n\nfunc f() { runtime.GC() }\n", want: "sub.go:5: runtime.GC is not allowed"},
		{name: "gosched", src: "package sub\n\nimport \"runtime\"\n\nfunc f() { runtime.Gosched() }\n"},
		{name: "own call", src: "package sub\n\nfunc f() int { return 1 }\n\nvar x = f()\n", want: "sub.go:5: a call of f in the initializer of package-level x"},
		{name: "literal call", src: "package sub\n\nvar x = func() int { return 1 }()\n", want: "a call of a function literal"},
		{name: "func arg", src: "package sub\n\nimport \"slices\"\n\nvar x = slices.IndexFunc([]int{1}, func(int) bool { return true })\n", want: "a function passed to a call"},
		{name: "stringer", src: "package sub\n\nimport \"fmt\"\n\ntype T int\n\nfunc (T) String() string { return \"\" }\n\nvar s = fmt.Sprint(T(1))\n", want: "a value of type T"},
		{name: "stringer in slice", src: "package sub\n\nimport \"fmt\"\n\ntype T int\n\nfunc (T) String() string { return \"\" }\n\nvar s = fmt.Sprint([]T{1})\n", want: "a value of type T"},
		{name: "func value", src: "package sub\n\nvar f = func() int { return 1 }\nvar x = f()\n", want: "a call of a function value"},
		{name: "type error", src: "package sub\n\nvar x int = \"s\"\n", errs: "sub.go:3:"},
		{name: "syntax error", src: "package sub\n\nfunc {\n", errs: "sub.go:3:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, vs, errs, err := Check(map[string][]byte{"sub.go": []byte(tt.src)}, config(t))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.String())
			}
			all := strings.Join(got, "\n")
			switch {
			case tt.want == "" && len(vs) > 0:
				t.Errorf("violations %q; want none", all)
			case tt.want != "" && !strings.Contains(all, tt.want):
				t.Errorf("violations %q; want one containing %q", all, tt.want)
			}
			e := strings.Join(errs, "\n")
			switch {
			case tt.errs == "" && len(errs) > 0 && tt.want == "":
				t.Errorf("type errors %q; want none", e)
			case tt.errs != "" && !strings.Contains(e, tt.errs):
				t.Errorf("type errors %q; want one containing %q", e, tt.errs)
			}
			if (p != nil) != (tt.want == "" && tt.errs == "") {
				t.Errorf("package returned = %v; want it only for an accepted submission", p != nil)
			}
		})
	}
}
