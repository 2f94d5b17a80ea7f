// Which ALTER COLUMN ... TYPE changes rewrite the table. PostgreSQL skips the rewrite when the
// old values are already valid values of the new type: a binary-coercible cast whose length
// or precision check can be proven to pass (the varchar/numeric/timestamp "support"
// functions). Everything else rewrites the table and every index under ACCESS EXCLUSIVE.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

// A column type: pg_type.typname ("varchar", "numeric", "_int4" for int4[]) and its
// modifiers as written: varchar(20) -> {20}, numeric(10,2) -> {10, 2}, timestamp(3) -> {3},
// none -> {}.
struct ColumnType {
    std::string name;
    std::vector<int> modifiers;
    bool modifiers_known = true;  // false: modifiers that are not plain integer constants
};

// The modifiers of a type as pg_attribute.atttypmod stores them (-1: none). Types whose
// encoding is not known here give {typmod}, which only ever compares equal to itself.
std::vector<int> modifiers_from_typmod(std::string_view type_name, int typmod);

// Whether changing a column from `from` to `to` (without USING) rewrites the table. Unknown
// cases count as a rewrite: a missed warning costs more than a needless one.
// time_zone_utc: the session's TimeZone is UTC, where timestamp and timestamptz share their
// representation and the server converts between them without a rewrite.
bool type_change_rewrites(const ColumnType& from, const ColumnType& to,
                          bool time_zone_utc = false);

// The style rules' reading of a column type by its parser name ("int4", "serial", "bpchar"):
// which rules object to it.
struct TypeStyle {
    bool narrow_integer = false;  // int2, int4 and their serials
    bool serial = false;          // any serial
    bool limited_varchar = false; // varchar(n)
    bool timestamp = false;       // timestamp without time zone
    bool fixed_char = false;      // char(n), character
    bool json = false;
};
TypeStyle type_style(std::string_view parser_name, int modifier_count);

// "character varying" + {20} -> "character varying(20)", for messages.
std::string type_display(std::string_view formatted_name, const std::vector<int>& modifiers);

}  // namespace ms::core
