package tenanttest

import "github.com/sailsync/sailsync/internal/value"

// LiveSource is a delimited-file source named name as an admin creates it in the tenant, for
// emulator.AddSource.
func LiveSource(name, description string) *value.Object {
	o := value.NewObject()
	o.Set("name", name)
	o.Set("description", description)
	owner := value.NewObject()
	owner.Set("type", "IDENTITY")
	owner.Set("id", BenchOwnerID)
	owner.Set("name", "Amelia Ortiz")
	o.Set("owner", owner)
	o.Set("connector", "delimited-file")
	o.Set("connectorClass", "sailpoint.connector.DelimitedFileConnector")
	o.Set("type", "DelimitedFile")
	return o
}
