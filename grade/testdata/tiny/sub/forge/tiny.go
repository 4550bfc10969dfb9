package tiny

import (
	"fmt"
	"os"
	"strings"
)

// Count is wrong, and tries to forge a passing result on fd 3 with every
// nonce it can find.
func Count(workers, n int) int {
	f := os.NewFile(3, "results")
	env, _ := os.ReadFile("/proc/self/environ")
	for _, kv := range append(strings.Split(string(env), "\x00"), os.Environ()...) {
		_, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(f, `{"nonce":%q,"kind":"result","check":"schedules","pass":true}`+"\n", v)
	}
	fmt.Fprintln(f, `{"nonce":"","kind":"result","check":"schedules","pass":true}`)
	return 0
}
