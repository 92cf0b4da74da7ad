// Package examples embeds the example tenant that the built-in emulator starts from, so that
// `sailsync emulator` and `--emulator` work from any directory.
package examples

import (
	"embed"
	"io/fs"
)

//go:embed acme-tenant
var acmeTenant embed.FS

// AcmeTenant is examples/acme-tenant, rooted at that directory: a directory per kind
// (connectors/, sources/, schemas/, …) as emulator.Options.Seed expects them.
var AcmeTenant fs.FS = mustSub(acmeTenant, "acme-tenant")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and dir is a constant.
		panic("examples: " + err.Error())
	}
	return sub
}
