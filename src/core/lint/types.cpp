#include "core/lint/types.hpp"

#include <initializer_list>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

// Length-limited varlena types store typmod = length + VARHDRSZ.
constexpr int varlena_header = 4;

// An interval's typmod: every field (no YEAR TO MONTH and the like), and no precision.
constexpr int interval_full_range = 0x7fff;
constexpr int interval_full_precision = 0xffff;
constexpr int interval_max_precision = 6;

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    for (const auto n : names)
        if (name == n)
            return true;
    return false;
}

// numeric(p) means numeric(p, 0); a lone precision is how the grammar passes it.
std::vector<int> normalized(std::string_view name, const std::vector<int>& modifiers) {
    if (name == "numeric" && modifiers.size() == 1)
        return {modifiers[0], 0};
    return modifiers;
}

// A limit (length or precision) that only grows: PostgreSQL's support functions prove the
// old values still fit and skip the per-row check. No limit at all always fits.
bool limit_grows(const std::vector<int>& from, const std::vector<int>& to) {
    if (to.empty())
        return true;
    return !from.empty() && to[0] >= from[0];
}

// Casts PostgreSQL performs without a function (pg_cast.castmethod = 'b') between the types
// columns commonly change between. A length limit on the target still needs a check,
// except where the source is already a shorter bit string.
bool binary_coercible_without_check(std::string_view from, std::string_view to,
                                    const std::vector<int>& from_mods,
                                    const std::vector<int>& to_mods) {
    if (is_one_of(from, {"varchar", "xml"}) && to == "text")
        return true;
    if (is_one_of(from, {"text", "xml"}) && to == "varchar")
        return to_mods.empty();
    if (is_one_of(from, {"varchar", "text", "xml"}) && to == "bpchar")
        return to_mods.empty();
    if (from == "cidr" && to == "inet")
        return true;
    if (from == "bit" && to == "varbit")
        return limit_grows(from_mods, to_mods);
    return false;
}

}  // namespace

std::vector<int> modifiers_from_typmod(std::string_view type_name, int typmod) {
    if (typmod < 0)
        return {};
    if (is_one_of(type_name, {"varchar", "bpchar"}))
        return {typmod - varlena_header};
    if (type_name == "numeric") {
        // Precision in the high 16 bits; the scale is an 11-bit signed field (PostgreSQL 15
        // allows negative scales).
        const int packed = typmod - varlena_header;
        return {(packed >> 16) & 0xffff, ((packed & 0x7ff) ^ 1024) - 1024};
    }
    // The field range in the high 16 bits, the precision in the low ones, as the grammar
    // writes them: interval(3) is {full range, 3}.
    if (type_name == "interval")
        return {(typmod >> 16) & interval_full_range, typmod & interval_full_precision};
    // Bit lengths and time precisions are stored as they are written.
    return {typmod};
}

bool type_change_rewrites(const ColumnType& from, const ColumnType& to, bool time_zone_utc) {
    if (!from.modifiers_known || !to.modifiers_known)
        return true;
    const bool between_timestamps =
        (from.name == "timestamp" && to.name == "timestamptz") ||
        (from.name == "timestamptz" && to.name == "timestamp");
    if (between_timestamps && time_zone_utc)
        return normalized(from.name, from.modifiers) != normalized(to.name, to.modifiers) &&
               !limit_grows(normalized(from.name, from.modifiers),
                            normalized(to.name, to.modifiers));
    const auto from_mods = normalized(from.name, from.modifiers);
    const auto to_mods = normalized(to.name, to.modifiers);
    if (from.name != to.name)
        return !binary_coercible_without_check(from.name, to.name, from_mods, to_mods);
    if (from_mods == to_mods)
        return false;
    const std::string_view name = from.name;
    if (is_one_of(name, {"varchar", "varbit", "timestamp", "timestamptz", "time", "timetz"}))
        return !limit_grows(from_mods, to_mods);
    if (name == "numeric") {
        if (to_mods.empty())
            return false;
        return from_mods.empty() || to_mods.size() < 2 || from_mods.size() < 2 ||
               to_mods[1] != from_mods[1] || to_mods[0] < from_mods[0];
    }
    // Intervals over every field keep their values when the precision grows or reaches the
    // maximum (PostgreSQL's interval_support); narrower field ranges are not judged here.
    // char(n) pads to its length, so any change rewrites; other types' modifiers are not
    // known here.
    if (name == "interval") {
        if (to_mods.empty())
            return false;
        const int from_range = from_mods.empty() ? interval_full_range : from_mods[0];
        const int from_precision = from_mods.size() < 2 ? interval_full_precision : from_mods[1];
        const int to_precision = to_mods.size() < 2 ? interval_full_precision : to_mods[1];
        if (from_range != interval_full_range || to_mods[0] != interval_full_range)
            return true;
        return to_precision < interval_max_precision && to_precision < from_precision;
    }
    return true;
}

TypeStyle type_style(std::string_view name, int modifier_count) {
    TypeStyle s;
    s.serial = is_one_of(name, {"serial", "serial4", "bigserial", "serial8", "smallserial",
                                "serial2"});
    s.narrow_integer = is_one_of(name, {"int2", "int4", "int", "integer", "smallint", "serial",
                                        "serial4", "smallserial", "serial2"});
    s.limited_varchar = is_one_of(name, {"varchar"}) && modifier_count > 0;
    s.timestamp = name == "timestamp";
    s.fixed_char = is_one_of(name, {"bpchar", "char"});
    s.json = name == "json";
    return s;
}

std::string type_display(std::string_view formatted_name, const std::vector<int>& modifiers) {
    std::string out(formatted_name);
    if (modifiers.empty())
        return out;
    out += '(';
    for (std::size_t i = 0; i < modifiers.size(); ++i) {
        if (i > 0)
            out += ',';
        out += std::to_string(modifiers[i]);
    }
    out += ')';
    return out;
}

}  // namespace ms::core
