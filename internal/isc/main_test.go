package isc_test

import (
	"os"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestMain runs more tests at once than GOMAXPROCS: most wait out retry pauses, rate limits and timeouts.
func TestMain(m *testing.M) {
	tenanttest.MoreParallel()
	os.Exit(m.Run())
}
