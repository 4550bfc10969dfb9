package batch

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/internal/shard"
)

// Row is one submission of a gradebook. Its JSON form is one line of the
// JSON-lines gradebook.
type Row struct {
	Exercise   string `json:"exercise"`
	Submission string `json:"submission"`
	Dir        string `json:"dir"`
	Status     string `json:"status"` // StatusGraded, StatusError or StatusInterrupted
	Score      int    `json:"score"`
	MaxScore   int    `json:"max_score"`
	// Checks are the rubric's checks in order (none when the grading
	// could not run at all).
	Checks []Check `json:"checks"`
	// Results is the submission's results file; empty when none was
	// written.
	Results string `json:"results,omitempty"`
	// Message says why a row is not graded.
	Message string `json:"message,omitempty"`
	// Resumed reports that the row comes from an earlier batch's record.
	Resumed bool          `json:"resumed,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Run identifies the batch (RunID), Shard is "k/n" for a shard's row,
	// and Of is the number of submissions in the whole batch: what Merge
	// checks.
	Run   string `json:"run"`
	Shard string `json:"shard,omitempty"`
	Of    int    `json:"of"`
}

// Check is one check's outcome in a row.
type Check struct {
	Name     string `json:"name"`
	Status   string `json:"status"` // grade.StatusPassed or grade.StatusFailed
	Score    int    `json:"score"`
	MaxScore int    `json:"max_score"`
	Gate     bool   `json:"gate,omitempty"`
}

// fill copies a result's score and checks into r.
func (r *Row) fill(res *grade.Result) {
	r.Score, r.MaxScore, r.Elapsed = res.Score, res.MaxScore, res.Elapsed
	r.Checks = r.Checks[:0]
	for _, c := range res.Checks {
		r.Checks = append(r.Checks, Check{Name: c.Name, Status: c.Status, Score: c.Score, MaxScore: c.MaxScore, Gate: c.Gate})
	}
}

// Full reports a graded row with every point.
func (r *Row) Full() bool { return r.Status == StatusGraded && r.Score == r.MaxScore }

// Gradebook is a batch's outcome: one row per submission, in name order.
type Gradebook struct {
	Exercise string
	// Checks are the rubric's checks: the gradebook's columns.
	Checks []grade.Check
	Run    string
	Shard  shard.Spec
	// Total is the number of submissions of the whole batch (every
	// shard); Rows has this shard's.
	Total int
	Rows  []Row
	// Ignored and IgnoredCount are the batch directory's entries that
	// are not submissions.
	Ignored      []string
	IgnoredCount int
	// Interrupted reports rows not graded because the batch was stopped.
	Interrupted bool
	Elapsed     time.Duration
}

// Counts are a gradebook's rows by outcome.
type Counts struct {
	Full, Lost, Errors, Interrupted, Resumed int
}

// Counts counts the rows by outcome.
func (g *Gradebook) Counts() Counts {
	var c Counts
	for _, r := range g.Rows {
		switch {
		case r.Status == StatusInterrupted:
			c.Interrupted++
		case r.Status == StatusError:
			c.Errors++
		case r.Full():
			c.Full++
		default:
			c.Lost++
		}
		if r.Resumed {
			c.Resumed++
		}
	}
	return c
}

// WriteCSV writes the gradebook as CSV: a header, then one row per
// submission with its score, one column per check (the points, or pass
// and fail for a gate; empty when not graded), its status, its results
// file and why it is not graded. Cells a spreadsheet would read as a
// formula are quoted with a leading apostrophe.
func (g *Gradebook) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"submission", "score", "max_score"}
	for _, c := range g.Checks {
		head = append(head, c.Name)
	}
	head = append(head, "status", "results", "message")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range g.Rows {
		rec := []string{cell(r.Submission), strconv.Itoa(r.Score), strconv.Itoa(r.MaxScore)}
		for _, c := range g.Checks {
			rec = append(rec, checkCell(r, c.Name))
		}
		rec = append(rec, r.Status, cell(r.Results), cell(oneLine(r.Message)))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func checkCell(r Row, name string) string {
	i := slices.IndexFunc(r.Checks, func(c Check) bool { return c.Name == name })
	if i < 0 || r.Status == StatusInterrupted {
		return ""
	}
	c := r.Checks[i]
	if c.Gate {
		if c.Status == grade.StatusPassed {
			return "pass"
		}
		return "fail"
	}
	return strconv.Itoa(c.Score)
}

// cell defuses a value a spreadsheet would evaluate (=, +, -, @, tab,
// carriage return first): names and messages can come from students.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteJSONL writes the gradebook as JSON lines: one Row per line.
func (g *Gradebook) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for i := range g.Rows {
		if err := enc.Encode(&g.Rows[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteText writes the gradebook for a person: a table, one line per
// submission, then a summary.
func (g *Gradebook) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"SUBMISSION", "SCORE"}
	for _, c := range g.Checks {
		head = append(head, strings.ToUpper(c.Name))
	}
	head = append(head, "STATUS")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range g.Rows {
		line := []string{r.Submission, fmt.Sprintf("%d/%d", r.Score, r.MaxScore)}
		for _, c := range g.Checks {
			v := checkCell(r, c.Name)
			if v == "" {
				v = "-"
			}
			line = append(line, v)
		}
		status := r.Status
		if r.Message != "" {
			status += ": " + clip(oneLine(r.Message), 80)
		}
		line = append(line, status)
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", g.Summary())
	return err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Summary says in a few lines what the gradebook holds.
func (g *Gradebook) Summary() string {
	c := g.Counts()
	var b strings.Builder
	what := fmt.Sprintf("%s submissions", Thousands(len(g.Rows)))
	if g.Shard.Sharded() {
		what += fmt.Sprintf(" (shard %s of a batch of %s)", g.Shard, Thousands(g.Total))
	}
	parts := []string{fmt.Sprintf("%d full marks", c.Full), fmt.Sprintf("%d lost points", c.Lost)}
	if c.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d not graded (the grading failed)", c.Errors))
	}
	if c.Interrupted > 0 {
		parts = append(parts, fmt.Sprintf("%d not graded (interrupted)", c.Interrupted))
	}
	fmt.Fprintf(&b, "%s %s: %s", g.Exercise, what, strings.Join(parts, ", "))
	if graded := c.Full + c.Lost; graded > 0 {
		sum, max := 0, 0
		for _, r := range g.Rows {
			if r.Status == StatusGraded {
				sum += r.Score
				max = r.MaxScore
			}
		}
		fmt.Fprintf(&b, "; mean %.1f/%d", float64(sum)/float64(graded), max)
	}
	if c.Resumed > 0 {
		fmt.Fprintf(&b, "\n%d already graded by an earlier batch (--force grades them again)", c.Resumed)
	}
	if g.Elapsed > 0 {
		fresh := len(g.Rows) - c.Resumed - c.Interrupted
		fmt.Fprintf(&b, "\ntook %v", g.Elapsed.Round(100*time.Millisecond))
		if fresh > 0 && g.Elapsed >= time.Second {
			fmt.Fprintf(&b, " (%.1f submissions per minute)", float64(fresh)/g.Elapsed.Minutes())
		}
	}
	if g.IgnoredCount > 0 {
		fmt.Fprintf(&b, "\nnot submissions (only subdirectories are): %s", Summarize(g.Ignored, g.IgnoredCount))
	}
	return b.String()
}

// Summarize lists the first names and counts the rest: "a, b and 9,990
// more".
func Summarize(first []string, total int) string {
	list := strings.Join(first, ", ")
	if more := total - len(first); more > 0 {
		list += " and " + Thousands(more) + " more"
	}
	return list
}

// Thousands writes n with commas between groups of three digits.
func Thousands(n int) string { return grade.Thousands(n) }

// ReadJSONL reads a JSON-lines gradebook; name names it in errors.
func ReadJSONL(r io.Reader, name string) ([]Row, error) {
	var rows []Row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var row Row
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row); err != nil || row.Submission == "" || row.Run == "" {
			return nil, fmt.Errorf("%s:%d: not a row of a locklab gradebook (write them with locklab grade --batch --json)", name, line)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return rows, nil
}

// ErrMerge is wrapped by Merge's errors.
var ErrMerge = errors.New("cannot merge")

// Merge puts the rows of a batch's shards back together into the
// gradebook of the whole batch, as one unsharded batch would have
// written it. It refuses rows of different batches (another exercise,
// rubric, grader, time limit or set of submissions), of different shard
// counts, a submission given twice, and an incomplete set, naming the
// shards that are missing.
func Merge(parts [][]Row) (*Gradebook, error) {
	var all []Row
	for _, p := range parts {
		all = append(all, p...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%w: the gradebooks have no rows", ErrMerge)
	}
	first := all[0]
	count := 0
	if first.Shard != "" {
		s, err := shard.Parse(first.Shard)
		if err != nil {
			return nil, fmt.Errorf("%w: row %q: %v", ErrMerge, first.Submission, err)
		}
		count = s.Count
	}
	seen := map[string]bool{}
	shards := map[int]bool{}
	var elapsed time.Duration
	for _, r := range all {
		if r.Run != first.Run || r.Of != first.Of || r.Exercise != first.Exercise {
			return nil, fmt.Errorf("%w: %q and %q are rows of different batches (run %s and %s): another exercise, rubric, grader, time limit or set of submissions", ErrMerge, first.Submission, r.Submission, first.Run, r.Run)
		}
		n := 0
		if r.Shard != "" {
			s, err := shard.Parse(r.Shard)
			if err != nil {
				return nil, fmt.Errorf("%w: row %q: %v", ErrMerge, r.Submission, err)
			}
			n = s.Count
			shards[s.Index] = true
		}
		if n != count {
			return nil, fmt.Errorf("%w: %q is of shard %q and %q of shard %q: they split the batch differently", ErrMerge, first.Submission, first.Shard, r.Submission, r.Shard)
		}
		if seen[r.Submission] {
			return nil, fmt.Errorf("%w: submission %q is in the gradebooks twice (a shard given twice?)", ErrMerge, r.Submission)
		}
		seen[r.Submission] = true
		elapsed = max(elapsed, r.Elapsed)
	}
	if len(all) != first.Of {
		msg := fmt.Sprintf("%s of the batch's %s submissions are missing", Thousands(first.Of-len(all)), Thousands(first.Of))
		var missing []string
		for k := 1; k <= count; k++ {
			if !shards[k] {
				missing = append(missing, fmt.Sprintf("%d/%d", k, count))
			}
		}
		if len(missing) > 0 {
			msg += " (no rows of shard " + strings.Join(missing, ", ") + ")"
		}
		return nil, fmt.Errorf("%w: %s", ErrMerge, msg)
	}
	slices.SortFunc(all, func(a, b Row) int { return strings.Compare(a.Submission, b.Submission) })
	ex, err := grade.Lookup(first.Exercise)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMerge, err)
	}
	gb := &Gradebook{Exercise: ex.Name, Checks: ex.Rubric, Run: first.Run, Total: first.Of, Rows: all, Elapsed: elapsed}
	for i := range gb.Rows {
		gb.Rows[i].Shard = ""
		if gb.Rows[i].Status == StatusInterrupted {
			gb.Interrupted = true
		}
	}
	return gb, nil
}
