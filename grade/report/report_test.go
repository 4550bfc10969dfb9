package report

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStart(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	t.Setenv(EnvNonce, "n0nce")
	given := dup(t, pw)
	t.Setenv(EnvFD, strconv.Itoa(given))
	r := Start()
	syscall.Close(given) // as code under test might: the reporter writes to its own duplicate
	if v, ok := os.LookupEnv(EnvNonce); ok {
		t.Errorf("after Start, %s = %q; want unset", EnvNonce, v)
	}
	if v, ok := os.LookupEnv(EnvFD); ok {
		t.Errorf("after Start, %s = %q; want unset", EnvFD, v)
	}
	r.Result("builds", true, "ok", "")
	r.Result("race-free", false, "race at x.go:3", "go run -race .")
	r.Done()
	r.f.Close()
	pw.Close()
	want := []Line{
		{Nonce: "n0nce", Kind: KindResult, Check: "builds", Pass: true, Message: "ok"},
		{Nonce: "n0nce", Kind: KindResult, Check: "race-free", Message: "race at x.go:3", Reproduce: "go run -race ."},
		{Nonce: "n0nce", Kind: KindDone},
	}
	sc := bufio.NewScanner(pr)
	var got []Line
	for sc.Scan() {
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, l)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %v; want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v; want %+v", i, got[i], want[i])
		}
	}
}

func TestStartNonceFD(t *testing.T) {
	nr, nw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if _, err := nw.WriteString("secret\n"); err != nil {
		t.Fatal(err)
	}
	nw.Close()
	t.Setenv(EnvNonceFD, strconv.Itoa(dup(t, nr)))
	nr.Close()
	given := dup(t, pw)
	t.Setenv(EnvFD, strconv.Itoa(given))
	r := Start()
	syscall.Close(given)
	if v, ok := os.LookupEnv(EnvNonceFD); ok {
		t.Errorf("after Start, %s = %q; want unset", EnvNonceFD, v)
	}
	r.Done()
	r.f.Close()
	pw.Close()
	var l Line
	if err := json.NewDecoder(pr).Decode(&l); err != nil {
		t.Fatal(err)
	}
	if want := (Line{Nonce: "secret", Kind: KindDone}); l != want {
		t.Errorf("line = %+v; want %+v", l, want)
	}
}

// dup returns a duplicate of f's descriptor, for Start to own.
func dup(t *testing.T, f *os.File) int {
	t.Helper()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return fd
}
