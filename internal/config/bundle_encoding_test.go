package config

import (
	"errors"
	"strings"
	"testing"
)

// TestBundleXMLEncodings: issue 24 held these, kept held here: bundle XML in another encoding
// than UTF-8 (UTF-16 with its byte order mark, Latin-1 bytes, a declared ISO-8859-1 or UTF-16
// over UTF-8 bytes) is refused at its field, never uploaded for the tenant to read otherwise.
func TestBundleXMLEncodings(t *testing.T) {
	for _, c := range []struct{ name, xml, want string }{
		{"UTF-16 with a byte order mark", "\xff\xfe<\x00F\x00o\x00r\x00m\x00/\x00>\x00", "is not UTF-8"},
		{"Latin-1 bytes", "<Form name=\"caf\xe9\"/>", "is not UTF-8"},
		{"ISO-8859-1 declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Form/>", "is not well-formed XML"},
		{"UTF-16 declared over UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<Form/>", "is not well-formed XML"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := bundleFiles()
			files["connectors/bundle/source-config.xml"] = c.xml
			write(t, dir, files)
			_, err := Load(dir)
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != 1 || !strings.HasPrefix(ps[0].String(), `connectors/acme-hr.yaml:4:15: sourceConfig: "bundle/source-config.xml" `+c.want) {
				t.Errorf("Load: %v, want sourceConfig %s", err, c.want)
			}
		})
	}
}
