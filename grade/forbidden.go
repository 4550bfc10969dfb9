package grade

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
)

// Violation is one forbidden construct found in a submission.
type Violation struct {
	File string `json:"file"` // base name of the file
	Line int    `json:"line"`
	What string `json:"what"`
}

func (v Violation) String() string { return fmt.Sprintf("%s:%d: %s", v.File, v.Line, v.What) }

// forbiddenImports are packages a submission may not import: they would
// let it step around the checks (unsafe memory, raw system calls, other
// processes, loaded code).
var forbiddenImports = map[string]string{
	"unsafe":  "import of unsafe",
	"syscall": "import of syscall",
	"os/exec": "import of os/exec",
	"plugin":  "import of plugin",
}

// safeCalls are built-in functions a package-level initializer may call.
var safeCalls = map[string]bool{
	"make": true, "new": true, "len": true, "cap": true, "min": true, "max": true,
	"complex": true, "real": true, "imag": true,
}

// Forbidden parses a submission's file (name is its base name, src its
// contents) and returns the forbidden constructs it holds, or a parse
// error. Each construct would let submission code run before the checks
// program's main (init, package-level initializers calling functions),
// end the program before the checks report (os.Exit, syscall.Exit,
// TestMain), or reach outside the language's guarantees (unsafe,
// //go:linkname, syscall, os/exec, plugin).
func Forbidden(name string, src []byte) ([]Violation, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []Violation
	add := func(p token.Pos, what string) {
		out = append(out, Violation{File: name, Line: fset.Position(p).Line, What: what})
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:linkname") {
				add(c.Pos(), "//go:linkname directive")
			}
		}
	}
	// Local names of the imports that matter for selector calls.
	osNames := map[string]bool{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if what, bad := forbiddenImports[path]; bad {
			add(imp.Pos(), what)
		}
		local := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if path == "os" {
			osNames[local] = true
			if local == "." {
				add(imp.Pos(), `dot import of "os" (hides os.Exit)`)
			}
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "init" {
				add(d.Pos(), "func init")
			}
			if d.Recv == nil && d.Name.Name == "TestMain" {
				add(d.Pos(), "func TestMain")
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, spec := range d.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					if p, ok := callIn(v); ok {
						add(p, "package-level variable initialized by a function call")
					}
				}
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Exit" {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && osNames[id.Name] {
			add(sel.Pos(), "os.Exit")
		}
		return true
	})
	return out, nil
}

// callIn reports whether the initializer expression e calls a function
// when evaluated at package initialization, and where. Calls inside
// function literals do not count (they run later, if ever); conversions
// cannot be told from calls without type information, so only a call of a
// built-in that is always safe, or a conversion to a basic type name, is
// allowed.
func callIn(e ast.Expr) (token.Pos, bool) {
	var pos token.Pos
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && (safeCalls[id.Name] || basicTypes[id.Name]) {
				return true
			}
			pos, found = n.Pos(), true
			return false
		}
		return true
	})
	return pos, found
}

var basicTypes = map[string]bool{
	"bool": true, "string": true, "byte": true, "rune": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true,
}
