#include "core/schema/ddl_scope.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

bool is_managed(const std::string& schema, const std::vector<std::string>& managed) {
    if (is_excluded_schema(schema))
        return false;
    return managed.empty() || std::find(managed.begin(), managed.end(), schema) != managed.end();
}

}  // namespace

bool is_excluded_schema(const std::string& schema) {
    using boost::algorithm::starts_with;
    // pg_temp_3 and pg_toast_temp_3 are per-session schemas; "pg_temp" is how the event
    // trigger functions name the session's own.
    return schema == "pg_catalog" || schema == "information_schema" ||
           starts_with(schema, "pg_toast") || starts_with(schema, "pg_temp") ||
           schema == "migrations_schema";
}

DdlVerdict classify_ddl(const DdlObject& object, const std::vector<std::string>& managed) {
    if (object.temporary || object.in_extension)
        return DdlVerdict::Ignore;
    // An extension installs objects of its own; the command itself is worth a log line.
    if (object.object_type == "extension")
        return object.identity == "migrations_schema" ? DdlVerdict::Ignore : DdlVerdict::Log;
    if (object.object_type == "schema")
        return is_excluded_schema(object.identity)          ? DdlVerdict::Ignore
               : is_managed(object.identity, managed)        ? DdlVerdict::Guard
               : managed.empty()                             ? DdlVerdict::Log
                                                             : DdlVerdict::Ignore;
    if (object.schema)
        return is_managed(*object.schema, managed) ? DdlVerdict::Guard : DdlVerdict::Ignore;
    // GRANT and REVOKE do not say which schema their objects are in: they count as managed
    // only when every schema is.
    if (object.command_tag == "GRANT" || object.command_tag == "REVOKE")
        return managed.empty() ? DdlVerdict::Guard : DdlVerdict::Log;
    // Servers, publications, casts, languages: not in a schema, not in the fingerprint.
    return DdlVerdict::Log;
}

}  // namespace ms::core
