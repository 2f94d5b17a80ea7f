// The extension's own objects: its tracking schema, its tables and its owner.
#pragma once

#include "pg/base/pg.hpp"

namespace ms::pg {

// Name of the schema holding the tracking tables, fixed by the install script.
constexpr const char* tracking_schema = "migrations_schema";

// Owner of the tracking schema, which is the role that created the extension.
Oid extension_owner();

// Whether a catalog object belongs to the extension: its schema, a relation in it, the
// extension itself, or any member of the extension. Plain C calls only; may ereport.
bool is_extension_object(Oid class_id, Oid object_id);

// Whether a relation created by the current command lies in the tracking schema. The new
// pg_class row is not in the catalog caches yet, so this reads it with SnapshotSelf.
bool is_new_relation_in_tracking_schema(Oid relation_id);

}  // namespace ms::pg
