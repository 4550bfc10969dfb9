package grade

import (
	"strings"
	"testing"
)

func TestForbidden(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // Violation.String()s
	}{
		{"clean", `package p
import "sync"
var mu sync.Mutex
var n = int64(3)
var m = make(map[string]int)
var f = func() int { return g() }
func g() int { return 1 }
func F() { mu.Lock(); defer mu.Unlock() }`, nil},
		{"os.Exit", `package p
import "os"
func F() { os.Exit(1) }`, []string{"x.go:3: os.Exit"}},
		{"renamed os", `package p
import sys "os"
var exit = sys.Exit`, []string{"x.go:3: os.Exit"}},
		{"dot os", `package p
import . "os"
func F() { Exit(1) }`, []string{`x.go:2: dot import of "os" (hides os.Exit)`}},
		{"init", `package p
func init() {}`, []string{"x.go:2: func init"}},
		{"method init is fine", `package p
type T struct{}
func (T) init() {}`, nil},
		{"TestMain", `package p
import "testing"
func TestMain(m *testing.M) {}`, []string{"x.go:3: func TestMain"}},
		{"linkname", `package p
import _ "unsafe"
//go:linkname now runtime.nanotime
func now() int64`, []string{"x.go:3: //go:linkname directive", "x.go:2: import of unsafe"}},
		{"syscall and exec", `package p
import (
	"os/exec"
	"syscall"
)
func F() { syscall.Exit(1); exec.Command("sh") }`, []string{"x.go:3: import of os/exec", "x.go:4: import of syscall"}},
		{"var initializer", `package p
import "fmt"
var (
	a    = 1
	s, t = fmt.Sprint(1), "x"
	u    = []int{len("ab"), g()}
)
func g() int { return 1 }`, []string{"x.go:5: package-level variable initialized by a function call", "x.go:6: package-level variable initialized by a function call"}},
		{"local var initializer is fine", `package p
import "fmt"
func F() { s := fmt.Sprint(1); _ = s }`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := Forbidden("x.go", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Forbidden(%s) = %q; want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestForbiddenParseError(t *testing.T) {
	if _, err := Forbidden("x.go", []byte("package p\nfunc {")); err == nil {
		t.Error("Forbidden(bad syntax) = nil error; want a parse error")
	}
}

func FuzzForbidden(f *testing.F) {
	f.Add([]byte("package p\nimport \"os\"\nfunc init() { os.Exit(1) }"))
	f.Add([]byte("package p\nvar x = f()\n//go:linkname y z\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		Forbidden("x.go", src) //nolint:errcheck // must not panic
	})
}
