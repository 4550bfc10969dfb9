// Command attacker is a trusted stand-in for hostile submission code: each
// subcommand tries one thing and prints what happened, as "ok ..." or
// "error: ...", for the sandbox tests to check.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: attacker COMMAND [ARG...]")
		os.Exit(2)
	}
	args := os.Args[2:]
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch os.Args[1] {
	case "exit": // exit CODE
		n, _ := strconv.Atoi(arg(0))
		os.Exit(n)
	case "env":
		fmt.Print(strings.Join(os.Environ(), "\n"))
	case "dial": // dial ADDR
		c, err := net.DialTimeout("tcp", arg(0), 2*time.Second)
		if err == nil {
			c.Close()
		}
		report(err, "connected")
	case "read": // read FILE
		b, err := os.ReadFile(arg(0))
		report(err, string(b))
	case "write": // write FILE: create or truncate it
		report(os.WriteFile(arg(0), []byte("attacker was here\n"), 0o644), "written")
	case "append": // append FILE: open an existing file for writing
		f, err := os.OpenFile(arg(0), os.O_WRONLY|os.O_APPEND, 0)
		if err == nil {
			_, err = f.WriteString("attacker was here\n")
			f.Close()
		}
		report(err, "written")
	case "mkdir": // mkdir DIR
		report(os.Mkdir(arg(0), 0o755), "made")
	case "fsize": // fsize FILE N: write N bytes
		n, _ := strconv.Atoi(arg(1))
		f, err := os.Create(arg(0))
		if err == nil {
			_, err = f.Write(make([]byte, n))
			f.Close()
		}
		report(err, "written")
	case "spin":
		for {
		}
	case "sleep": // sleep MARKER SECONDS
		n, _ := strconv.Atoi(arg(1))
		time.Sleep(time.Duration(n) * time.Second)
	case "spawn": // spawn MARKER: leave a child behind, in its own session
		cmd := exec.Command("/proc/self/exe", "sleep", arg(0), "60")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: arg(1) == "setsid"}
		err := cmd.Start()
		if err == nil {
			err = cmd.Process.Release()
		}
		time.Sleep(50 * time.Millisecond) // let it start
		report(err, "spawned")
	case "respawn": // respawn MARKER: a chain of children, each in its own session, starting the next and exiting
		cmd := exec.Command("/proc/self/exe", "respawn", arg(0), "child")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		err := cmd.Start()
		if arg(1) == "child" {
			time.Sleep(5 * time.Millisecond)
			os.Exit(0)
		}
		time.Sleep(50 * time.Millisecond)
		report(err, "spawned")
	case "spawnwait": // spawnwait MARKER: leave a child behind, then sleep
		cmd := exec.Command("/proc/self/exe", "sleep", arg(0), "60")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		report(cmd.Start(), "spawned")
		time.Sleep(60 * time.Second)
	case "kill": // kill everything it can, then its parent
		e1 := syscall.Kill(-1, syscall.SIGKILL)
		e2 := syscall.Kill(os.Getppid(), syscall.SIGKILL)
		fmt.Printf("kill(-1): %v\nkill(ppid %d): %v\n", errString(e1), os.Getppid(), errString(e2))
	case "procs": // list /proc's processes
		ents, err := os.ReadDir("/proc")
		var pids []string
		for _, e := range ents {
			if _, err := strconv.Atoi(e.Name()); err == nil {
				pids = append(pids, e.Name())
			}
		}
		report(err, strings.Join(pids, " "))
	case "id":
		status, _ := os.ReadFile("/proc/self/status")
		var caps []string
		for _, l := range strings.Split(string(status), "\n") {
			for _, k := range []string{"CapEff:", "CapPrm:", "CapBnd:", "NoNewPrivs:"} {
				if strings.HasPrefix(l, k) {
					caps = append(caps, strings.Join(strings.Fields(l), ""))
				}
			}
		}
		groups, _ := os.Getgroups()
		host, _ := os.Hostname()
		var pdeath int32
		syscall.Syscall(syscall.SYS_PRCTL, syscall.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&pdeath)), 0)
		fmt.Printf("uid=%d gid=%d groups=%v host=%s pdeathsig=%d %s\n", os.Getuid(), os.Getgid(), groups, host, pdeath, strings.Join(caps, " "))
	case "remount": // remount DIR read-write
		report(syscall.Mount("", arg(0), "", syscall.MS_REMOUNT|syscall.MS_BIND, ""), "remounted")
	case "fds": // fds: read fd 3, write it upper-cased to fd 4
		b, err := os.ReadFile("/proc/self/fd/3")
		if err == nil {
			_, err = os.NewFile(4, "out").WriteString(strings.ToUpper(string(b)))
		}
		report(err, "copied")
	case "nproc": // nproc N: start N sleepers
		started := 0
		var err error
		for range atoi(arg(0)) {
			cmd := exec.Command("/bin/sleep", "30")
			if err = cmd.Start(); err != nil {
				break
			}
			started++
		}
		fmt.Printf("started %d\n", started)
		report(err, "all started")
	case "openfds": // list the open descriptors below 64, but the Go runtime's own
		var open []string
		for fd := range 64 {
			if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0); e == 0 {
				// Since Go 1.25 the runtime keeps the cgroup's CPU limit files open.
				if l, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); !strings.HasPrefix(l, "/sys/fs/cgroup/") {
					open = append(open, strconv.Itoa(fd))
				}
			}
		}
		fmt.Println(strings.Join(open, " "))
	case "openmany": // openmany N: open /dev/null N times
		var err error
		n := 0
		for ; n < atoi(arg(0)); n++ {
			if _, err = os.Open("/dev/null"); err != nil {
				break
			}
		}
		fmt.Printf("opened %d\n", n)
		report(err, "all opened")
	case "alloc": // alloc N: allocate and touch N bytes
		b := make([]byte, atoi(arg(0)))
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		fmt.Println("ok allocated", len(b))
	case "cwd":
		d, err := os.Getwd()
		report(err, d)
	default:
		fmt.Fprintln(os.Stderr, "attacker: unknown command", os.Args[1])
		os.Exit(2)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return max(n, 1)
}

func report(err error, ok string) {
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("ok", ok)
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return "error: " + err.Error()
}
