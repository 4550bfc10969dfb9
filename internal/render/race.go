package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/race"
	"github.com/locklab/locklab/labs/run"
)

// RaceCommand returns the command line that checks a variant under the
// race detector.
func RaceCommand(scenario, variant string) string {
	return "locklab race " + scenario + " --variant " + variant
}

// RaceJSON writes an observation as indented JSON, fields in
// race.Observation's order, empty lists as [].
func RaceJSON(w io.Writer, o *race.Observation) error {
	return writeJSON(w, raceJSONData(o))
}

// RaceAllJSON writes observations as a JSON array of RaceJSON's objects.
func RaceAllJSON(w io.Writer, obs []*race.Observation) error {
	out := make([]race.Observation, 0, len(obs))
	for _, o := range obs {
		out = append(out, raceJSONData(o))
	}
	return writeJSON(w, out)
}

func raceJSONData(o *race.Observation) race.Observation {
	out := *o
	out.Races = nonNil(out.Races)
	out.Outcomes = nonNil(out.Outcomes)
	out.Violations = nonNil(out.Violations)
	return out
}

// raceOrder is the sentence that says what makes a data race.
const raceOrder = "Nothing orders the two accesses of a data race: no lock, channel or atomic operation comes between them, so they can happen at the same time, and what the program computes depends on which one wins."

// Race writes what the race detector saw of one variant, for a student:
// the variant and how it ran; each distinct race as its two accesses
// (goroutine, read or write, source line) and the number of runs that
// reported it; or, for a clean variant, that no run raced, and for a buggy
// one without a data race, the invariants its runs still broke and why
// the race detector is silent; the outcomes of the runs; and the lesson.
func Race(w io.Writer, o *race.Observation, st Style) error {
	var b strings.Builder
	raceHeader(&b, o, st)
	b.WriteString("\n")
	if o.Raced() {
		for _, s := range o.Races {
			raceSeen(&b, o, s, st)
			b.WriteString("\n")
		}
		if len(o.Races) == 0 {
			fmt.Fprintf(&b, "%s %s\n\n", st.paint(boldRed, "DATA RACE:"),
				wrap(fmt.Sprintf("in %d of %d runs the race detector reported a race that locklab could not read. To see its report: go run -race ./cmd/locklab run %s --variant %s --detector none",
					o.RunsWithRace, o.Runs, o.Scenario, o.Variant), lineWidth, 11, 2))
		}
		fmt.Fprintf(&b, "%s\n", wrap(raceOrder, lineWidth, 0, 0))
	} else {
		raceClean(&b, o, st)
	}
	if len(o.Violations) > 0 {
		b.WriteString("\n")
		violations(&b, o, st)
	}
	if o.Note != "" {
		fmt.Fprintf(&b, "\n%s %s\n", st.paint(cyan, "Note:"), wrap(o.Note, lineWidth, 6, 2))
	}
	fmt.Fprintf(&b, "\n%s %s\n", st.paint(bold, "Runs:"), runsLine(o))
	fmt.Fprintf(&b, "%s %s\n", st.paint(bold, "Elapsed"), duration(o.Elapsed))
	b.WriteString("\n")
	raceLesson(&b, o, st)
	return writeString(w, &b)
}

// raceHeader writes the variant, its configuration and how it was run.
func raceHeader(b *strings.Builder, o *race.Observation, st Style) {
	kind := string(o.Kind)
	if o.Bug != "" {
		kind += ": " + string(o.Bug)
	}
	fmt.Fprintf(b, "%s (%s)\n", st.paint(bold, o.Scenario+" / "+o.Variant), st.paint(kindCell(o.Kind).paint, kind))
	cfg := o.Config
	line := fmt.Sprintf("%s, %s each, seed %d", count(cfg.Workers, o.WorkerNoun), count(cfg.Ops, opOr(o.OpNoun)), cfg.Seed)
	if cfg.Yield != "" && cfg.Yield != "0s" {
		line += ", yield " + cfg.Yield
	}
	fmt.Fprintf(b, "%s\n", line)
	expect := "the catalog expects no data race"
	if o.Expected {
		expect = "the catalog expects a data race"
	}
	fmt.Fprintf(b, "%s under the race detector, each in a race-enabled child; %s\n", count(o.Runs, "run"), expect)
}

func opOr(noun string) string {
	if noun == "" {
		return "op"
	}
	return noun
}

// raceSeen writes one distinct race: a headline, then its two accesses.
func raceSeen(b *strings.Builder, o *race.Observation, s race.Seen, st Style) {
	r := s.Race
	head := "DATA RACE"
	if r.Location != "" {
		head += " on " + r.Location
	}
	f0, f1 := r.Accesses[0].Func, r.Accesses[1].Func
	switch {
	case f0 != "" && (f1 == "" || f1 == f0):
		head += " in " + f0
	case f0 != "" && f1 != "":
		head += " between " + f0 + " and " + f1
	}
	seen := fmt.Sprintf("seen in %d of %d runs", s.Runs, o.Runs)
	if r.Truncated {
		seen += "; the report was cut short"
	}
	fmt.Fprintf(b, "%s (%s)\n", st.paint(boldRed, head), seen)
	t := &table{indent: 2}
	for _, a := range r.Accesses {
		if a.Op == "" {
			continue
		}
		t.row(c(a.Who()), c(accessVerb(a.Op)), cp(dim, accessWhere(a)))
	}
	t.write(b, st)
}

// accessVerb is an access's operation as a verb: "reads", "writes",
// "reads atomically".
func accessVerb(op string) string {
	atomic := strings.HasPrefix(op, "atomic ")
	op = strings.TrimPrefix(op, "atomic ")
	verb := op + "s"
	if atomic {
		verb += " atomically"
	}
	return verb
}

// accessWhere is an access's position, or its function when the race
// detector did not report the caller (an atomic operation).
func accessWhere(a detector.Access) string {
	switch {
	case !a.At.IsZero():
		return a.At.String()
	case a.Func != "":
		return "in " + a.Func + " (its caller is not reported)"
	}
	return "at an unknown position"
}

// raceClean writes the verdict of a variant no run raced on.
func raceClean(b *strings.Builder, o *race.Observation, st Style) {
	label, p, msg := "NO DATA RACE", boldYellow, ""
	switch {
	case o.Expected:
		msg = fmt.Sprintf("in %s, though the catalog expects one.", count(o.Runs, "run"))
	case o.Kind == labs.Buggy && len(o.Violations) > 0:
		msg = fmt.Sprintf("in %s. And yet the runs went wrong: the race detector is silent, the invariants are not.", count(o.Runs, "run"))
	case o.Kind == labs.Buggy:
		msg = fmt.Sprintf("in %s: this variant's bug is not a data race.", count(o.Runs, "run"))
	default:
		label, p, msg = "OK:", boldGreen, fmt.Sprintf("no data race in %s.", count(o.Runs, "run"))
	}
	fmt.Fprintf(b, "%s %s\n", st.paint(p, label), wrap(msg, lineWidth, width(label)+1, 2))
}

// violations writes the invariants some run broke.
func violations(b *strings.Builder, o *race.Observation, st Style) {
	fmt.Fprintf(b, "%s\n", st.paint(bold, "Invariants broken"))
	t := &table{indent: 2}
	for _, v := range o.Violations {
		t.row(cp(boldRed, "FAIL"), c(v.Name), c("expected "+v.Expected), c("got "+v.Actual), c(fmt.Sprintf("in %d of %d runs", v.Runs, o.Runs)))
	}
	t.write(b, st)
}

// runsLine says how many runs raced and how the runs ended.
func runsLine(o *race.Observation) string {
	raced := fmt.Sprintf("%d of %d with a data race", o.RunsWithRace, o.Runs)
	if o.RunsWithRace == 0 {
		raced = fmt.Sprintf("%d, none with a data race", o.Runs)
	}
	return raced + "; outcomes: " + tallyOutcomes(o.Outcomes)
}

// tallyOutcomes returns "invariant 9, ok 1": each outcome with its count,
// most frequent first.
func tallyOutcomes(outcomes []run.Outcome) string {
	n := map[run.Outcome]int{}
	var keys []run.Outcome
	for _, o := range outcomes {
		if n[o] == 0 {
			keys = append(keys, o)
		}
		n[o]++
	}
	slices.SortFunc(keys, func(a, b run.Outcome) int {
		if n[a] != n[b] {
			return n[b] - n[a]
		}
		return strings.Compare(string(a), string(b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, n[k])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// raceLesson closes the report: why, and what to check next.
func raceLesson(b *strings.Builder, o *race.Observation, st Style) {
	if o.Kind != labs.Buggy {
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Why it works:"), wrap(o.Lesson, lineWidth, 14, 14))
		return
	}
	fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Why:"), wrap(o.Lesson, lineWidth, 5, 5))
	if o.Fix != "" {
		fmt.Fprintf(b, "%s %s\n", st.paint(bold, "Fix:"), RaceCommand(o.Scenario, o.Fix))
	}
}

// RaceAll writes the race detector's verdict on a whole catalog: a matrix
// of variant, expected and observed, with how many runs raced and whether
// that agrees with the catalog; then the buggy variants whose runs broke
// an invariant without a data race; then every disagreement, explained;
// and a summary line.
func RaceAll(w io.Writer, obs []*race.Observation, st Style) error {
	var b strings.Builder
	t := &table{head: []string{"SCENARIO", "VARIANT", "KIND", "EXPECTED", "OBSERVED", "RUNS RACED", "AGREES"}}
	last := ""
	disagree := 0
	for _, o := range obs {
		name := o.Scenario
		if name == last {
			name = ""
		}
		last = o.Scenario
		agree := cp(green, "yes")
		if !o.Agrees {
			agree = cp(boldRed, "NO")
			disagree++
		}
		t.row(cp(bold, name), c(o.Variant), kindCell(o.Kind), c(raceWord(o.Expected)), cp(racePaint(o.Raced()), raceWord(o.Raced())),
			c(fmt.Sprintf("%d/%d", o.RunsWithRace, o.Runs)), agree)
	}
	t.write(&b, st)

	var silent []*race.Observation
	for _, o := range obs {
		if o.Kind == labs.Buggy && !o.Raced() && len(o.Violations) > 0 {
			silent = append(silent, o)
		}
	}
	if len(silent) > 0 {
		fmt.Fprintf(&b, "\n%s\n", wrap("Race conditions without a data race: the race detector is silent by design, the invariants are not.", lineWidth, 0, 0))
		t := &table{indent: 2}
		for _, o := range silent {
			var broken []string
			for _, v := range o.Violations {
				broken = append(broken, fmt.Sprintf("%q broken in %d of %d runs", v.Name, v.Runs, o.Runs))
			}
			t.row(c(o.Scenario+" / "+o.Variant), c(strings.Join(broken, ", ")))
		}
		t.write(&b, st)
	}

	for _, o := range obs {
		if o.Agrees {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s / %s\n", st.paint(boldRed, "DISAGREES WITH THE CATALOG:"), o.Scenario, o.Variant)
		for _, s := range o.Races {
			fmt.Fprintf(&b, "  %s\n", wrap(fmt.Sprintf("%s (in %d of %d runs)", s.Race.Finding().Message, s.Runs, o.Runs), lineWidth, 2, 4))
		}
		if o.Note != "" {
			fmt.Fprintf(&b, "  %s\n", wrap(o.Note, lineWidth, 2, 2))
		}
	}

	b.WriteString("\n")
	if len(obs) == 0 {
		fmt.Fprintf(&b, "%s\n", "No variant to check.")
		return writeString(w, &b)
	}
	runs, elapsed := obs[0].Runs, duration(obs[0].Elapsed)
	if disagree == 0 {
		fmt.Fprintf(&b, "%s all %s agree with the catalog (%s each, %s in all)\n",
			st.paint(boldGreen, "OK:"), count(len(obs), "variant"), count(runs, "run"), elapsed)
	} else {
		fmt.Fprintf(&b, "%s %d of %s disagree with the catalog (%s each, %s in all)\n",
			st.paint(boldRed, "MISMATCH:"), disagree, count(len(obs), "variant"), count(runs, "run"), elapsed)
	}
	fmt.Fprintf(&b, "%s\n", "See one with `locklab race SCENARIO --variant VARIANT`.")
	return writeString(w, &b)
}

func raceWord(raced bool) string {
	if raced {
		return "race"
	}
	return "clean"
}

func racePaint(raced bool) paint {
	if raced {
		return red
	}
	return green
}
