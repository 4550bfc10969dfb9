// Package report is how a grader's checks program reports its results.
//
// The grader (package grade) runs the checks program with a pipe on an extra
// file descriptor and a random nonce in the environment. The program calls
// Start first thing in main, which reads both and clears them from the
// environment (so the submission under test can neither read the nonce nor
// find the descriptor through it), then Result once per check and Done at the
// end. Each call writes one JSON line carrying the nonce; the grader ignores
// lines without it, so a submission that writes to fd 3 cannot forge a
// result. stdout and stderr are only logs.
package report
