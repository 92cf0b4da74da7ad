package tenanttest

import (
	"flag"
	"fmt"
)

// Parallel is how many parallel tests a package that calls MoreParallel runs at once.
const Parallel = 8

// MoreParallel raises -test.parallel to Parallel unless the command line gives it, for a
// TestMain to call before m.Run. The default, GOMAXPROCS, suits tests that compute; these wait
// on the emulator over loopback, on child processes and on retry pauses, and with two cores two
// at a time leaves the machine idle.
func MoreParallel() {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", fmt.Sprint(Parallel)); err != nil {
			panic(err) // not called from a test binary's TestMain
		}
	}
}
