// Command sailsync keeps a SailPoint Identity Security Cloud tenant's sources, custom connectors,
// entitlement schemas and transforms as version-controlled YAML: validate, plan, drift, apply,
// export. The command line lives in internal/cli; the engine in config, diff and sync.
package main

import (
	"os"

	"github.com/sailsync/sailsync/internal/cli"
)

func main() { os.Exit(cli.Main()) }
