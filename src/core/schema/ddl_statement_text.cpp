#include "core/schema/ddl_statement_text.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

// PostgreSQL 15's command tags that fire event triggers, less those that carry secrets:
// CREATE/ALTER SUBSCRIPTION (CONNECTION), CREATE/ALTER SERVER, USER MAPPING, FOREIGN DATA
// WRAPPER, FOREIGN TABLE and IMPORT FOREIGN SCHEMA (OPTIONS). A tag missing here, one a
// later PostgreSQL adds say, keeps no text until it is looked at. Sorted for binary_search.
constexpr std::string_view kept_tags[] = {
    "ALTER ACCESS METHOD", "ALTER AGGREGATE", "ALTER CAST", "ALTER COLLATION",
    "ALTER CONSTRAINT", "ALTER CONVERSION", "ALTER DEFAULT PRIVILEGES", "ALTER DOMAIN",
    "ALTER EXTENSION", "ALTER FUNCTION", "ALTER INDEX", "ALTER LANGUAGE",
    "ALTER LARGE OBJECT", "ALTER MATERIALIZED VIEW", "ALTER OPERATOR", "ALTER OPERATOR CLASS",
    "ALTER OPERATOR FAMILY", "ALTER POLICY", "ALTER PROCEDURE", "ALTER PUBLICATION",
    "ALTER ROUTINE", "ALTER RULE", "ALTER SCHEMA", "ALTER SEQUENCE", "ALTER STATISTICS",
    "ALTER TABLE", "ALTER TEXT SEARCH CONFIGURATION", "ALTER TEXT SEARCH DICTIONARY",
    "ALTER TEXT SEARCH PARSER", "ALTER TEXT SEARCH TEMPLATE", "ALTER TRANSFORM",
    "ALTER TRIGGER", "ALTER TYPE", "ALTER VIEW", "COMMENT", "CREATE ACCESS METHOD",
    "CREATE AGGREGATE", "CREATE CAST", "CREATE COLLATION", "CREATE CONSTRAINT",
    "CREATE CONVERSION", "CREATE DOMAIN", "CREATE EXTENSION", "CREATE FUNCTION",
    "CREATE INDEX", "CREATE LANGUAGE", "CREATE MATERIALIZED VIEW", "CREATE OPERATOR",
    "CREATE OPERATOR CLASS", "CREATE OPERATOR FAMILY", "CREATE POLICY", "CREATE PROCEDURE",
    "CREATE PUBLICATION", "CREATE ROUTINE", "CREATE RULE", "CREATE SCHEMA", "CREATE SEQUENCE",
    "CREATE STATISTICS", "CREATE TABLE", "CREATE TABLE AS", "CREATE TEXT SEARCH CONFIGURATION",
    "CREATE TEXT SEARCH DICTIONARY", "CREATE TEXT SEARCH PARSER",
    "CREATE TEXT SEARCH TEMPLATE", "CREATE TRANSFORM", "CREATE TRIGGER", "CREATE TYPE",
    "CREATE VIEW", "DROP ACCESS METHOD", "DROP AGGREGATE", "DROP CAST", "DROP COLLATION",
    "DROP CONSTRAINT", "DROP CONVERSION", "DROP DOMAIN", "DROP EXTENSION",
    "DROP FOREIGN DATA WRAPPER", "DROP FOREIGN TABLE", "DROP FUNCTION", "DROP INDEX",
    "DROP LANGUAGE", "DROP MATERIALIZED VIEW", "DROP OPERATOR", "DROP OPERATOR CLASS",
    "DROP OPERATOR FAMILY", "DROP OWNED", "DROP POLICY", "DROP PROCEDURE", "DROP PUBLICATION",
    "DROP ROUTINE", "DROP RULE", "DROP SCHEMA", "DROP SEQUENCE", "DROP SERVER",
    "DROP STATISTICS", "DROP SUBSCRIPTION", "DROP TABLE", "DROP TEXT SEARCH CONFIGURATION",
    "DROP TEXT SEARCH DICTIONARY", "DROP TEXT SEARCH PARSER", "DROP TEXT SEARCH TEMPLATE",
    "DROP TRANSFORM", "DROP TRIGGER", "DROP TYPE", "DROP USER MAPPING", "DROP VIEW", "GRANT",
    "REFRESH MATERIALIZED VIEW", "REVOKE", "SECURITY LABEL", "SELECT INTO",
};

// Objects whose definition is where secrets live, whatever command reached them.
constexpr std::string_view secret_holders[] = {
    "foreign-data wrapper", "foreign table", "server", "subscription", "user mapping",
};

bool known_without_secrets(const std::string& tag) {
    return std::binary_search(std::begin(kept_tags), std::end(kept_tags), std::string_view(tag));
}

}  // namespace

bool may_keep_statement_text(const DdlStatementFacts& facts, const DdlObject& object) {
    if (!facts.top_level || facts.top_level_tag != object.command_tag)
        return false;
    if (facts.options_or_connection || facts.procedural_body)
        return false;
    if (std::find(std::begin(secret_holders), std::end(secret_holders),
                  std::string_view(object.object_type)) != std::end(secret_holders))
        return false;
    return known_without_secrets(object.command_tag);
}

}  // namespace ms::core
