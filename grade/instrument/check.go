package instrument

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Violation is one construct of a submission outside the allow-list.
type Violation struct {
	File string `json:"file"` // base name of the file
	Line int    `json:"line"`
	What string `json:"what"`
}

func (v Violation) String() string { return fmt.Sprintf("%s:%d: %s", v.File, v.Line, v.What) }

// DefaultImports are the packages every exercise allows: the standard
// library parts a solution to a concurrency exercise needs. Of package
// runtime only runtime.Gosched may be used.
func DefaultImports() []string {
	return []string{
		"cmp", "container/heap", "container/list", "container/ring", "errors", "fmt", "iter",
		"maps", "math", "math/bits", "math/rand", "math/rand/v2", "runtime", "slices", "sort",
		"strconv", "strings", "sync", "sync/atomic", "time", "unicode", "unicode/utf8",
	}
}

// Reserved is the identifier prefix the rewriting uses; a submission may
// not use it.
const Reserved = "_ll"

// Limits on what Check reads.
const (
	MaxFileSize = 256 << 10 // per file
	MaxFiles    = 16
)

// Config says what a submission may contain.
type Config struct {
	// Package is the package name every file must declare.
	Package string
	// Imports are the allowed import paths.
	Imports []string
	// Importer imports them, for type checking (see ExportImporter).
	Importer types.Importer
}

// Package is a checked submission: parsed, within the allow-list, and
// well typed.
type Package struct {
	Fset  *token.FileSet
	Names []string // file base names, sorted
	Files map[string]*ast.File
	Src   map[string][]byte
	Info  *types.Info
	Types *types.Package
}

// Check parses the files (base name to contents), checks them against
// the allow-list and type-checks them. violations are the allow-list's
// gate, typeErrs the compiler-style messages ("counter.go:5:2: undefined:
// x") of a submission that does not build; pkg is set only when both are
// empty. err is for a failure of the checking itself.
func Check(files map[string][]byte, cfg Config) (pkg *Package, violations []Violation, typeErrs []string, err error) {
	if len(files) == 0 {
		return nil, nil, []string{"no Go files"}, nil
	}
	if len(files) > MaxFiles {
		return nil, nil, []string{fmt.Sprintf("%d files: at most %d are graded", len(files), MaxFiles)}, nil
	}
	p := &Package{Fset: token.NewFileSet(), Files: map[string]*ast.File{}, Src: map[string][]byte{}}
	for name := range files {
		p.Names = append(p.Names, name)
	}
	sort.Strings(p.Names)
	for _, name := range p.Names {
		src := files[name]
		if len(src) > MaxFileSize {
			typeErrs = append(typeErrs, fmt.Sprintf("%s: %d bytes: a graded file may have at most %d", name, len(src), MaxFileSize))
			continue
		}
		f, err := parser.ParseFile(p.Fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			var list scanner.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					typeErrs = append(typeErrs, e.Error())
				}
			} else {
				typeErrs = append(typeErrs, err.Error())
			}
			continue
		}
		p.Files[name], p.Src[name] = f, src
	}
	if len(typeErrs) > 0 {
		return nil, nil, typeErrs, nil
	}
	for _, name := range p.Names {
		violations = append(violations, syntactic(p.Fset, name, p.Files[name], cfg)...)
	}
	if len(violations) > 0 {
		return nil, sortViolations(violations), nil, nil
	}

	p.Info = &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Scopes:     map[ast.Node]*types.Scope{},
		Implicits:  map[ast.Node]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
	}
	tc := &types.Config{
		Importer:  cfg.Importer,
		GoVersion: "go1.26",
		Error: func(err error) {
			if len(typeErrs) < 20 {
				typeErrs = append(typeErrs, err.Error())
			}
		},
	}
	var list []*ast.File
	for _, name := range p.Names {
		list = append(list, p.Files[name])
	}
	p.Types, _ = tc.Check(cfg.Package, p.Fset, list, p.Info)
	if len(typeErrs) > 0 {
		return nil, nil, typeErrs, nil
	}
	for _, name := range p.Names {
		violations = append(violations, semantic(p, name, p.Files[name])...)
	}
	if len(violations) > 0 {
		return nil, sortViolations(violations), nil, nil
	}
	return p, nil, nil, nil
}

func sortViolations(vs []Violation) []Violation {
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].File != vs[j].File {
			return vs[i].File < vs[j].File
		}
		return vs[i].Line < vs[j].Line
	})
	return vs
}

// syntactic checks what needs no types: the package name, imports,
// directives, func init and the reserved prefix.
func syntactic(fset *token.FileSet, name string, f *ast.File, cfg Config) []Violation {
	var out []Violation
	add := func(pos token.Pos, format string, args ...any) {
		out = append(out, Violation{File: name, Line: fset.Position(pos).Line, What: fmt.Sprintf(format, args...)})
	}
	if cfg.Package != "" && f.Name.Name != cfg.Package {
		add(f.Name.Pos(), "package %s: the file must be in package %s", f.Name.Name, cfg.Package)
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			t := c.Text
			switch {
			case strings.HasPrefix(t, "//go:"):
				d, _, _ := strings.Cut(t, " ")
				add(c.Pos(), "the directive %s is not allowed (no //go: directives, build constraints or embedding)", d)
			case strings.HasPrefix(t, "//line ") || strings.HasPrefix(t, "/*line "):
				add(c.Pos(), "//line directives are not allowed")
			case strings.HasPrefix(t, "// +build"):
				add(c.Pos(), "build constraints are not allowed")
			case strings.HasPrefix(t, "//export "):
				add(c.Pos(), "//export is not allowed")
			}
		}
	}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		switch {
		case path == "C":
			add(imp.Pos(), `import "C" (cgo) is not allowed`)
		case !slices.Contains(cfg.Imports, path):
			add(imp.Pos(), "import %q is not allowed", path)
		}
		if imp.Name != nil && (imp.Name.Name == "." || imp.Name.Name == "_") {
			add(imp.Pos(), "%s imports are not allowed", map[string]string{".": "dot", "_": "blank"}[imp.Name.Name])
		}
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
			add(fd.Pos(), "func init is not allowed: it would run before the checks start")
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && strings.HasPrefix(id.Name, Reserved) {
			add(id.Pos(), "the identifier %s uses the prefix %s, which the grader reserves", id.Name, Reserved)
		}
		return true
	})
	return out
}

// semantic checks what needs types: the use of package runtime, and what
// package-level initializers call.
func semantic(p *Package, name string, f *ast.File) []Violation {
	var out []Violation
	add := func(pos token.Pos, format string, args ...any) {
		out = append(out, Violation{File: name, Line: p.Fset.Position(pos).Line, What: fmt.Sprintf(format, args...)})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if obj := p.Info.Uses[sel.Sel]; obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "runtime" && obj.Name() != "Gosched" {
			add(sel.Pos(), "runtime.%s is not allowed: of package runtime only runtime.Gosched is", obj.Name())
		}
		return true
	})
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for _, v := range vs.Values {
				for _, bad := range initializerCalls(p, v) {
					add(bad.pos, "%s in the initializer of package-level %s: initializers may only call functions of allowed packages (a function of your own would run before the checks start)", bad.what, names(vs.Names))
				}
			}
		}
	}
	return out
}

func names(ids []*ast.Ident) string {
	var s []string
	for _, id := range ids {
		s = append(s, id.Name)
	}
	return strings.Join(s, ", ")
}

// lazyCallers are allowed functions that take a function and never call
// it before they return.
var lazyCallers = map[string]bool{"sync.OnceFunc": true, "sync.OnceValue": true, "sync.OnceValues": true}

type badCall struct {
	pos  token.Pos
	what string
}

// initializerCalls returns the calls in a package-level initializer that
// could run submission code: calls of the package's own functions and
// methods, of function values, of function literals, and calls passed a
// function.
func initializerCalls(p *Package, e ast.Expr) []badCall {
	var out []badCall
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // runs later, if ever
		case *ast.CallExpr:
			if tv, ok := p.Info.Types[n.Fun]; ok && tv.IsType() {
				return true // a conversion
			}
			fun := ast.Unparen(n.Fun)
			if ix, ok := fun.(*ast.IndexExpr); ok {
				fun = ix.X // an instantiation
			} else if ix, ok := fun.(*ast.IndexListExpr); ok {
				fun = ix.X
			}
			var obj types.Object
			switch f := fun.(type) {
			case *ast.Ident:
				obj = p.Info.Uses[f]
			case *ast.SelectorExpr:
				obj = p.Info.Uses[f.Sel]
			case *ast.FuncLit:
				out = append(out, badCall{n.Pos(), "a call of a function literal"})
				return true
			}
			switch obj := obj.(type) {
			case *types.Builtin:
			case *types.Func:
				if obj.Pkg() == p.Types {
					out = append(out, badCall{n.Pos(), "a call of " + obj.Name()})
				} else if sel, ok := fun.(*ast.SelectorExpr); ok {
					if s := p.Info.Selections[sel]; s != nil && types.IsInterface(s.Recv()) {
						out = append(out, badCall{n.Pos(), "a call of an interface method"})
					}
				}
			default:
				out = append(out, badCall{n.Pos(), "a call of a function value"})
			}
			lazy := false
			if f, ok := obj.(*types.Func); ok && f.Pkg() != nil {
				lazy = lazyCallers[f.Pkg().Path()+"."+f.Name()]
			}
			for _, a := range n.Args {
				tv, ok := p.Info.Types[a]
				if !ok || tv.IsType() {
					continue
				}
				if _, isFunc := tv.Type.Underlying().(*types.Signature); isFunc && !lazy {
					out = append(out, badCall{a.Pos(), "a function passed to a call"})
				} else if t := ownMethods(p, tv.Type); t != "" {
					out = append(out, badCall{a.Pos(), "a value of type " + t + " (the call may call its methods)"})
				}
			}
		}
		return true
	})
	return out
}

// ownMethods returns the name of a type of the submission's with
// methods that t is or holds (through pointers, slices, arrays, maps,
// channels and struct fields), whose methods a library function such as
// fmt.Sprint could call; "" when there is none.
func ownMethods(p *Package, t types.Type) string {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) string
	walk = func(t types.Type) string {
		t = types.Unalias(t)
		if seen[t] {
			return ""
		}
		seen[t] = true
		if named, ok := t.(*types.Named); ok && named.Obj().Pkg() == p.Types {
			if named.NumMethods() > 0 || types.NewMethodSet(types.NewPointer(named)).Len() > 0 {
				return named.Obj().Name()
			}
		}
		switch u := t.Underlying().(type) {
		case *types.Pointer:
			return walk(u.Elem())
		case *types.Slice:
			return walk(u.Elem())
		case *types.Array:
			return walk(u.Elem())
		case *types.Chan:
			return walk(u.Elem())
		case *types.Map:
			if k := walk(u.Key()); k != "" {
				return k
			}
			return walk(u.Elem())
		case *types.Struct:
			for i := range u.NumFields() {
				if n := walk(u.Field(i).Type()); n != "" {
					return n
				}
			}
		}
		return ""
	}
	return walk(t)
}
