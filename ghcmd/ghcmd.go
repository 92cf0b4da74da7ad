// Package ghcmd escapes the values of GitHub Actions workflow commands (::error file=…::message),
// as the runner's toolkit does. It is a leaf so that both the renderers of diff and the commands
// of main can use it.
package ghcmd

import "strings"

var (
	data     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	property = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// Data escapes a workflow command's message (what follows the second ::).
func Data(s string) string { return data.Replace(s) }

// Property escapes a workflow command's property value (file=, title=): as Data, plus ':' and
// ',', which separate properties.
func Property(s string) string { return property.Replace(s) }
