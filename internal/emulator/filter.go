package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// This file implements the subset of the V3 collection-parameter syntax the tenant documents for
// the endpoints served here: filters such as `name eq "x"`, `id in ("a","b")`,
// `name sw "Corp" and authoritative eq true`, with and/or/not and parentheses; and sorters such
// as `name,-modified`. A field or operator the endpoint does not support is a 400, as on a tenant.

// filterFields maps a field path to the operators an endpoint allows on it.
type filterFields map[string]string

// sourceFilterFields is the list documented for GET /v3/sources.
var sourceFilterFields = filterFields{
	"id":                     "eq in ge gt le lt ne isnull sw",
	"name":                   "co eq in sw ge gt ne isnull",
	"type":                   "eq in ge gt ne isnull sw",
	"owner.id":               "eq in ge gt le lt ne isnull sw",
	"features":               "ca co",
	"created":                "eq ge gt in le lt ne isnull sw",
	"modified":               "eq ge gt in le lt ne isnull sw",
	"managementWorkgroup.id": "eq ge gt in le lt ne isnull sw",
	"description":            "eq sw",
	"authoritative":          "eq ne isnull",
	"healthy":                "isnull",
	"status":                 "eq in ge gt le lt ne isnull sw",
	"connectionType":         "eq ge gt in le lt ne isnull sw",
	"connectorName":          "eq ge gt in ne isnull sw",
	"category":               "co eq ge gt in le lt ne sw",
}

// connectorFilterFields is the list documented for GET /v3/connectors.
var connectorFilterFields = filterFields{
	"name":          "sw co",
	"type":          "sw co eq",
	"directConnect": "eq",
	"category":      "eq",
	"features":      "ca",
	"labels":        "ca",
}

var sourceSortFields = map[string]bool{
	"type": true, "created": true, "modified": true, "name": true, "owner.name": true, "healthy": true,
	"status": true, "id": true, "description": true, "owner.id": true, "accountCorrelationConfig.id": true,
	"accountCorrelationConfig.name": true, "managerCorrelationRule.type": true, "managerCorrelationRule.id": true,
	"managerCorrelationRule.name": true, "authoritative": true, "managementWorkgroup.id": true,
	"connectorName": true, "connectionType": true,
}

type filter interface {
	match(o *value.Object) bool
}

type andFilter struct{ l, r filter }
type orFilter struct{ l, r filter }
type notFilter struct{ f filter }
type cmpFilter struct {
	field, op string
	values    []string // literal text (strings unquoted)
}

func (f andFilter) match(o *value.Object) bool { return f.l.match(o) && f.r.match(o) }
func (f orFilter) match(o *value.Object) bool  { return f.l.match(o) || f.r.match(o) }
func (f notFilter) match(o *value.Object) bool { return !f.f.match(o) }

func (f cmpFilter) match(o *value.Object) bool {
	v, present := o.Path(f.field)
	if f.op == "isnull" {
		return !present || v == nil
	}
	if arr, ok := v.([]any); ok {
		// Array fields (features, labels): ca = contains all, co = contains the value.
		has := func(want string) bool {
			for _, e := range arr {
				if s, ok := scalarText(e); ok && s == want {
					return true
				}
			}
			return false
		}
		for _, want := range f.values {
			if !has(want) {
				return false
			}
		}
		return f.op == "ca" || f.op == "co"
	}
	s, ok := scalarText(v)
	if !present || !ok {
		return f.op == "ne"
	}
	want := f.values[0]
	switch f.op {
	case "eq":
		return s == want
	case "ne":
		return s != want
	case "in":
		for _, w := range f.values {
			if s == w {
				return true
			}
		}
		return false
	case "sw":
		return strings.HasPrefix(strings.ToLower(s), strings.ToLower(want))
	case "co":
		return strings.Contains(strings.ToLower(s), strings.ToLower(want))
	case "gt", "ge", "lt", "le":
		c := compareText(s, want)
		switch f.op {
		case "gt":
			return c > 0
		case "ge":
			return c >= 0
		case "lt":
			return c < 0
		default:
			return c <= 0
		}
	}
	return false
}

// scalarText renders a scalar JSON value the way a filter literal spells it.
func scalarText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case json.Number:
		return t.String(), true
	}
	return "", false
}

// compareText compares numerically when both sides are numbers, else as strings (ISO
// timestamps order correctly as strings).
func compareText(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

type filterToken struct {
	text   string
	quoted bool
}

func tokenizeFilter(s string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, filterToken{text: string(c)})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string starting at position %d", i)
			}
			toks = append(toks, filterToken{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r(),\"", rune(s[j])) {
				j++
			}
			toks = append(toks, filterToken{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type filterParser struct {
	toks   []filterToken
	pos    int
	fields filterFields
}

// parseFilter parses a filters query value; the error text is what the 400 answer says.
func parseFilter(s string, fields filterFields) (filter, error) {
	toks, err := tokenizeFilter(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty filter")
	}
	p := &filterParser{toks: toks, fields: fields}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at the end of the filter", p.toks[p.pos].text)
	}
	return f, nil
}

func (p *filterParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *filterParser) or() (filter, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orFilter{l, r}
	}
	return l, nil
}

func (p *filterParser) and() (filter, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.pos++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andFilter{l, r}
	}
	return l, nil
}

func (p *filterParser) unary() (filter, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("filter ends where an expression was expected")
	}
	if p.peekWord("not") {
		p.pos++
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notFilter{f}, nil
	}
	if p.peekWord("(") {
		p.pos++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekWord(")") {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return f, nil
	}
	return p.comparison()
}

func (p *filterParser) comparison() (filter, error) {
	field := p.toks[p.pos]
	if field.quoted {
		return nil, fmt.Errorf("expected a field name, found %q", field.text)
	}
	p.pos++
	ops, ok := p.fields[field.text]
	if !ok {
		return nil, fmt.Errorf("filtering is not supported for field %q", field.text)
	}
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("missing operator after %q", field.text)
	}
	op := strings.ToLower(p.toks[p.pos].text)
	p.pos++
	if !contains(strings.Fields(ops), op) {
		return nil, fmt.Errorf("operator %q is not supported for field %q", op, field.text)
	}
	f := cmpFilter{field: field.text, op: op}
	if op == "isnull" {
		return f, nil
	}
	if op == "in" || (op == "ca" && p.peekWord("(")) {
		if !p.peekWord("(") {
			return nil, fmt.Errorf("%s needs a parenthesised list of values", op)
		}
		p.pos++
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			f.values = append(f.values, v)
			if p.peekWord(",") {
				p.pos++
				continue
			}
			if p.peekWord(")") {
				p.pos++
				break
			}
			return nil, fmt.Errorf("expected , or ) in the list of values for %q", field.text)
		}
		return f, nil
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	f.values = []string{v}
	return f, nil
}

func (p *filterParser) value() (string, error) {
	if p.pos >= len(p.toks) {
		return "", fmt.Errorf("missing value")
	}
	t := p.toks[p.pos]
	if !t.quoted && (t.text == "(" || t.text == ")" || t.text == ",") {
		return "", fmt.Errorf("expected a value, found %q", t.text)
	}
	if !t.quoted {
		// Unquoted literals are booleans, numbers or null only.
		if _, err := strconv.ParseFloat(t.text, 64); err != nil && t.text != "true" && t.text != "false" && t.text != "null" {
			return "", fmt.Errorf("value %q must be quoted", t.text)
		}
	}
	p.pos++
	return t.text, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// sortObjects applies a sorters value ("name,-created"); unsupported fields are an error.
func sortObjects(objs []*value.Object, sorters string, allowed map[string]bool) error {
	type key struct {
		field string
		desc  bool
	}
	var keys []key
	for _, s := range strings.Split(sorters, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		k := key{field: strings.TrimPrefix(s, "-"), desc: strings.HasPrefix(s, "-")}
		if !allowed[k.field] {
			return fmt.Errorf("sorting is not supported for field %q", k.field)
		}
		keys = append(keys, k)
	}
	sort.SliceStable(objs, func(i, j int) bool {
		for _, k := range keys {
			a, _ := objs[i].Path(k.field)
			b, _ := objs[j].Path(k.field)
			as, _ := scalarText(a)
			bs, _ := scalarText(b)
			c := strings.Compare(strings.ToLower(as), strings.ToLower(bs))
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
	return nil
}

// listParams reads a list request's paging and its filters parameter against the fields the
// endpoint documents; on a bad one it writes the 400 and reports false.
func listParams(w http.ResponseWriter, r *http.Request, fields filterFields) (page, filter, bool) {
	p, aerr := parsePage(r)
	if aerr != nil {
		writeError(w, aerr)
		return p, nil, false
	}
	var f filter
	if s := r.URL.Query().Get("filters"); s != "" {
		var err error
		if f, err = parseFilter(s, fields); err != nil {
			writeError(w, badRequest("Invalid filters parameter: "+err.Error()))
			return p, nil, false
		}
	}
	return p, f, true
}
