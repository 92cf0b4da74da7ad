package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// The GitLab recipe's jobs call jq and curl, which a machine with only Go lacks: linked as "jq"
// or "curl", the test binary plays exactly the calls the recipe makes, and refuses any other,
// so that a change to the recipe cannot pass unnoticed.

// jqNotesProgram is the recipe's selection of the token's own note by its marker.
const jqNotesProgram = `[.[] | select(.author.username == $me and (.body | startswith($m)))][0].id // empty`

// fakeJQ plays `jq -r .username` and the notes program with --arg m and --arg me.
func fakeJQ(args []string) int {
	vars := map[string]string{}
	var program string
	raw := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-r":
			raw = true
		case a == "--arg" && i+2 < len(args):
			vars[args[i+1]] = args[i+2]
			i += 2
		case program == "":
			program = a
		default:
			fmt.Fprintf(os.Stderr, "fake jq: unexpected argument %q\n", a)
			return 2
		}
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil || !raw {
		fmt.Fprintln(os.Stderr, "fake jq: needs -r and a JSON input")
		return 2
	}
	switch program {
	case ".username":
		var u struct {
			Username string `json:"username"`
		}
		if err := json.Unmarshal(in, &u); err != nil {
			fmt.Fprintln(os.Stderr, "fake jq:", err)
			return 2
		}
		fmt.Println(u.Username)
	case jqNotesProgram:
		var notes []struct {
			ID     json.Number `json:"id"`
			Body   string      `json:"body"`
			Author struct {
				Username string `json:"username"`
			} `json:"author"`
		}
		if err := json.Unmarshal(in, &notes); err != nil {
			fmt.Fprintln(os.Stderr, "fake jq:", err)
			return 2
		}
		for _, n := range notes {
			if n.Author.Username == vars["me"] && strings.HasPrefix(n.Body, vars["m"]) {
				fmt.Println(n.ID)
				break
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "fake jq: the program %q is not one the recipe runs\n", program)
		return 2
	}
	return 0
}

// fakeCurl plays `curl -sf [-X METHOD] [--header H]… [--data-urlencode name@file] URL`.
func fakeCurl(args []string) int {
	method, target := "", ""
	header := http.Header{}
	form := url.Values{}
	fail := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-sf" || a == "-fs":
			fail = true
		case a == "-s":
		case a == "-f":
			fail = true
		case a == "-X" && i+1 < len(args):
			method = args[i+1]
			i++
		case a == "--header" && i+1 < len(args):
			k, v, _ := strings.Cut(args[i+1], ":")
			header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			i++
		case a == "--data-urlencode" && i+1 < len(args):
			name, file, ok := strings.Cut(args[i+1], "@")
			if !ok {
				fmt.Fprintf(os.Stderr, "fake curl: --data-urlencode %q: want name@file\n", args[i+1])
				return 2
			}
			b, err := os.ReadFile(file)
			if err != nil {
				fmt.Fprintln(os.Stderr, "fake curl:", err)
				return 26
			}
			form.Add(name, string(b))
			i++
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(os.Stderr, "fake curl: the option %q is not one the recipe uses\n", a)
			return 2
		default:
			target = a
		}
	}
	var body io.Reader
	if len(form) > 0 {
		body = strings.NewReader(form.Encode())
		if method == "" {
			method = http.MethodPost
		}
		header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake curl:", err)
		return 3
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake curl:", err)
		return 7
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, resp.Body)
	if fail && resp.StatusCode >= 400 {
		return 22
	}
	_, _ = os.Stdout.Write(out.Bytes())
	return 0
}
