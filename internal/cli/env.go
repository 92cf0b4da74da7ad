package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
)

// EnvSelect is the environment variable that chooses an environment, as --env does.
const EnvSelect = "SAILSYNC_ENV"

// envName is the environment asked for: --env, else $SAILSYNC_ENV.
func (o *connOptions) envName() string {
	if o.Env != "" {
		return o.Env
	}
	return strings.TrimSpace(o.deps.getenv(EnvSelect))
}

// bindEnvironment chooses the repository's environment and returns the repository as that
// environment sees it (its vars in place). It checks, before any request, that the tenant
// the command will talk to is the environment's: sandbox credentials in a production job (or
// the reverse) stop here. The tenant is always the one the job gives (--base-url or
// $SAIL_BASE_URL); the environment's baseUrl only checks it.
func (o *connOptions) bindEnvironment(repo *config.Repo, stderr io.Writer) (*config.Repo, error) {
	env, err := o.environment(repo.Settings, stderr)
	if err != nil || env == nil {
		return repo, err
	}
	return repo.ForEnvironment(env.Name)
}

// environment returns the chosen environment, nil for a repository without environments.
// With --emulator and no choice, the first environment declared is used: the emulated tenant
// stands in for whichever tenant the environment names, so the quick start works as it is.
func (o *connOptions) environment(s config.Settings, stderr io.Writer) (*config.Environment, error) {
	name := o.envName()
	names := s.EnvironmentNames()
	if len(names) == 0 {
		if name != "" {
			return nil, fmt.Errorf("--env %s (or %s): the repository declares no environments (environments: in %s)", name, EnvSelect, config.SettingsFile)
		}
		return nil, nil
	}
	if name == "" {
		if !o.Emulator {
			return nil, fmt.Errorf("the repository declares the environments %s in %s: choose one with --env NAME or %s",
				strings.Join(names, ", "), config.SettingsFile, EnvSelect)
		}
		name = names[0]
		fmt.Fprintf(stderr, "note: using environment %s (the first in %s) against the emulated tenant; choose another with --env\n", name, config.SettingsFile)
	}
	env, ok := s.Environment(name)
	if !ok {
		return nil, fmt.Errorf("environment %q is not declared in %s: choose one of %s", name, config.SettingsFile, strings.Join(names, ", "))
	}
	if o.Emulator {
		return env, nil
	}
	// The tenant, and so where the client secret goes, is chosen only by the job: the flag or
	// its environment. The repository is anyone's to edit in a pull request, so its baseUrl only
	// checks the job's choice; it never makes one.
	given, from := o.BaseURL, "--base-url"
	if given == "" {
		given, from = strings.TrimSpace(o.deps.getenv(isc.EnvBaseURL)), isc.EnvBaseURL
	}
	if given == "" {
		// The repository's URL is not repeated: a pull request could offer its own host here.
		checked := ""
		if env.BaseURL != "" {
			checked = fmt.Sprintf("; the baseUrl at %s:%d only checks the one given, it is never used in its place", env.BaseURLPos.File, env.BaseURLPos.Line)
		}
		return nil, fmt.Errorf("environment %s: no tenant given: set %s (or --base-url) to the tenant of environment %s in the job%s: nothing was sent",
			env.Name, isc.EnvBaseURL, env.Name, checked)
	}
	if env.BaseURL == "" {
		// Nothing to check: the job chose the tenant, as for a repository without environments.
		return env, nil
	}
	want, err := isc.TenantOf(env.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("%s: environment %s: baseUrl: %w", env.BaseURLPos, env.Name, err)
	}
	got, err := isc.TenantOf(given)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	if want != got {
		return nil, fmt.Errorf("environment %s belongs to tenant %s (%s:%d), but %s names tenant %s: nothing was sent; use the credentials of %s, or choose the environment of %s",
			env.Name, want, env.BaseURLPos.File, env.BaseURLPos.Line, from, got, env.Name, got)
	}
	return env, nil
}

// requireEnvironment is validate's --env: the environment (or $SAILSYNC_ENV) must be declared,
// so that a pipeline validating for prod fails on a repository that has no prod.
func requireEnvironment(d *deps, s config.Settings, name string) error {
	o := connOptions{Env: name, deps: d}
	name = o.envName()
	if name == "" {
		return nil
	}
	if len(s.Environments) == 0 {
		return fmt.Errorf("--env %s (or %s): the repository declares no environments (environments: in %s)", name, EnvSelect, config.SettingsFile)
	}
	if _, ok := s.Environment(name); !ok {
		return fmt.Errorf("environment %q is not declared in %s: choose one of %s", name, config.SettingsFile, strings.Join(s.EnvironmentNames(), ", "))
	}
	return nil
}
