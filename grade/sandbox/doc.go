// Package sandbox runs a program, and everything it starts, inside a
// sandbox: the grader's trust boundary around submission code, build
// included.
//
//	func main() {
//		sandbox.Init() // first thing: a sandbox's init helper never returns from it
//		...
//	}
//
//	s, err := sandbox.New(sandbox.Auto)        // probes once what the kernel allows
//	fmt.Println(s.Level(), s.Reason())         // say plainly what the run gets
//	exit, err := s.Run(ctx, &sandbox.Cmd{Path: bin, Dir: work, Writable: []string{work}, Timeout: time.Minute})
//
// Run starts this same executable as the sandbox's init helper (Init
// recognises it by an environment variable and reads its instructions
// from a pipe), which sets the sandbox up and execs the program in its
// place. That is why every program that runs sandboxes must call Init
// first thing in main, and every test package that does so in TestMain;
// New fails if Init was not called, and Run fails clearly if the helper
// never answers.
//
// # Modes and levels
//
// The caller asks for a Mode: Auto, Required or Off (the grader's
// --sandbox flag). A Sandbox provides a Level, chosen once by New and
// explained by Reason; Protections lists in plain sentences what holds at
// it and what does not, for the grader's output.
//
//	mode      kernel allows user namespaces   refused, caller is root   refused, not root
//	auto      Namespaces                      Unprivileged              None
//	required  Namespaces                      error (ErrUnavailable)    error (ErrUnavailable)
//	off       None                            None                      None
//
// Whether namespaces work is found by setting up one empty sandbox for
// real, once per process, and likewise whether the helper can switch to a
// dedicated uid. Root in a container whose seccomp profile blocks
// namespaces (Docker's default, hence Gradescope's images) gets EPERM and
// Auto falls back to Unprivileged; root without CAP_SETUID falls back to
// None.
//
// # Namespaces
//
// The helper starts in new user, mount, PID, network, IPC and UTS
// namespaces. It builds a root file system on a tmpfs: the system
// directories /usr, /bin, /sbin and /lib* (usrmerge symbolic links kept as
// links), a few files of /etc (the dynamic linker's cache and
// configuration, passwd, group, hosts, nsswitch.conf, localtime and
// Debian's alternatives, without which cc is not found; not the rest, which
// may hold configuration or secrets), and the Cmd's ReadOnly paths, all
// bind mounted read-only, nosuid and nodev; the Writable paths read-write;
// a fresh /proc of the new PID namespace; /dev with only null, zero, full,
// random and urandom; and a private, size-limited tmpfs on /tmp. Then it
// pivots into that root, detaches the old one and makes / read-only, sets
// the hostname to "sandbox", sets the rlimits, empties the capability
// bounding set and every other capability set, sets no_new_privs and execs
// the program, which becomes PID 1 of its namespace: when it exits or is
// killed, the kernel kills everything it started.
//
// Without Cmd.Network the network namespace has only a loopback interface,
// down: nothing can be reached, not even the host's 127.0.0.1.
//
// For a caller that is not root, root inside is the caller's uid outside.
// For a root caller, the helper stays host root (mapped as root inside) to
// build the root with root's access to the sources, then switches to a
// dedicated uid of the run (mapped to itself, see UIDFirst) before exec:
// the program is an unprivileged user inside and out, and its Writable
// paths are chowned to that uid for the run and back afterwards. (Left as
// kuid 0, even with no capabilities, it could write /proc/sys files such
// as kernel.core_pattern, whose permission check is only "euid is global
// root".)
//
// Protects against: reading anything but what the Cmd lists and the system
// directories; writing anything but the Writable paths and the private
// /tmp; the network; seeing, signalling or tracing processes outside;
// leaving processes behind; using more than the rlimits and the time limit.
// Does not protect against: kernel bugs (there is no seccomp filter);
// memory use beyond what RLIMIT_AS (virtual memory, per process) bounds,
// as there is no cgroup; filling the disk through the Writable paths with
// many files below RLIMIT_FSIZE each; CPU use of many processes up to the
// time limit.
//
// # Unprivileged (uid)
//
// Where namespaces are refused and the caller is root, the helper starts
// as a dedicated uid and gid of the run, with no supplementary groups, in
// its own process group, and sets the rlimits and no_new_privs before
// exec. The uid comes from UIDFirst-UIDLast, skipping ids /etc/passwd or
// /etc/group name and ids a process runs as; a lock file per uid (under
// /run/locklab-sandbox) keeps concurrent Runs, of this process or others,
// from sharing one. The Writable paths are chowned to it for the run and
// back afterwards, and when the run ends every process of that uid is
// killed.
//
// Protects against: writing the grader's files (unless world-writable);
// reading files closed to others (0600 files, 0700 directories such as
// /root); reading the grader's memory or environment; signalling or
// tracing the grader; leaving processes behind; exceeding the rlimits and
// the time limit; RLIMIT_NPROC is meaningful, counting only that uid.
// Does not protect against: the network; reading world-readable files
// anywhere; writing world-writable places (/tmp, /dev/shm: give the
// program a Writable TMPDIR); seeing other processes in /proc. ReadOnly
// paths are only as read-only as their permissions, and must be readable
// by others, parent directories included: Run checks and says which one is
// not.
//
// # None
//
// The helper starts as the caller, in its own process group, and sets the
// rlimits and no_new_privs before exec; the process group is killed when
// the program exits, times out or is canceled.
//
// Protects against: exceeding the rlimits and the time limit; processes
// left behind in the process group. Does not protect against anything the
// caller's uid may do: reading and writing its files, the network,
// signalling or tracing the grader; a process that calls setsid leaves the
// process group and outlives the run.
//
// # When the grader dies
//
// The program gets SIGKILL when the grader dies, however it dies (the
// kernel's parent-death signal). At the Namespaces level that kills the
// whole sandbox. At the lower levels, what the program started in another
// session or process group survives a grader killed with SIGKILL; at the
// uid level later runs skip that uid while any process runs as it.
//
// Outside Linux only None exists, with a process group and the time limit
// but no rlimits, and Required fails.
package sandbox
