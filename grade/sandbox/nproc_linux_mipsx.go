//go:build linux && (mips || mipsle || mips64 || mips64le)

package sandbox

// rlimitNproc is RLIMIT_NPROC, which the syscall package lacks.
const rlimitNproc = 8
