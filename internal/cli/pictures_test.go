package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's pictures: each is made by `make pictures` from the real
// binary with the command here (docs/pictures), and embedded in the
// README. The test runs the same commands on the same catalog, so a
// change to what locklab prints shows here until the pictures are made
// again (make pictures, or go test ./internal/cli -run TestREADMEPictures
// -update for the text and HTML ones).
var readmePictures = []struct {
	file  string
	width int // COLUMNS in the Makefile
	args  []string
}{
	{"lost-update.txt", 100, []string{"explore", "counter", "--variant", "cooperative-await"}},
	{"philosophers-ring.txt", 130, []string{"explore", "philosophers", "--buggy", "--workers", "5", "--ops", "1"}},
	{"philosophers.html", 0, []string{"explore", "philosophers", "--buggy", "--workers", "5", "--ops", "1", "--html", "-"}},
}

// elapsedRE is the line of a report that depends on the machine: the
// Makefile drops it too.
var elapsedRE = regexp.MustCompile(`(?m)^Elapsed .*\n`)

func TestREADMEPictures(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range readmePictures {
		t.Run(p.file, func(t *testing.T) {
			var out, errOut bytes.Buffer
			deps := &Deps{Out: &out, ErrOut: &errOut, Catalog: catalogAll, Width: p.width, Getenv: func(string) string { return "" }}
			if code := execute(context.Background(), deps, p.args); code != exitProblem {
				t.Fatalf("locklab %s: exit %d; want 1 (a buggy variant)\n%s", strings.Join(p.args, " "), code, errOut.String())
			}
			got := elapsedRE.ReplaceAllString(out.String(), "")
			path := filepath.Join("..", "..", "docs", "pictures", p.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("docs/pictures/%s is not what locklab %s prints now: run make pictures\n--- got\n%s", p.file, strings.Join(p.args, " "), got)
			}
			if strings.HasSuffix(p.file, ".txt") && !bytes.Contains(readme, indent(want)) {
				t.Errorf("README.md does not show docs/pictures/%s, indented four spaces, whole", p.file)
			}
		})
	}
}

// indent indents every non-empty line of text four spaces, as a Markdown
// code block.
func indent(text []byte) []byte {
	lines := strings.Split(strings.TrimRight(string(text), "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}
