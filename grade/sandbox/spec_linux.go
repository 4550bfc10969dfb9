package sandbox

// The protocol between Run (the parent) and the init helper (the child,
// the same executable started with envInit set):
//
//   - envInit holds "STATUS,SPEC": two file descriptor numbers.
//   - The parent writes the JSON spec to SPEC and closes it.
//   - The helper writes helloLine to STATUS first thing, so the parent
//     knows Init ran; then, when it is about to exec the program,
//     execLine; or "error: ..." and exits. STATUS is close-on-exec from
//     then on, so the parent reads EOF once exec succeeded.
//   - For the probe and kill actions the helper writes okLine instead of
//     execLine and exits 0.

const (
	envInit   = "LOCKLAB_SANDBOX_INIT"
	helloLine = "locklab-sandbox-init 1\n"
	execLine  = "exec\n"
	okLine    = "ok\n"
	errPrefix = "error: "
)

// Actions of the helper.
const (
	actRun   = "run"   // set up, exec the program
	actProbe = "probe" // set up, exit 0
	actKill  = "kill"  // kill(-1, SIGKILL) as the helper's uid, exit 0
)

// spec is what the helper must do.
type spec struct {
	Action     string
	Namespaces bool // build a private root and pivot into it
	SetUID     bool // switch to UID and GID before exec
	UID, GID   int
	Path       string
	Argv       []string
	Env        []string
	Dir        string
	KeepFDs    int // descriptors 3 .. 3+KeepFDs-1 are the program's ExtraFiles
	Mounts     []mount
	Hostname   string
	Rlimits    []rlimit
}

// mount is one entry of the private root, applied in order.
type mount struct {
	Kind     string // mBind, mTmpfs, mProc, mSymlink
	Target   string // path inside the sandbox
	Source   string // mBind: the host path
	File     bool   // mBind: the source is not a directory
	Writable bool   // mBind
	Dev      bool   // mBind: device nodes (no nodev, not read-only)
	Data     string // mTmpfs: mount options
	Link     string // mSymlink: the link's content
}

const (
	mBind    = "bind"
	mTmpfs   = "tmpfs"
	mProc    = "proc"
	mSymlink = "symlink"
)

type rlimit struct {
	Resource int
	Value    uint64
}
