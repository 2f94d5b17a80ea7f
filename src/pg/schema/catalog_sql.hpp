// The shorthand the catalog queries of src/pg/schema are written in: {=} for
// OPERATOR(pg_catalog.=) and the other operators they use, so that every operator is
// qualified; {rc:pg_class} for 'pg_catalog.pg_class'::pg_catalog.regclass.
#pragma once

#include <string>

namespace ms::pg {

// The query with the shorthand spelled out.
std::string expand_catalog_sql(std::string sql);

}  // namespace ms::pg
