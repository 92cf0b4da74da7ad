package isc

import (
	"context"
	"time"
)

// SetTestHooks replaces the client's clock and sleep (tests observe waits instead of sleeping)
// and shortens the backoff bases.
func SetTestHooks(c *Client, now func() time.Time, sleep func(context.Context, time.Duration) error) {
	c.now, c.sleep = now, sleep
	c.backoffBase, c.backoffMax, c.rlBackoff = time.Millisecond, 10*time.Millisecond, time.Millisecond
}

// SetBackoff sets the base delay of retries after transient failures.
func SetBackoff(c *Client, base time.Duration) {
	c.backoffBase, c.backoffMax = base, base
}
