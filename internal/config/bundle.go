package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/value"
)

// MaxBundleFileSize bounds each file of a connector bundle (XML, properties): 1 MiB, as a
// template. Real source configs are a few kilobytes.
const MaxBundleFileSize = 1 << 20

// BundlePart describes one XML part of a connector bundle: how it is declared, where the tenant's
// ConnectorDetail holds it, and the file name export gives it. The table is the one list of
// XML parts; diff, sync and export derive from it.
type BundlePart struct {
	// Field is the Connector key in YAML ("sourceConfig").
	Field string
	// Live is the ConnectorDetail field holding the tenant's copy ("sourceConfigXml").
	Live string
	// ExportName is the file export writes the part to, in the connector's bundle directory.
	ExportName string
}

// XMLParts are the XML parts of a connector bundle, in the order they are planned and sent.
var XMLParts = []BundlePart{
	{Field: "sourceConfig", Live: "sourceConfigXml", ExportName: "source-config.xml"},
	{Field: "sourceTemplate", Live: "applicationXml", ExportName: "source-template.xml"},
	{Field: "correlationConfig", Live: "correlationConfigXml", ExportName: "correlation-config.xml"},
}

// Bundle keys that are not XML parts: translations by locale and inline metadata.
const (
	FieldTranslations      = "translations"
	FieldConnectorMetadata = "connectorMetadata"
	// LiveTranslations is the ConnectorDetail field holding the translations by locale.
	LiveTranslations = "translationProperties"
)

// Bundle is a connector's declared bundle: what the tenant keeps besides the connector's own
// fields, updated by requests of its own after the connector exists. Nil parts are not
// declared and never compared or sent.
type Bundle struct {
	// XML holds the declared XML parts by BundlePart.Field.
	XML map[string]*BundleFile
	// Translations are the declared properties files, sorted by locale.
	Translations []Translation
	// Metadata is connectorMetadata as declared (nil when not declared); only its keys are
	// compared and sent.
	Metadata *value.Object
	// MetadataPos is the position of each declared metadata key's value, by key.
	MetadataPos map[string]Pos
}

// BundleFile is a file of a bundle with its content, read (and checked) by the loader.
type BundleFile struct {
	File
	Data []byte
}

// Translation is one declared translations file.
type Translation struct {
	Locale string
	BundleFile
}

// Empty reports whether nothing of the bundle is declared.
func (b *Bundle) Empty() bool {
	return b == nil || len(b.XML) == 0 && len(b.Translations) == 0 && b.Metadata == nil
}

// bundle takes the bundle keys out of a Connector document's fields and reads their files. The
// schema has checked the keys' types when valid; an invalid document still gets its files
// checked where the value is usable, so that every problem shows in one run.
func (l *loader) bundle(d *document, fields *value.Object) *Bundle {
	b := &Bundle{XML: map[string]*BundleFile{}}
	for _, part := range XMLParts {
		v, ok := fields.Get(part.Field)
		fields.Delete(part.Field)
		rel, isString := v.(string)
		if !ok || !isString || rel == "" {
			continue // absent, or a schema error says what is wrong
		}
		if f, ok := l.bundleFile(d.file, rel, d.positions[part.Field], part.Field, checkXML); ok {
			b.XML[part.Field] = f
		}
	}
	if v, ok := fields.Get(FieldTranslations); ok {
		fields.Delete(FieldTranslations)
		if m, isObj := v.(*value.Object); isObj {
			for locale, e := range m.All() {
				rel, isString := e.(string)
				if !isString || rel == "" {
					continue
				}
				field := FieldTranslations + "." + locale
				if f, ok := l.bundleFile(d.file, rel, d.positions[field], field, checkProperties); ok {
					b.Translations = append(b.Translations, Translation{Locale: locale, BundleFile: *f})
				}
			}
			sort.Slice(b.Translations, func(i, j int) bool { return b.Translations[i].Locale < b.Translations[j].Locale })
		}
	}
	if v, ok := fields.Get(FieldConnectorMetadata); ok {
		fields.Delete(FieldConnectorMetadata)
		if m, isObj := v.(*value.Object); isObj {
			b.Metadata = m
			b.MetadataPos = map[string]Pos{}
			for k := range m.All() {
				b.MetadataPos[k] = d.positions[FieldConnectorMetadata+"."+k]
			}
		}
	}
	if b.Empty() {
		return nil
	}
	return b
}

// bundleFile checks and reads one bundle file, then checks its content with check, reporting
// a problem at the declaring field.
func (l *loader) bundleFile(yamlRel, rel string, at Pos, field string, check func([]byte) error) (*BundleFile, bool) {
	if l.ctx.Err() != nil {
		return nil, false // LoadContext returns the context's error
	}
	f, ok := l.file(yamlRel, rel, at, field, MaxBundleFileSize, "a bundle file")
	if !ok {
		return nil, false
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %q cannot be read: %v", field, rel, unwrapPath(err))})
		return nil, false
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxBundleFileSize+1))
	if err == nil && len(data) > MaxBundleFileSize {
		err = fmt.Errorf("larger than %s", size(MaxBundleFileSize))
	}
	if err != nil {
		l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %q cannot be read: %v", field, rel, unwrapPath(err))})
		return nil, false
	}
	if err := check(data); err != nil {
		l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %q %v", field, rel, err)})
		return nil, false
	}
	return &BundleFile{File: f, Data: data}, true
}

// MaxXMLDepth bounds how deeply a bundle's XML may nest elements: 256. SailPoint's connector
// XML (a Form of Sections of Fields, an Application's attribute maps and schemas) nests about 10
// deep; canonical XML for a diff indents by depth, so its size grows with the square of the
// nesting (config and diff both hold XML to this bound).
const MaxXMLDepth = 256

// utf8BOM is the byte order mark some editors put at the start of a UTF-8 file.
const utf8BOM = "\ufeff"

// checkXML reports whether data is one well-formed XML document: UTF-8 (a byte order mark
// allowed), one root element nested at most MaxXMLDepth deep, nothing but comments, processing
// instructions, a harmless DOCTYPE (see checkDoctype) and white space around it.
func checkXML(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("is not UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte(utf8BOM))))
	dec.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("is not well-formed XML: line %d: %s", se.Line, se.Msg)
			}
			return fmt.Errorf("is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					line, _ := dec.InputPos()
					return fmt.Errorf("is not well-formed XML: line %d: a second root element <%s>", line, t.Name.Local)
				}
			}
			depth++
			if depth > MaxXMLDepth {
				line, _ := dec.InputPos()
				return fmt.Errorf("is refused: line %d: elements nested deeper than %d levels", line, MaxXMLDepth)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				line, _ := dec.InputPos()
				return fmt.Errorf("is not well-formed XML: line %d: text outside the root element", line)
			}
		case xml.Directive:
			if err := checkDoctype(string(t), depth, roots); err != nil {
				line, _ := dec.InputPos()
				return fmt.Errorf("is refused: line %d: %w", line, err)
			}
		}
	}
	if roots == 0 {
		return errors.New("is not well-formed XML: it has no root element")
	}
	return nil
}

// doctypeLiteral is a quoted public or system identifier of a DOCTYPE.
var doctypeLiteral = regexp.MustCompile(`"[^"]*"|'[^']*'`)

// bareDTD is a system identifier that names a DTD without saying where to fetch it, as
// SailPoint's own XML does: "sailpoint.dtd".
var bareDTD = regexp.MustCompile(`^[A-Za-z0-9._-]+\.dtd$`)

// checkDoctype accepts the one directive real connector XML carries, a DOCTYPE before the root
// element that names a DTD by a bare file name (`<!DOCTYPE Application PUBLIC "sailpoint.dtd"
// "sailpoint.dtd">`), and refuses the rest rather than strip it, so that what is uploaded is
// the file as reviewed: a system identifier that is a URL or a path makes the tenant's parser
// fetch it (XXE, SSRF), and an internal subset can declare entities (entity expansion bombs).
func checkDoctype(d string, depth, roots int) error {
	fields := strings.Fields(d)
	if len(fields) == 0 || fields[0] != "DOCTYPE" {
		return fmt.Errorf("a <!%s> declaration outside a DOCTYPE", strings.Join(fields[:min(len(fields), 1)], ""))
	}
	if depth > 0 || roots > 0 {
		return errors.New("a DOCTYPE after the root element's start")
	}
	if strings.ContainsAny(d, "[]") {
		return errors.New("a DOCTYPE with an internal subset (it can declare entities); only a DOCTYPE naming a DTD like \"sailpoint.dtd\" is accepted")
	}
	lits := doctypeLiteral.FindAllString(d, -1)
	keyword := ""
	if len(fields) > 2 {
		keyword = fields[2]
	}
	var system string
	switch {
	case keyword == "SYSTEM" && len(lits) == 1:
		system = lits[0]
	case keyword == "PUBLIC" && len(lits) == 2:
		system = lits[1]
	case keyword == "" && len(lits) == 0:
		return nil
	default:
		return fmt.Errorf("a DOCTYPE that is not NAME PUBLIC \"id\" \"file.dtd\" or NAME SYSTEM \"file.dtd\"")
	}
	if id := system[1 : len(system)-1]; !bareDTD.MatchString(id) {
		return fmt.Errorf("a DOCTYPE with the external DTD %q, which the tenant's parser may fetch; only a bare name like \"sailpoint.dtd\" is accepted", id)
	}
	return nil
}

// checkProperties reports whether data parses as a properties file.
func checkProperties(data []byte) error {
	_, err := ParseProperties(data)
	return err
}

// Property is one key=value entry of a properties file.
type Property struct {
	Key, Value string
	// Line is the line the entry starts on, from 1.
	Line int
}

// ParseProperties parses a Java properties file as the tenant reads translations: UTF-8,
// `#` and `!` comments, `=`, `:` or white space between key and value, a trailing backslash
// continuing the line, and the escapes \t \n \r \f \uXXXX (any other escaped character stands
// for itself). A later entry for the same key replaces the earlier one, as in Java; entries come
// back in file order, each key once, at its last place.
func ParseProperties(data []byte) ([]Property, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("is not UTF-8")
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	var all []Property
	last := map[string]int{} // each key's last entry in all
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		// Join continuation lines: an odd number of trailing backslashes continues the entry.
		// A builder, not +=, which copied the entry so far once per line (quadratic).
		if continues(line) {
			var b strings.Builder
			for continues(line) && i+1 < len(lines) {
				b.WriteString(line[:len(line)-1])
				i++
				line = strings.TrimLeft(lines[i], " \t\f")
			}
			if continues(line) {
				line = line[:len(line)-1]
			}
			b.WriteString(line)
			line = b.String()
		}
		key, rest := splitKey(line)
		k, err := unescapeProperty(key)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", start, err)
		}
		v, err := unescapeProperty(rest)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", start, err)
		}
		last[k] = len(all)
		all = append(all, Property{Key: k, Value: v, Line: start})
	}
	// Each key at its last place, in one pass: removing an earlier entry and renumbering the
	// rest for every repeated key made a 1 MiB file of repeated keys take a minute.
	out := make([]Property, 0, len(last))
	for i, p := range all {
		if last[p.Key] == i {
			out = append(out, p)
		}
	}
	return out, nil
}

// continues reports whether a logical line ends in an odd number of backslashes.
func continues(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitKey splits an entry at the first unescaped '=', ':' or white space, dropping the
// separator and the white space around it.
func splitKey(line string) (key, rest string) {
	end := len(line)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			end = i
			break
		}
	}
	key, rest = line[:end], line[end:]
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	return key, rest
}

// unescapeProperty resolves the escapes of a properties key or value.
func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\uXXXX escape %q", s[i-1:])
			}
			n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", fmt.Errorf("malformed \\uXXXX escape %q", s[i-1:i+5])
			}
			i += 4
			r := rune(n)
			// A character outside the BMP is written as a surrogate pair of two escapes.
			if utf16.IsSurrogate(r) && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				if lo, err := strconv.ParseUint(s[i+3:i+7], 16, 16); err == nil {
					if pair := utf16.DecodeRune(r, rune(lo)); pair != utf8.RuneError {
						r = pair
						i += 6
					}
				}
			}
			b.WriteRune(r)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}
