package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/emulator"
)

// emulatorOptions are the options of `sailsync emulator`.
type emulatorOptions struct {
	Addr      string
	Seed      string
	RateLimit int
	Latency   time.Duration
	// ScriptNameRule and FoldNames choose how the emulated tenant plays the API's undocumented
	// parts (see emulator.Options).
	ScriptNameRule string
	FoldNames      bool
	// FoldPlainNames makes the names of transforms (the plain kinds) compare case-insensitively.
	FoldPlainNames bool
	// CipherFormat and EncryptListedOnly choose how the tenant returns secrets (see
	// emulator.Options).
	CipherFormat      string
	EncryptListedOnly bool
	// ConnectorNameIsType, TaskPolls and the bundle and schema variants below play the other
	// undocumented behaviours (see emulator.Options and README's Real tenants).
	ConnectorNameIsType     bool
	TaskPolls               int
	TemplateDefault         bool
	SourceConfigFields      string
	CorrelationConfigFields string
	TranslationsDetail      string
	MetadataDetail          string
	SchemaExtras            bool
	// Export and ExportPolls play the configuration export job (emulator.Options.Export).
	Export      string
	ExportPolls int
	// Realistic serves emulator.RealisticTenant(RealisticSources, RealisticSeed) instead of a
	// seed directory; Tick and TickStampsModified play the platform's own writes (see
	// emulator.Options).
	Realistic          bool
	RealisticSources   int
	RealisticSeed      uint64
	Tick               time.Duration
	TickStampsModified bool
	// AllowRemote permits a listen address other than loopback: the emulator's credentials
	// are public demo values and it speaks plain HTTP.
	AllowRemote bool

	stdout, stderr io.Writer
}

func newEmulatorCmd() *cobra.Command {
	opts := &emulatorOptions{}
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve an emulated ISC tenant (the Acme example, or --seed DIR) for trying sailsync without a tenant",
		Long: `Serve an in-memory ISC tenant over HTTP with the same paths, bodies and status codes as a
real one, seeded with the Acme example tenant (or --seed DIR: connectors/, sources/ and
schemas/<source name>/ JSON files as the API returns them, or --realistic: a generated tenant
shaped like a real one). It prints the environment to point sailsync at it and serves until
interrupted; all changes are lost when it stops. POST /debug/tick (no token) plays the
platform's aggregations and health checks, as --tick does on a timer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runEmulator(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8787", "listen address (host:port; port 0 picks a free one)")
	cmd.Flags().StringVar(&opts.Seed, "seed", "", "seed directory (default: the embedded Acme example tenant)")
	cmd.Flags().IntVar(&opts.RateLimit, "rate-limit", 0, "answer 429 above this many requests per 10 s per client (0: no limit; the tenant's is 100)")
	cmd.Flags().DurationVar(&opts.Latency, "latency", 0, "delay added to every request, e.g. 50ms")
	cmd.Flags().StringVar(&opts.ScriptNameRule, "scriptname-rule", "slug", "how a new connector's scriptName is derived from its name: slug (acme-hr), dash (one - per character) or suffix (an opaque suffix)")
	cmd.Flags().BoolVar(&opts.FoldNames, "fold-connector-names", false, "compare connector names case-insensitively (\"acme hr\" is refused beside \"Acme HR\")")
	cmd.Flags().BoolVar(&opts.FoldPlainNames, "fold-names", false, "compare transform names case-insensitively (\"lowercase email\" is refused beside \"Lowercase Email\")")
	cmd.Flags().StringVar(&opts.CipherFormat, "cipher-format", "enc", "the shape of the cipher text secrets are returned as: enc (2:ENC-…), acp (1:ACP:…) or bare (2:…)")
	cmd.Flags().BoolVar(&opts.EncryptListedOnly, "encrypt-listed-only", false, "encrypt only the connectorAttributes keys connectorAttributes.encrypted names, not password-like names")
	cmd.Flags().BoolVar(&opts.ConnectorNameIsType, "connector-name-is-type", false, "give sources their connector's type as connectorName instead of its name")
	cmd.Flags().IntVar(&opts.TaskPolls, "task-polls", 0, "status reads that show a source deletion's task still running before it completes")
	cmd.Flags().BoolVar(&opts.TemplateDefault, "template-default", false, "keep ConnectorDetail's applicationXml at the generated template: an uploaded source template shows only at GET …/source-template")
	cmd.Flags().StringVar(&opts.SourceConfigFields, "source-config-fields", emulator.FieldsBoth, "ConnectorDetail fields that show the source config: both (sourceConfigXml and sourceConfig), xml, plain or none (GET …/source-config only)")
	cmd.Flags().StringVar(&opts.CorrelationConfigFields, "correlation-config-fields", emulator.FieldsXML, "ConnectorDetail fields that show the correlation config: xml (correlationConfigXml), both (and correlationConfig) or plain (correlationConfig only)")
	cmd.Flags().StringVar(&opts.TranslationsDetail, "translations-detail", emulator.TranslationsMap, "how ConnectorDetail shows translationProperties: map (locale → text), lower (zh-tw), underscore (zh_TW), parsed (locale → key → value) or none (GET …/translations/{locale} only)")
	cmd.Flags().StringVar(&opts.MetadataDetail, "metadata-detail", emulator.MetadataStored, "how connectorMetadata is shown: stored, extra (keys of the tenant's own added) or string (JSON text)")
	cmd.Flags().BoolVar(&opts.SchemaExtras, "schema-extras", false, "answer entitlement schemas with keys reordered, attributes sorted by name and properties of the tenant's own")
	cmd.Flags().StringVar(&opts.Export, "export", "", "how the configuration export job behaves: complete (default), forbidden (403, no sp:config:read), missing (404), failed, no-children (sources without embedded schemas) or partial-schemas (embedded schemas without ids)")
	cmd.Flags().IntVar(&opts.ExportPolls, "export-polls", 0, "status reads that show an export job in progress before it completes")
	cmd.Flags().BoolVar(&opts.Realistic, "realistic", false, "serve a generated tenant shaped like a real one (SaaS connectors with UUID types, unpublished features, nulls, empty schemas, runtime state, secrets) instead of the Acme example")
	cmd.Flags().IntVar(&opts.RealisticSources, "realistic-sources", emulator.RealisticSources, "with --realistic: how many sources")
	cmd.Flags().Uint64Var(&opts.RealisticSeed, "realistic-seed", 1, "with --realistic: the generator's seed (the same seed, the same tenant)")
	cmd.Flags().DurationVar(&opts.Tick, "tick", 0, "play the platform's aggregations and health checks this often, e.g. 30s: every source's runtime state is rewritten (0: only on POST /debug/tick)")
	cmd.Flags().BoolVar(&opts.TickStampsModified, "tick-stamps-modified", false, "a tick also gives every source a new modified, as a tenant that stamps the platform's writes would")
	cmd.Flags().BoolVar(&opts.AllowRemote, "allow-remote", false, "allow an --addr other than loopback (0.0.0.0:8787, a LAN address): anyone who reaches it gets the demo credentials")
	_ = cmd.MarkFlagDirname("seed") // completion offers directories; the flag exists
	return cmd
}

// maxRealisticSources bounds --realistic-sources: the performance scenario's largest tenant is
// 10,000 sources, and each generated one takes a few kilobytes.
const maxRealisticSources = 100000

// localBaseURL is the base URL sailsync on this machine reaches a listener at, one it accepts
// (plain HTTP to loopback only): the address itself when loopback, 127.0.0.1 when bound to
// every interface, "" for a specific other address.
func localBaseURL(a *net.TCPAddr) string {
	switch {
	case a.IP.IsLoopback():
		return "http://" + a.String()
	case a.IP.IsUnspecified():
		return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
	}
	return ""
}

// runEmulator serves the emulator until ctx is done (Ctrl-C).
func runEmulator(ctx context.Context, opts *emulatorOptions) error {
	var seed fs.FS = examples.AcmeTenant
	seedName := "the Acme example tenant"
	if opts.Seed != "" {
		st, err := os.Stat(opts.Seed)
		if err != nil {
			return fmt.Errorf("--seed: %w", err)
		}
		if !st.IsDir() {
			return fmt.Errorf("--seed %s: not a directory", opts.Seed)
		}
		seed, seedName = os.DirFS(opts.Seed), opts.Seed
		if err := emulator.CheckSeedDir(seed); err != nil {
			return fmt.Errorf("--seed %s: %w", opts.Seed, err)
		}
	}
	if opts.Realistic {
		if opts.Seed != "" {
			return errors.New("--realistic and --seed: choose one tenant")
		}
		if opts.RealisticSources < 1 || opts.RealisticSources > maxRealisticSources {
			return fmt.Errorf("--realistic-sources %d: must be from 1 to %d", opts.RealisticSources, maxRealisticSources)
		}
		seed = emulator.RealisticTenant(opts.RealisticSources, opts.RealisticSeed)
		seedName = fmt.Sprintf("a realistic tenant of %d sources (seed %d)", opts.RealisticSources, opts.RealisticSeed)
	}
	if opts.Tick < 0 {
		return fmt.Errorf("--tick %s: must be 0 or more", opts.Tick)
	}
	if opts.RateLimit < 0 {
		return fmt.Errorf("--rate-limit %d: must be 0 or more", opts.RateLimit)
	}
	if opts.TaskPolls < 0 {
		return fmt.Errorf("--task-polls %d: must be 0 or more", opts.TaskPolls)
	}
	if opts.ExportPolls < 0 {
		return fmt.Errorf("--export-polls %d: must be 0 or more", opts.ExportPolls)
	}
	if opts.Export == "complete" {
		opts.Export = emulator.ExportOK
	}
	rule, err := emulator.ParseScriptNameRule(opts.ScriptNameRule)
	if err != nil {
		return fmt.Errorf("--scriptname-rule: %w", err)
	}
	cipherFormat, err := emulator.ParseCipherFormat(opts.CipherFormat)
	if err != nil {
		return fmt.Errorf("--cipher-format: %w", err)
	}
	emu, err := emulator.New(emulator.Options{Seed: seed, RatePer10s: opts.RateLimit, Latency: opts.Latency,
		ScriptNameRule: rule, FoldConnectorNames: opts.FoldNames, FoldNames: opts.FoldPlainNames,
		ConnectorNameIsType: opts.ConnectorNameIsType, TaskPolls: opts.TaskPolls,
		TemplateDefault: opts.TemplateDefault, SourceConfigFields: opts.SourceConfigFields,
		CorrelationConfigFields: opts.CorrelationConfigFields, TranslationsDetail: opts.TranslationsDetail,
		MetadataDetail: opts.MetadataDetail, SchemaExtras: opts.SchemaExtras,
		CipherFormat: cipherFormat, EncryptListedOnly: opts.EncryptListedOnly,
		TickEvery: opts.Tick, TickStampsModified: opts.TickStampsModified, Export: opts.Export, ExportPolls: opts.ExportPolls})
	if err != nil {
		return err
	}
	defer emu.Close()
	addr, err := net.ResolveTCPAddr("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("emulator: --addr: %w", err)
	}
	if !addr.IP.IsLoopback() && !opts.AllowRemote {
		return fmt.Errorf("emulator: --addr %s listens beyond this machine (the emulator's credentials are public demo values and it speaks plain HTTP): use a loopback address such as 127.0.0.1, or add --allow-remote", opts.Addr)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	if !bound.IP.IsLoopback() {
		fmt.Fprintf(opts.stderr, "warning: the emulator listens on %s, reachable from other machines: anyone who reaches it gets its demo credentials; it has no TLS\n", bound)
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	base := localBaseURL(bound)
	fmt.Fprintf(opts.stdout, "# sailsync emulator: %s, serving on http://%s\n", seedName, bound)
	if base != "" {
		fmt.Fprintf(opts.stdout, "export SAIL_BASE_URL=%s\n", base)
	} else {
		// sailsync sends credentials over plain HTTP to loopback only: no address to print.
		fmt.Fprintf(opts.stdout, "# no SAIL_BASE_URL: sailsync refuses plain http:// to %s (not loopback); put a TLS proxy in front\n", bound)
	}
	fmt.Fprintf(opts.stdout, "export SAIL_CLIENT_ID=%s\n", emu.ClientID())
	fmt.Fprintf(opts.stdout, "export SAIL_CLIENT_SECRET=%s\n", emu.ClientSecret())
	fmt.Fprintf(opts.stdout, "# demo credentials of an in-memory tenant; press Ctrl-C to stop (changes are not kept)\n")
	if opts.Tick > 0 && base != "" {
		fmt.Fprintf(opts.stdout, "# the platform ticks every %s (runtime state of every source); curl -X POST %s%s ticks now\n", opts.Tick, base, emulator.DebugTickPath)
	}

	select {
	case err := <-served:
		return fmt.Errorf("emulator: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("emulator: shutdown: %w", err)
	}
	fmt.Fprintln(opts.stderr, "emulator stopped")
	return nil
}
