// Package cli implements the locklab command line: `locklab list`,
// `locklab explain`, `locklab run`, `locklab race`, `locklab explore` and
// `locklab step`, each with --json, plus shell completion.
//
// The commands follow gh's layout: NewCmdX(deps, runF) builds a command
// whose flags are bound to an options struct; runF, when not nil, replaces
// the command's work so tests can check what was parsed. There is no
// package-level command and no init(): every call of NewCmdRoot builds a
// fresh tree, so tests do not share flag state.
//
// Main is the only place that turns errors into exit statuses:
//
//	0   nothing wrong was found
//	1   a problem was found: a deadlock, a stall, a broken invariant, ...
//	2   bad usage (an unknown name, a bad count or duration, an unknown
//	    flag), or the run could not be carried out
//	130 interrupted
//
// Every error is printed once, on one line, as "locklab: <error>".
package cli
