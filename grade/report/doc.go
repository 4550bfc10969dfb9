// Package report is the wire protocol between the grader (package grade)
// and its checks program (package grade/checks/kit).
//
// The grader starts the checks program in a sandbox with two extra
// descriptors: fd 4, from which the program reads one Control (what to
// run, and a random nonce), and fd 3, to which it writes Lines, each a
// JSON object carrying the nonce. Nothing goes through the environment or
// the command line. The program reads fd 4 and closes it before any
// submission code runs beyond package initialization, which the grader's
// allow-list keeps to calls of allowed library functions; submission code
// cannot name a descriptor (no os, syscall or unsafe), so it can neither
// read the nonce nor write a line. The grader ignores lines without the
// nonce, more than MaxLines lines, and lines longer than MaxLine bytes;
// stdout and stderr are only logs.
//
// The Lines carry observations (how each native run ended, what each
// exploration found), never verdicts: the grader scores them.
package report
