package tenanttest

// Secrets are distinctive values for the secrets the example repository references
// (examples/acme): no output of any command may contain them.
var Secrets = map[string]string{
	"ACME_HR_TOKEN":    "hr-token-Zq81x",
	"HR_DB_PASSWORD":   "db-pass-Kp27w",
	"AD_BIND_PASSWORD": "ad-pass-Mv64r",
}

// Env looks a name up in Secrets, as os.LookupEnv would in an environment holding them.
func Env(name string) (string, bool) {
	v, ok := Secrets[name]
	return v, ok
}
