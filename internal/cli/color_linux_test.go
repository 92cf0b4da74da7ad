//go:build linux

package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal with the standard library only: the plan's stdout is then a
// terminal, as in a user's shell.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("a pseudo-terminal: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("ptsname: %v", e)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.FormatUint(uint64(n), 10), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pseudo-terminal's slave: %v", err)
	}
	return m, s
}

// TestColorOnTerminalOnly: the text plan is coloured on a terminal, and not with --no-color,
// NO_COLOR=1 or TERM=dumb.
func TestColorOnTerminalOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		env       map[string]string
		flags     []string
		wantColor bool
	}{
		{"a terminal", map[string]string{"TERM": "xterm-256color"}, nil, true},
		{"--no-color", map[string]string{"TERM": "xterm-256color"}, []string{"--no-color"}, false},
		{"NO_COLOR", map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"}, nil, false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			setSecrets(t)
			unsetEnv(t, "NO_COLOR")
			for k, v := range tc.env {
				setEnv(t, k, v)
			}
			master, slave := openPTY(t)
			defer master.Close()
			got := make(chan string)
			go func() {
				var b bytes.Buffer
				_, _ = io.Copy(&b, master) // ends with EIO when the slave is closed
				got <- b.String()
			}()
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"plan", "examples/acme", "--emulator"}, tc.flags...), testDeps(t, strings.NewReader(""), slave, &stderr))
			slave.Close()
			out := <-got
			if code != exitChanges || !strings.Contains(out, "Plan: ") {
				t.Fatalf("exit %d\n%s\n%s", code, out, stderr.String())
			}
			if has := strings.Contains(out, "\x1b["); has != tc.wantColor {
				t.Errorf("colour %v, want %v:\n%q", has, tc.wantColor, out[:min(len(out), 300)])
			}
		})
	}
}
