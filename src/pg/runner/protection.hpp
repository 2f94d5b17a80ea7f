// What a migration may not do: change the extension's own schema, tables and functions
// (that would corrupt the record of what ran). The hooks act while base/activity says that
// user SQL is running.
#pragma once

namespace ms::pg {

// Installed once per backend, from _PG_init.
void install_protection_hooks();

}  // namespace ms::pg
