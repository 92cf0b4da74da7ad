//go:build unix

package config

import "syscall"

// openNoFollow makes readRegular's open fail on a symbolic link and not wait on a FIFO.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
