package sandbox

import (
	"fmt"
	"runtime"
)

// protections says what holds at level, for a caller that is root or not.
func protections(level Level, root bool) []string {
	limits := "Its CPU time, address space, processes, open files and file size are limited by rlimits as each run asks, and a time limit kills it."
	switch level {
	case Namespaces:
		out := []string{
			"The program and everything it starts run in new user, mount, PID, network, IPC and UTS namespaces; all of them are killed when it exits, times out or is canceled, and none can outlive the run.",
			"It sees a private root file system: the system directories (/usr, /bin, /lib...), a few files of /etc and the run's read-only paths, all read-only; the run's writable paths; a fresh /proc showing only its own processes; /dev with only null, zero, full, random and urandom; and a private /tmp of limited size.",
			"It has no network, not even loopback, unless a run asks for the network.",
			"It holds no capabilities and cannot gain any (no_new_privs, empty bounding set), so it cannot remount its read-only view writable, mount anything or trace processes outside.",
		}
		if root {
			out = append(out, fmt.Sprintf("It runs as a dedicated unprivileged uid and gid (%d-%d, one per run, the same inside and out) with no supplementary groups: even out of the namespaces it could not write the grader's files, read its memory or signal it. Its writable paths are handed to that uid for the run and back afterwards.", UIDFirst, UIDLast))
		} else {
			out = append(out, "Root inside is the grader's own uid outside: what it can reach through its writable paths it can change as the grader could.")
		}
		return append(out, limits,
			"Not protected: it shares the kernel (no seccomp filter), so a kernel bug reachable by an unprivileged process is an escape; memory is limited only as address space and CPU time per process, not by a cgroup; disk use in the writable paths is limited only per file.")
	case Unprivileged:
		return []string{
			fmt.Sprintf("The program and everything it starts run as a dedicated unprivileged uid and gid (%d-%d, one per run) with no supplementary groups, no capabilities and no_new_privs.", UIDFirst, UIDLast),
			"It cannot write the grader's files (unless they are world-writable), read files or directories closed to others, read the grader's memory or environment, trace or signal the grader.",
			"Its writable paths are handed to that uid for the run and back to their owners afterwards.",
			"Every process of that uid is killed when the run ends, so nothing it starts outlives the run.",
			limits + " The process limit counts only that uid's processes.",
			"Not protected: there are no namespaces, so the network is NOT blocked; it can read every world-readable file on the machine, not only its read-only paths, and write world-writable places such as /tmp and /dev/shm (no private /tmp); its read-only paths are read-only only as far as their permissions make them; it can see every process on the machine in /proc, though not their memory.",
		}
	default:
		if runtime.GOOS != "linux" {
			return []string{
				"The program runs as the grader's own user, killed at the time limit.",
				"Not protected: there are no rlimits on this system, no namespaces and no uid of its own: it can read and write everything the grader can, use the network, signal the grader, and what it starts can outlive the run.",
			}
		}
		user := "the grader's own uid"
		if root {
			user = "root, the grader's own uid"
		}
		return []string{
			"The program runs as " + user + ", with no_new_privs, in its own process group, which is killed when it exits, times out or is canceled.",
			limits,
			"Not protected: there are no namespaces and no uid of its own, so it can read and write everything the grader can, use the network, signal or trace the grader's processes, and a process that leaves the process group (setsid) can outlive the run.",
		}
	}
}
