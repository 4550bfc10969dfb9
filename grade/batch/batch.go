package batch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/locklab/locklab"
	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/internal/shard"
)

// Row statuses.
const (
	StatusGraded      = "graded"      // a complete grading: every check scored
	StatusError       = "error"       // the grading could not be carried out; Message says why
	StatusInterrupted = "interrupted" // stopped (a signal) before it finished
)

// GradeFunc grades one submission; grade.Grade is the real one.
type GradeFunc func(ctx context.Context, ex *grade.Exercise, dir string, opts grade.Options) (*grade.Result, error)

// Options configure Run.
type Options struct {
	// Grade is every grading's options (its Sandbox is shared: it runs
	// each process in a sandbox of its own). Its Replay must be empty.
	Grade grade.Options
	// GradeFunc grades a submission; nil means grade.Grade.
	GradeFunc GradeFunc
	// Jobs is how many gradings run at a time; 0 means DefaultJobs().
	Jobs int
	// Shard, when set, grades only its part of the submissions.
	Shard shard.Spec
	// Results is the directory of the results files and the records;
	// it is created if needed.
	Results string
	// Format is the results files' format: "text" or one of
	// grade.Formats(); Text renders the text format.
	Format string
	Text   func(w io.Writer, res *grade.Result) error
	// Force grades every submission again, even those with a record.
	Force bool
	// Limit is each grading's watchdog, on top of grade's own limits; 0
	// means DefaultLimit(Grade).
	Limit time.Duration
	// Logger logs each submission graded (info) or failed (warn).
	Logger *zap.Logger
	// Progress, when set, is called as each submission starts and ends,
	// from one goroutine at a time.
	Progress func(Progress)
}

// Progress is how far a batch has got.
type Progress struct {
	Done, Total int    // submissions done (graded, failed or resumed) of this shard's
	Running     int    // gradings under way
	Full, Lost  int    // graded with full marks, and with points lost
	Errors      int    // gradings that failed
	Resumed     int    // reused from a record
	Last        string // the submission that just ended
	Elapsed     time.Duration
}

// DefaultJobs is the number of gradings a batch runs at a time by
// default: one and a half per core. A grading runs its native and its
// explored checks side by side, but only for part of its time (the rest
// is copying the build cache, building, setting up sandboxes), and uses
// about 0.6 of a core on average; measured on 2 cores (BenchmarkClass,
// 36 submissions), 1 job graded 37 submissions a minute, 2 jobs 47, 3
// jobs 55 and 4 jobs 54, every grade as expected. Past that the explored
// checks, which have a time budget, would only be stretched.
func DefaultJobs() int { return max(1, runtime.GOMAXPROCS(0)*3/2) }

// DefaultLimit is a grading's watchdog: longer than anything grade
// allows itself (filling the build cache, the build, both checks
// programs), so that it fires only for a grader that is stuck.
func DefaultLimit(o grade.Options) time.Duration {
	build, run := o.BuildTimeout, o.Timeout
	if build <= 0 {
		build = grade.DefaultBuildTimeout
	}
	if run <= 0 {
		run = grade.DefaultTimeout
	}
	return 2*build + 2*run + 2*time.Minute
}

// Submission is one submission of a batch: a subdirectory.
type Submission struct {
	Name string // the directory's name
	Dir  string // its path
}

// Listing is what Find saw in a batch directory.
type Listing struct {
	Submissions []Submission // sorted by name
	// Ignored are the first names of entries that are not submissions
	// (files, hidden directories, the results directory); IgnoredCount
	// counts them all.
	Ignored      []string
	IgnoredCount int
}

// maxIgnored is how many ignored names a listing keeps.
const maxIgnored = 10

// Find lists the submissions in dir: every subdirectory whose name does
// not start with a dot, except skip (the results directory, when it is
// inside dir).
func Find(dir, skip string) (*Listing, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("--batch %s: %v", dir, err)
	}
	skipAbs, _ := filepath.Abs(skip)
	l := &Listing{Ignored: []string{}}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				isDir = true
			}
		}
		abs, _ := filepath.Abs(p)
		if !isDir || strings.HasPrefix(e.Name(), ".") || (skip != "" && abs == skipAbs) {
			if len(l.Ignored) < maxIgnored {
				l.Ignored = append(l.Ignored, e.Name())
			}
			l.IgnoredCount++
			continue
		}
		l.Submissions = append(l.Submissions, Submission{Name: e.Name(), Dir: p})
	}
	sort.Slice(l.Submissions, func(i, j int) bool { return l.Submissions[i].Name < l.Submissions[j].Name })
	return l, nil
}

// Extension returns the results files' extension for a format.
func Extension(format string) string {
	switch format {
	case grade.FormatJSON:
		return ".json"
	case grade.FormatGradescope:
		return ".gradescope.json"
	case grade.FormatClassroom:
		return ".classroom.json"
	case grade.FormatJUnit:
		return ".xml"
	}
	return ".txt"
}

// RunID identifies a batch: the exercise with its rubric and effort, the
// grader, the time limit and the names of every submission (of all the
// shards). The shards of one batch have the same RunID.
func RunID(ex *grade.Exercise, opts grade.Options, subs []Submission) string {
	h := sha256.New()
	ej, _ := json.Marshal(ex)
	h.Write(ej)
	fmt.Fprintf(h, "\n%s\n%v\n", graderID(), opts.Timeout)
	for _, s := range subs {
		fmt.Fprintf(h, "%s\n", s.Name)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// graderID identifies the grader: locklab's version and commit and the
// digest of the source the checks are built from.
var graderID = sync.OnceValue(func() string {
	h := sha256.New()
	if info, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintln(h, info.Main.Version, info.GoVersion)
		for _, s := range info.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				fmt.Fprintln(h, s.Key, s.Value)
			}
		}
	}
	_ = fs.WalkDir(locklab.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(locklab.Source, p)
		if err == nil {
			fmt.Fprintf(h, "%s %d\n", p, len(data))
			h.Write(data)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
})

// fingerprint digests what decides a submission's grade.
func fingerprint(ex *grade.Exercise, opts grade.Options, sub Submission) (string, error) {
	h := sha256.New()
	ej, _ := json.Marshal(ex)
	h.Write(ej)
	fmt.Fprintf(h, "\n%s\n%v\n", graderID(), opts.Timeout)
	entries, err := os.ReadDir(sub.Dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		fmt.Fprintf(h, "entry %s\n", e.Name())
	}
	for _, f := range ex.Files {
		data, err := os.ReadFile(filepath.Join(sub.Dir, f))
		if err != nil {
			fmt.Fprintf(h, "file %s missing\n", f)
			continue
		}
		fmt.Fprintf(h, "file %s %d\n", f, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// record is what a complete grading leaves for resumption.
type record struct {
	Fingerprint string        `json:"fingerprint"`
	Row         Row           `json:"row"`
	Result      *grade.Result `json:"result"`
}

const stateDir = ".locklab"

func recordPath(results, name string) string {
	return filepath.Join(results, stateDir, name+".json")
}

// CheckResults makes sure the results directory can be written, before
// any work: it creates it and its records' directory.
func CheckResults(dir string) error {
	state := filepath.Join(dir, stateDir)
	if err := os.MkdirAll(state, 0o755); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("--results %s: %v", dir, err)
	}
	f, err := os.CreateTemp(state, ".check-")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("--results %s: cannot write there: %v", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// Run grades the listing's submissions for ex (the shard's part of them)
// and returns the gradebook: every submission of the shard has a row,
// in name order, whatever happened. The error is non-nil when the batch
// could not go on: ctx done (the gradebook is then complete too, the
// rows not graded marked interrupted), no toolchain, bad options.
func Run(ctx context.Context, ex *grade.Exercise, l *Listing, opts Options) (*Gradebook, error) {
	if opts.Grade.Replay != "" {
		return nil, errors.New("batch: a batch cannot replay")
	}
	if opts.Jobs <= 0 {
		opts.Jobs = DefaultJobs()
	}
	if opts.GradeFunc == nil {
		opts.GradeFunc = grade.Grade
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultLimit(opts.Grade)
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Format == "" {
		opts.Format = "text"
	}
	if opts.Format == "text" && opts.Text == nil {
		return nil, errors.New("batch: the text format needs Options.Text")
	}
	if opts.Grade.Logger == nil {
		opts.Grade.Logger = opts.Logger
	}
	if err := CheckResults(opts.Results); err != nil {
		return nil, err
	}
	start := time.Now()
	gb := &Gradebook{Exercise: ex.Name, Checks: ex.Rubric, Run: RunID(ex, opts.Grade, l.Submissions), Shard: opts.Shard,
		Total: len(l.Submissions), Ignored: l.Ignored, IgnoredCount: l.IgnoredCount}
	var mine []Submission
	for i, s := range l.Submissions {
		if opts.Shard.Owns(i) {
			mine = append(mine, s)
		}
	}
	rows := make([]Row, len(mine))
	for i, s := range mine {
		rows[i] = Row{Exercise: ex.Name, Submission: s.Name, Dir: s.Dir, Status: StatusInterrupted, Message: "not graded: interrupted", MaxScore: ex.MaxScore()}
	}

	b := &batchRun{ex: ex, opts: opts, start: start, prog: Progress{Total: len(mine)}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.Jobs, max(len(mine), 1)) {
		wg.Go(func() {
			for i := range jobs {
				b.started()
				row, fatal := b.one(ctx, mine[i])
				rows[i] = row
				b.ended(row)
				if fatal != nil {
					b.fail(fatal)
					cancel()
				}
			}
		})
	}
feed:
	for i := range mine {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for i := range rows {
		rows[i].Run, rows[i].Shard, rows[i].Of = gb.Run, opts.Shard.String(), gb.Total
		if rows[i].Status == StatusInterrupted {
			gb.Interrupted = true
		}
	}
	gb.Rows = rows
	gb.Elapsed = time.Since(start)
	if b.fatal != nil {
		return gb, b.fatal
	}
	if gb.Interrupted {
		if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return gb, err
		}
		return gb, context.Canceled
	}
	return gb, nil
}

// batchRun is the state of one Run.
type batchRun struct {
	ex    *grade.Exercise
	opts  Options
	start time.Time

	mu    sync.Mutex // protects prog and fatal, and serializes Progress
	prog  Progress
	fatal error
}

func (b *batchRun) started() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prog.Running++
	b.report()
}

func (b *batchRun) ended(r Row) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prog.Running--
	if r.Status == StatusInterrupted {
		return
	}
	b.prog.Done++
	b.prog.Last = r.Submission
	switch {
	case r.Status == StatusError:
		b.prog.Errors++
	case r.Score == r.MaxScore:
		b.prog.Full++
	default:
		b.prog.Lost++
	}
	if r.Resumed {
		b.prog.Resumed++
	}
	b.report()
}

func (b *batchRun) report() {
	if b.opts.Progress != nil {
		p := b.prog
		p.Elapsed = time.Since(b.start)
		b.opts.Progress(p)
	}
}

func (b *batchRun) fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fatal == nil {
		b.fatal = err
	}
}

// one grades a submission, or reuses its record, and writes its results
// file and record. fatal is set for a failure no other submission can
// escape (no toolchain).
func (b *batchRun) one(ctx context.Context, sub Submission) (row Row, fatal error) {
	log := b.opts.Logger.With(zap.String("submission", sub.Name))
	row = Row{Exercise: b.ex.Name, Submission: sub.Name, Dir: sub.Dir, MaxScore: b.ex.MaxScore(),
		Results: filepath.Join(b.opts.Results, sub.Name+Extension(b.opts.Format))}
	if err := ctx.Err(); err != nil {
		row.Status, row.Message = StatusInterrupted, "not graded: interrupted"
		return row, nil
	}
	fp, err := fingerprint(b.ex, b.opts.Grade, sub)
	if err != nil {
		row.Status, row.Message = StatusError, "cannot read the submission: "+err.Error()
		return row, nil
	}
	if !b.opts.Force {
		if rec := readRecord(b.opts.Results, sub.Name); rec != nil && rec.Fingerprint == fp && rec.Result != nil && rec.Row.Status == StatusGraded {
			row = rec.Row
			row.Dir, row.Resumed = sub.Dir, true
			row.Results = filepath.Join(b.opts.Results, sub.Name+Extension(b.opts.Format))
			if err := b.writeResults(row.Results, rec.Result); err != nil {
				row.Status, row.Message = StatusError, err.Error()
			}
			log.Debug("already graded", zap.Int("score", row.Score))
			return row, nil
		}
	}
	res, err := b.grade(ctx, sub)
	switch {
	case ctx.Err() != nil:
		row.Status, row.Message = StatusInterrupted, "not graded: interrupted"
	case errors.Is(err, grade.ErrToolchain):
		row.Status, row.Message = StatusError, err.Error()
		fatal = err
	case err != nil:
		row.Status, row.Message = StatusError, "the grading failed: "+err.Error()
	case res == nil:
		row.Status, row.Message = StatusError, "the grading failed: no result"
	case res.Error != "":
		row.Status, row.Message = StatusError, res.Error
	case res.Interrupted:
		row.Status, row.Message = StatusError, "the grading did not finish within "+b.opts.Limit.String()+" (the grader is stuck: please report it)"
	default:
		row.Status = StatusGraded
	}
	if res != nil {
		row.fill(res)
		if werr := b.writeResults(row.Results, res); werr != nil && row.Status == StatusGraded {
			row.Status, row.Message = StatusError, werr.Error()
		}
	} else {
		row.Results = ""
	}
	switch row.Status {
	case StatusGraded:
		log.Info("graded", zap.Int("score", row.Score), zap.Int("max_score", row.MaxScore), zap.Duration("elapsed", row.Elapsed))
		if werr := writeRecord(b.opts.Results, sub.Name, &record{Fingerprint: fp, Row: row, Result: res}); werr != nil {
			log.Warn("cannot keep the record for resumption", zap.Error(werr))
		}
	case StatusError:
		log.Warn("not graded", zap.String("reason", row.Message))
		os.Remove(recordPath(b.opts.Results, sub.Name))
	}
	return row, fatal
}

// grade runs one grading under its watchdog and a recover: a grader that
// panics or sticks fails its own row only.
func (b *batchRun) grade(ctx context.Context, sub Submission) (res *grade.Result, err error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.Limit)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("the grader panicked: %v", p)
		}
	}()
	start := time.Now()
	res, err = b.opts.GradeFunc(ctx, b.ex, sub.Dir, b.opts.Grade)
	if res != nil && res.Elapsed == 0 {
		res.Elapsed = time.Since(start)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = nil // res is marked Interrupted: the row says the watchdog fired
		if res == nil {
			err = fmt.Errorf("it did not finish within %v (the grader is stuck: please report it)", b.opts.Limit)
		}
	}
	return res, err
}

func (b *batchRun) writeResults(name string, res *grade.Result) error {
	var buf bytes.Buffer
	var err error
	if b.opts.Format == "text" {
		err = b.opts.Text(&buf, res)
	} else {
		err = grade.Write(&buf, res, b.opts.Format)
	}
	if err != nil {
		return err
	}
	return WriteFileAtomic(name, buf.Bytes())
}

func readRecord(results, name string) *record {
	data, err := os.ReadFile(recordPath(results, name))
	if err != nil {
		return nil
	}
	var rec record
	if json.Unmarshal(data, &rec) != nil {
		return nil
	}
	return &rec
}

func writeRecord(results, name string, rec *record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return WriteFileAtomic(recordPath(results, name), data)
}

// WriteFileAtomic writes data to a temporary file beside name and
// renames it into place, so that name is absent, its old content, or all
// of data. Errors name name, never the temporary file.
func WriteFileAtomic(name string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return fmt.Errorf("%s: %v", name, unwrapPath(err))
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", name, unwrapPath(err))
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
