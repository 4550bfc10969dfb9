package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
	"github.com/locklab/locklab/labs/run"
)

// The configuration step mode plays when --workers and --ops are not
// given: small enough to play by hand, big enough for every scenario's
// bug (two workers crossing).
const (
	stepWorkers = 2
	stepOps     = 2
)

// StepOptions are the arguments and flags of `locklab step`.
type StepOptions struct {
	Deps     *Deps
	Scenario string
	Buggy    bool
	Variant  string

	Workers, Ops int
	Seed         uint64
	// WorkersSet, OpsSet and SeedSet report the flags given; with none,
	// the game is the smallest in which the bug shows (explore.Game).
	WorkersSet, OpsSet, SeedSet bool
	JSON                        bool
	Pic                         pictureFlags // --view, --html and --trace, written when the game ends
}

// NewCmdStep returns `locklab step`. runF, when not nil, is called with
// the parsed and checked options instead of stepRun.
func NewCmdStep(deps *Deps, runF func(*StepOptions) error) *cobra.Command {
	opts := &StepOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "step SCENARIO [--buggy | --variant V]",
		Short: "Play the scheduler: choose which worker moves, until the bug shows",
		Long: `Play the scheduler, as in The Deadlock Empire. The variant runs under the
controlled scheduler, one worker at a time, and you choose which worker
moves next: it runs up to its next lock, channel operation or yield point.
Each turn shows every worker with what it holds and what it does next (or
what it waits for); type a worker's number to move it, u to undo the last
move, q to quit. You win when the bug shows: a deadlock, or a broken
invariant at the end.

At the end, step prints the command that replays the path you took (see
locklab explore --replay). Input is read line by line from stdin, so a
script can play too; end of input quits.

By default the game is the smallest in which the bug can show, whatever
you move first: step explores 2 workers with 2 units of work each (or the
scenario's defaults, for a bug that needs more) and shrinks the first
failure it finds, as explore does. --workers, --ops and --seed (the
workers' random choices, such as which accounts a transfer uses) choose
the game instead. With --json the game is shown on stderr and the
path taken is written to stdout as JSON at the end; --html FILE and
--trace FILE draw the path taken when the game ends (won or quit).

Exit status: 0 quit (or end of input) before the bug showed, 1 the bug
showed, 2 bad usage.`,
		Example: `  locklab step bank --variant from-then-to
  locklab step philosophers --buggy
  locklab step counter --variant cooperative-await --ops 2
  printf '0\n1\n0\n1\n' | locklab step bank --variant from-then-to
  locklab step philosophers --buggy --html game.html`,
		Args:              scenarioArg(deps),
		ValidArgsFunction: completeScenario(deps),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Scenario = args[0]
			f := cmd.Flags()
			if !f.Changed("workers") {
				opts.Workers = stepWorkers
			}
			if !f.Changed("ops") {
				opts.Ops = stepOps
			}
			opts.WorkersSet, opts.OpsSet, opts.SeedSet = f.Changed("workers"), f.Changed("ops"), f.Changed("seed")
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return stepRun(cmd, opts)
		},
	}
	f := cmd.Flags()
	addVariantFlags(cmd, deps, &opts.Buggy, &opts.Variant, "play")
	f.IntVar(&opts.Workers, "workers", stepWorkers, fmt.Sprintf("number of workers, 2 to %d", labs.MaxWorkers))
	f.IntVar(&opts.Ops, "ops", stepOps, fmt.Sprintf("units of work per worker, 1 to %d", labs.MaxOps))
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the workers' random choices, at least 1 (default: the scenario's)")
	f.BoolVar(&opts.JSON, "json", false, "show the game on stderr and write the path taken to stdout as JSON")
	opts.Pic.add(cmd, true, false)
	return cmd
}

// check validates what can be checked without the catalog.
func (o *StepOptions) check() error {
	if o.Pic.HTML == "-" || o.Pic.Trace == "-" {
		return errors.New("the game is played on standard output: give --html and --trace a file name")
	}
	if err := o.Pic.check(o.JSON); err != nil {
		return err
	}
	if o.Buggy && o.Variant != "" {
		return errBuggyAndVariant
	}
	if o.SeedSet && o.Seed == 0 {
		return errors.New("--seed must be at least 1 (0 stands for the scenario's default)")
	}
	return nil
}

// resolve returns the scenario, the variant and the configuration.
func (o *StepOptions) resolve() (*labs.Scenario, *labs.Variant, labs.Config, error) {
	ro := &RunOptions{Deps: o.Deps, Scenario: o.Scenario, Buggy: o.Buggy, Variant: o.Variant,
		Workers: o.Workers, Ops: o.Ops, Seed: o.Seed, WorkersSet: true, OpsSet: true, SeedSet: o.SeedSet}
	return ro.resolve()
}

// game is one step-mode session and where it is shown.
type game struct {
	s     *labs.Scenario
	v     *labs.Variant
	sess  *explore.Session
	out   io.Writer // the game's display
	st    render.Style
	echo  bool // write each input line back: stdin is not a terminal
	moves int  // steps taken, for the turn number
}

func stepRun(cmd *cobra.Command, o *StepOptions) error {
	d := o.Deps
	s, v, cfg, err := o.resolve()
	if err != nil {
		return err
	}
	log := d.logger().Named("step").With(zap.String("scenario", s.Name), zap.String("variant", v.Name))
	smallest := false
	if !o.WorkersSet && !o.OpsSet && !o.SeedSet && v.Kind == labs.Buggy {
		game, ok, err := explore.Game(cmd.Context(), s, v, cfg)
		if err != nil {
			return err
		}
		if ok {
			cfg, smallest = game, true
			log.Debug("smallest game", zap.Int("workers", cfg.Workers), zap.Int("ops", cfg.Ops), zap.Uint64("seed", cfg.Seed))
		}
	}
	sess, err := explore.NewSession(s, v, cfg)
	if err != nil {
		return err
	}
	defer sess.Close()
	g := &game{s: s, v: v, sess: sess, out: d.Out, st: o.Pic.style(d)}
	if o.JSON {
		g.out, g.st = d.ErrOut, render.AutoStyle(d.ErrOut)
		g.st.View = o.Pic.View
	}
	in := cmd.InOrStdin()
	g.echo = !isTerminalReader(in)

	cfgJSON := run.ConfigJSON{Workers: cfg.Workers, Ops: cfg.Ops, Seed: cfg.Seed}
	if err := render.StepIntro(g.out, s, v, cfgJSON, smallest, g.st); err != nil {
		return err
	}
	lines := readLines(in)
	defer lines.close()
	won, err := g.play(cmd.Context(), lines)
	if err != nil {
		return err
	}
	f, ended := sess.Outcome()
	token := sess.Token()
	if o.Pic.any() {
		if err := o.Pic.write(d, stepReport(s, v, sess, f, ended, token)); err != nil {
			return err
		}
	}
	log.Info("done", zap.Bool("won", won), zap.Int("steps", len(sess.Trace())), zap.String("token", token))
	if o.JSON {
		res := render.StepResult{Scenario: s.Name, Variant: v.Name, Config: cfgJSON, Won: won, Token: token, Trace: sess.Trace()}
		if f != nil {
			res.Outcome, res.Findings = f.Outcome, f.Findings
		}
		if err := render.StepJSON(d.Out, &res); err != nil {
			return err
		}
	}
	if won {
		return errProblem
	}
	return nil
}

// play runs the game until the bug shows (won), the player quits or the
// input ends. It writes the end of the game, with the replay command.
func (g *game) play(ctx context.Context, in *lineReader) (won bool, err error) {
	redraw := true // show the state, not just the prompt
	for {
		f, ended := g.sess.Outcome()
		switch {
		case ended && f.Outcome.Problem():
			return true, render.StepEnd(g.out, g.s, g.v, f, g.sess.Token(), false, g.st)
		case ended && redraw:
			msg := fmt.Sprintf("The schedule ran to its end: every %s finished and every invariant held. No bug this time: u to undo, q to quit.", g.noun())
			if err := render.StepMessage(g.out, msg, g.st); err != nil {
				return false, err
			}
			fallthrough
		case ended || !redraw:
			prompt := render.StepPrompt(g.sess.Choices())
			if _, err := io.WriteString(g.out, prompt); err != nil {
				return false, err
			}
		default:
			if err := render.StepState(g.out, g.s, g.moves, g.sess.State(), g.sess.Choices(), g.st, g.sess.Locks()...); err != nil {
				return false, err
			}
		}
		line, ok, err := in.next(ctx)
		switch {
		case ctx.Err() != nil:
			// Interrupted: still say how to get back to where we were.
			_, _ = io.WriteString(g.out, "\n")
			if qerr := g.quit(); qerr != nil {
				return false, qerr
			}
			return false, ctx.Err()
		case err != nil:
			return false, fmt.Errorf("reading the moves: %w", err)
		case !ok:
			if g.echo {
				_, _ = io.WriteString(g.out, "\n")
			}
			return false, g.quit()
		}
		line = strings.TrimSpace(line)
		if g.echo {
			if _, err := io.WriteString(g.out, line+"\n"); err != nil {
				return false, err
			}
		}
		var quit bool
		quit, redraw, err = g.move(line)
		if err != nil {
			return false, err
		}
		if quit {
			return false, g.quit()
		}
	}
}

// quit writes the end of a game the player left: how the schedule ended,
// if it did, and the command that replays the path taken.
func (g *game) quit() error {
	f, ended := g.sess.Outcome()
	if !ended {
		f = nil
	}
	return render.StepEnd(g.out, g.s, g.v, f, g.sess.Token(), true, g.st)
}

func (g *game) noun() string {
	if g.s.Workers == "" {
		return "worker"
	}
	return g.s.Workers
}

// move carries out one line of input; moved reports whether the state
// changed (and so is worth showing again). Bad input is answered, not an
// error: the game goes on.
func (g *game) move(line string) (quit, moved bool, err error) {
	say := func(format string, args ...any) error {
		return render.StepMessage(g.out, fmt.Sprintf(format, args...), g.st)
	}
	switch strings.ToLower(line) {
	case "":
		return false, false, nil
	case "q", "quit", "exit":
		return true, false, nil
	case "u", "undo":
		if g.moves == 0 {
			return false, false, say("Nothing to undo.")
		}
		if err := g.sess.Undo(); err != nil {
			return false, false, say("Cannot undo: %v", err)
		}
		g.moves--
		return false, true, say("Undone: back to step %d.", g.moves+1)
	case "?", "h", "help":
		return false, false, say("Type the number of a %s to move it, u to undo the last move, q to quit.", g.noun())
	}
	n, convErr := strconv.Atoi(line)
	if convErr != nil {
		return false, false, say("%q: type the number of a %s, u to undo or q to quit.", line, g.noun())
	}
	choices := g.sess.Choices()
	if !slices.ContainsFunc(choices, func(c explore.Choice) bool { return c.Worker == n }) {
		return false, false, say("%s", g.cannotMove(n, choices))
	}
	before := len(g.sess.Trace())
	if err := g.sess.Step(n); err != nil {
		return false, false, say("Cannot move %d: %v", n, err)
	}
	g.moves++
	trace := g.sess.Trace()
	before = min(before, len(trace))
	return false, true, render.StepEvents(g.out, trace[before:], g.st)
}

// cannotMove explains why worker n cannot move.
func (g *game) cannotMove(n int, choices []explore.Choice) string {
	if len(choices) == 0 {
		return "The schedule has ended: nobody can move. u to undo, q to quit."
	}
	nums := make([]string, len(choices))
	for i, c := range choices {
		nums[i] = strconv.Itoa(c.Worker)
	}
	valid := "choose " + strings.Join(nums, ", ")
	states := g.sess.State()
	for _, ws := range states {
		if ws.Worker != n {
			continue
		}
		switch {
		case ws.Done:
			return fmt.Sprintf("%s is done; %s.", ws.Name, valid)
		case ws.Waiting != "":
			held := ""
			for _, o := range states {
				if slices.Contains(o.Holds, ws.Waiting) {
					held = " (held by " + o.Name + ")"
				}
			}
			return fmt.Sprintf("%s cannot move: it waits for %s%s; %s.", ws.Name, ws.Waiting, held, valid)
		}
	}
	return fmt.Sprintf("There is no %s %d to move; %s.", g.noun(), n, valid)
}

// isTerminalReader reports whether r is an *os.File open on a character
// device: a person typing, whose input the terminal already shows.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// lineReader reads lines in a goroutine of its own, so that waiting for
// the player's next move does not keep an interrupt from ending the game.
type lineReader struct {
	lines chan readLine
	stop  chan struct{}
}

type readLine struct {
	text string
	err  error
}

// readLines starts reading r line by line. The goroutine ends at the end
// of r, at a read error, or after close once its current read returns.
func readLines(r io.Reader) *lineReader {
	l := &lineReader{lines: make(chan readLine), stop: make(chan struct{})}
	go func() {
		defer close(l.lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case l.lines <- readLine{text: sc.Text()}:
			case <-l.stop:
				return
			}
		}
		if err := sc.Err(); err != nil {
			select {
			case l.lines <- readLine{err: err}:
			case <-l.stop:
			}
		}
	}()
	return l
}

// next returns the next line; ok is false at the end of the input.
func (l *lineReader) next(ctx context.Context) (line string, ok bool, err error) {
	select {
	case <-ctx.Done():
		return "", false, ctx.Err()
	case rl, open := <-l.lines:
		if !open {
			return "", false, nil
		}
		return rl.text, rl.err == nil, rl.err
	}
}

// close lets the reading goroutine end.
func (l *lineReader) close() { close(l.stop) }

// stepReport is the picture of a game: the path taken, and how the
// schedule ended if it did.
func stepReport(s *labs.Scenario, v *labs.Variant, sess *explore.Session, f *explore.Failure, ended bool, token string) *view.Report {
	if f == nil || !ended {
		f = &explore.Failure{Outcome: run.OK}
	}
	g := *f
	g.Trace, g.Token = sess.Trace(), token
	r := view.FromFailure(s, v, &g)
	r.How = "a game of locklab step"
	if !ended {
		r.Summary = fmt.Sprintf("The game was left after %d steps, before the schedule ended.", len(g.Trace))
	}
	return r
}
