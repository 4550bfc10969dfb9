package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// Exit statuses. Main is the only place that maps errors to them.
const (
	exitOK          = 0   // nothing wrong found
	exitProblem     = 1   // a run found a problem
	exitError       = 2   // bad usage, or the run could not be carried out
	exitInterrupted = 130 // interrupted (128 + SIGINT; Main returns 128+N for signal N)
)

// errProblem is returned by a command whose output already says what was
// found; it sets exit status 1 and prints nothing more.
var errProblem = errors.New("a problem was found")

// RunFunc runs one variant; run.Run is the native one.
type RunFunc func(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config, opts run.Options) (*run.Result, error)

// Deps is what the commands need from the outside world. Tests build one
// with buffers and a fixture catalog.
type Deps struct {
	Out    io.Writer // results, help, completion scripts
	ErrOut io.Writer // errors and logs
	Color  bool      // color text on Out
	Width  int       // the width text on Out must fit; 0 means 100 columns

	// Catalog returns the scenarios in curriculum order.
	Catalog func() []*labs.Scenario
	// Run runs a variant on the native runtime under the wait-for and
	// lock-order graphs.
	Run RunFunc
	// GoDeadlock runs a variant with github.com/sasha-s/go-deadlock
	// underneath; nil when it is not available.
	GoDeadlock RunFunc

	// Logger is built by the root command from --log-level and
	// --log-format, before any subcommand runs.
	Logger *zap.Logger

	// Interactive reports that ErrOut is a terminal: a wait of more than
	// StatusDelay (a second, when zero) shows a status line there.
	Interactive bool
	StatusDelay time.Duration
	// Getenv reads the environment (os.Getenv when nil): the sharding
	// variables of CI systems and Kubernetes.
	Getenv func(string) string
	// Grade grades one submission (grade.Grade when nil).
	Grade GradeFunc
}

func (d *Deps) getenv(name string) string {
	if d.Getenv == nil {
		return os.Getenv(name)
	}
	return d.Getenv(name)
}

func (d *Deps) logger() *zap.Logger {
	if d.Logger == nil {
		return zap.NewNop()
	}
	return d.Logger
}

func (d *Deps) style() render.Style { return render.Style{Color: d.Color, Width: d.Width} }

// lookup returns the scenario with the given name.
func (d *Deps) lookup(name string) (*labs.Scenario, error) {
	all := d.Catalog()
	for _, s := range all {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, &labs.UnknownError{What: "scenario", Name: name, Valid: scenarioNames(all)}
}

func scenarioNames(all []*labs.Scenario) []string {
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	return names
}

// Main runs locklab with os.Args and returns the exit status.
func Main() int {
	if code, ok := serveChild(); ok {
		return code
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// SIGINT, SIGTERM and SIGHUP all stop the command the same way: its
	// context is canceled, children are killed, scratch is removed and
	// partial results are written; the exit status is then 128+N.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	var got atomic.Value
	go func() {
		if s, ok := <-sigs; ok {
			got.Store(s)
			cancel()
		}
	}()
	code := execute(ctx, defaultDeps(), os.Args[1:])
	if s, ok := got.Load().(syscall.Signal); ok && code == exitInterrupted {
		return 128 + int(s)
	}
	return code
}

// execute runs the command line args with deps and maps the outcome to an
// exit status, printing any error once.
func execute(ctx context.Context, deps *Deps, args []string) int {
	root := NewCmdRoot(deps)
	root.SetArgs(args)
	c, err := root.ExecuteContextC(ctx)
	err = betterUnknown(c, err)
	if deps.Logger != nil {
		_ = deps.Logger.Sync() // stderr may not support Sync; nothing to do about it
	}
	code := exitCode(err)
	if code != exitOK && code != exitProblem {
		fmt.Fprintf(deps.ErrOut, "locklab: %s\n", oneLine(err))
	}
	return code
}

func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errProblem):
		return exitProblem
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitError
}

// oneLine returns err's message on one line. Cobra's "unknown command"
// error ends in a multi-line "Did you mean this?" list; it becomes
// `(did you mean "run"?)`.
func oneLine(err error) string {
	if errors.Is(err, context.Canceled) {
		return "interrupted"
	}
	msg, hint, found := strings.Cut(err.Error(), "Did you mean this?")
	msg = strings.Join(strings.Fields(msg), " ")
	if found {
		var names []string
		for _, n := range strings.Fields(hint) {
			names = append(names, fmt.Sprintf("%q", n))
		}
		if len(names) > 0 {
			msg += " (did you mean " + strings.Join(names, " or ") + "?)"
		}
	}
	return msg
}

// rootOptions are the global flags.
type rootOptions struct {
	LogLevel  string
	LogFormat string
}

// NewCmdRoot returns the locklab command with every subcommand.
func NewCmdRoot(deps *Deps) *cobra.Command {
	opts := &rootOptions{LogLevel: "warn", LogFormat: "console"}
	cmd := &cobra.Command{
		Use:   "locklab",
		Short: "A deadlock and race lab for Go",
		Long: `locklab runs shared-resource scenarios (a counter, bank transfers, dining
philosophers), each written in deliberately buggy and in fixed lock
strategies, plus cooperative alternatives that need no locks. Every run is
checked by a deadlock detector, the scenario's invariants and a watchdog,
and the result says what went wrong, where, and which variant fixes it.
locklab race runs a variant under the Go race detector and reduces its
reports to the two conflicting accesses.

Exit status: 0 nothing wrong found, 1 a problem found, 2 bad usage (or
nothing was checked), 128+N when stopped by signal N (130 for Ctrl-C,
143 for SIGTERM, 129 for SIGHUP), after writing the results so far,
marked as interrupted.`,
		Example: `  locklab list
  locklab explain philosophers
  locklab run philosophers --buggy
  locklab run philosophers --variant hierarchy --json
  locklab race counter --buggy
  locklab race --all`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			log, err := newLogger(deps.ErrOut, opts.LogLevel, opts.LogFormat)
			if err != nil {
				return err
			}
			deps.Logger = log
			return nil
		},
	}
	cmd.SetOut(deps.Out)
	cmd.SetErr(deps.ErrOut)
	cmd.SetFlagErrorFunc(flagError)
	cmd.SetVersionTemplate("{{.Version}}\n")

	pf := cmd.PersistentFlags()
	pf.StringVar(&opts.LogLevel, "log-level", opts.LogLevel, "log level: "+strings.Join(logLevels, ", ")+"; logs go to stderr")
	pf.StringVar(&opts.LogFormat, "log-format", opts.LogFormat, "log format: "+strings.Join(logFormats, ", "))
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions(logLevels, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions(logFormats, cobra.ShellCompDirectiveNoFileComp))

	cmd.AddCommand(
		NewCmdList(deps, nil),
		NewCmdExplain(deps, nil),
		NewCmdRun(deps, nil),
		NewCmdRace(deps, nil),
		NewCmdExplore(deps, nil),
		NewCmdStep(deps, nil),
		NewCmdExercise(deps, nil),
		NewCmdGrade(deps, nil),
		NewCmdMerge(deps, nil),
	)
	addCompletionExamples(cmd)
	cmd.SetHelpCommand(newHelpCmd(cmd))
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultVersionFlag()
	cmd.Flags().Lookup("version").Usage = "print locklab's version, commit and Go version"
	return cmd
}

// addCompletionExamples creates cobra's completion command now (cobra
// would add it at Execute) so that its help can carry examples.
func addCompletionExamples(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = `  source <(locklab completion bash)
  locklab completion zsh > "${fpath[1]}/_locklab"
  locklab completion fish > ~/.config/fish/completions/locklab.fish`
		var shells []string
		for _, sh := range c.Commands() {
			sh.Example = "  locklab completion " + sh.Name() + " > locklab-completion." + sh.Name()
			shells = append(shells, sh.Name())
		}
		// Without a Run, cobra prints help and exits 0 for an unknown shell.
		c.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &labs.UnknownError{What: "shell", Name: args[0], Valid: shells}
			}
			return nil
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

// defaultDeps returns the real dependencies: the process's stdout and
// stderr, the catalog and the native runner.
func defaultDeps() *Deps {
	return &Deps{
		Out:        os.Stdout,
		ErrOut:     os.Stderr,
		Color:      render.AutoStyle(os.Stdout).Color,
		Width:      terminalWidth(os.Stdout),
		Catalog:    catalogAll,
		Run:        run.Run,
		GoDeadlock: run.GoDeadlock,
		// A status line only where someone watches it: not in CI logs,
		// not in a pipe.
		Interactive: render.IsTerminal(os.Stderr) && os.Getenv("TERM") != "dumb",
	}
}
