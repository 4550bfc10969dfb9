package grade

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRubricPublished checks that the rubric the students and
// instructors read is the one the grader applies: every check, with its
// points, in exercises/README.md and grade/README.md, and every check
// with its points in each exercise's own README.
func TestRubricPublished(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, doc := range []string{"../exercises/README.md", "README.md"} {
		text := read(doc)
		for _, c := range Catalog()[0].Rubric {
			row := fmt.Sprintf("| %s | %d |", c.Name, c.Points)
			if c.Gate {
				row = fmt.Sprintf("| %s | gate |", c.Name)
			}
			if !strings.Contains(text, row) {
				t.Errorf("%s has no rubric row %q", doc, row)
			}
		}
	}
	for _, ex := range Catalog() {
		text := read("../exercises/" + ex.Name + "/README.md")
		for _, c := range ex.Rubric {
			want := fmt.Sprintf("%s %d", c.Name, c.Points)
			if c.Gate {
				want = c.Name
			}
			if !strings.Contains(text, want) {
				t.Errorf("exercises/%s/README.md does not give %q", ex.Name, want)
			}
		}
	}
}
