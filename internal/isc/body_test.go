package isc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sailsync/sailsync/internal/value"
)

// TestReadBodyLikeReadAll: readBody returns what io.ReadAll(io.LimitReader(r, maxBody+1))
// returned, bytes and error, whatever the declared size and however the reader delivers.
func TestReadBodyLikeReadAll(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte(`{"name":"Bench Source 00001"},`), 400)
	readers := map[string]func(b []byte) io.Reader{
		"whole":      func(b []byte) io.Reader { return bytes.NewReader(b) },
		"one byte":   func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"half":       func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		"data + EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
		"truncated": func(b []byte) io.Reader {
			return io.MultiReader(bytes.NewReader(b), iotest.ErrReader(io.ErrUnexpectedEOF))
		},
	}
	for _, n := range []int{0, 1, 2, 511, 512, 513, len(body)} {
		for name, mk := range readers {
			for _, size := range []int64{-1, int64(n), int64(n) - 1, int64(n) + 100} {
				for _, buf := range [][]byte{nil, make([]byte, 3, 7), make([]byte, 0, 100000)} {
					t.Run(fmt.Sprintf("%d bytes %s size %d cap %d", n, name, size, cap(buf)), func(t *testing.T) {
						want, werr := io.ReadAll(io.LimitReader(mk(body[:n]), maxBody+1))
						got, gerr := readBody(mk(body[:n]), size, buf)
						if !bytes.Equal(got, want) || !errors.Is(gerr, werr) || (werr == nil) != (gerr == nil) {
							t.Fatalf("readBody %d bytes, %v; io.ReadAll %d bytes, %v", len(got), gerr, len(want), werr)
						}
					})
				}
			}
		}
	}
}

// TestPooledBodiesNotKept: the objects of one answer stay intact while later answers reuse
// its body buffer (nothing decoded refers to the buffer).
func TestPooledBodiesNotKept(t *testing.T) {
	t.Parallel()
	pages := [][]byte{benchPage(1), benchPage(1001), benchPage(2001)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"tok-0123456789","token_type":"bearer","expires_in":43199}`))
	})
	mux.HandleFunc("GET /v3/sources", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		i := 0
		_, _ = fmt.Sscan(r.URL.Query().Get("offset"), &i)
		_, _ = w.Write(pages[i/PageSize%len(pages)])
	})
	mux.HandleFunc("GET /v3/sources/{id}/schemas", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `[{"name":"group-%s","nativeObjectType":"group"}]`, r.PathValue("id"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", RatePer10s: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got [][]*value.Object
	var schemas [][]*value.Object
	for round := range 2 {
		for i := range pages {
			keep := func(string) bool { return true }
			if round == 1 {
				keep = func(name string) bool { return strings.HasSuffix(name, "1") }
			}
			p, err := c.ListSourcesPageKeep(ctx, "", i*PageSize, keep)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.Objects)
			s, err := c.ListSchemas(ctx, fmt.Sprintf("src%d", i))
			if err != nil {
				t.Fatal(err)
			}
			schemas = append(schemas, s)
		}
	}
	for i, objs := range got {
		want, _, err := value.DecodeObjectsKeep(pages[i%len(pages)], func(name string) bool { return i < len(pages) || strings.HasSuffix(name, "1") })
		if err != nil {
			t.Fatal(err)
		}
		if g, w := mustMarshal(t, objs), mustMarshal(t, want); !bytes.Equal(g, w) {
			t.Fatalf("page %d changed after later requests:\n%.300s\nwant\n%.300s", i, g, w)
		}
		if g, w := string(mustMarshal(t, schemas[i])), fmt.Sprintf(`[{"name":"group-src%d","nativeObjectType":"group"}]`, i%len(pages)); g != w {
			t.Fatalf("schemas %d: %s, want %s", i, g, w)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
