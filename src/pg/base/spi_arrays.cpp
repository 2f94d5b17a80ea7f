#include "pg/base/spi_arrays.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include <memory>

namespace ms::pg {

namespace {

// A one-dimensional array parameter; an element without a value is NULL.
template <class T, class ToDatum>
SqlArg array_arg(Oid array_type, Oid element_type, const std::vector<std::optional<T>>& values,
                 ToDatum to_datum) {
    std::vector<Datum> elements;
    std::vector<bool> nulls;
    elements.reserve(values.size());
    nulls.reserve(values.size());
    for (const auto& v : values) {
        elements.push_back(v ? to_datum(*v) : Datum(0));
        nulls.push_back(!v);
    }
    std::unique_ptr<bool[]> null_flags(new bool[values.size() + 1]);
    for (std::size_t i = 0; i < nulls.size(); ++i)
        null_flags[i] = nulls[i];
    ArrayType* array = pg_call([&] {
        int16 len = 0;
        bool byval = false;
        char align = 0;
        get_typlenbyvalalign(element_type, &len, &byval, &align);
        int dims[1] = {static_cast<int>(elements.size())};
        int lbs[1] = {1};
        return construct_md_array(elements.data(), null_flags.get(), 1, dims, lbs, element_type,
                                  len, byval, align);
    });
    return SqlArg{array_type, PointerGetDatum(array), false};
}

}  // namespace

SqlArg texts_arg(const std::vector<std::optional<std::string>>& values) {
    return array_arg(TEXTARRAYOID, TEXTOID, values,
                     [](const std::string& v) { return text_arg(v).value; });
}

SqlArg float8s_arg(const std::vector<std::optional<double>>& values) {
    return array_arg(FLOAT8ARRAYOID, FLOAT8OID, values,
                     [](double v) { return Float8GetDatum(v); });
}

SqlArg int4s_arg(const std::vector<std::optional<int>>& values) {
    return array_arg(INT4ARRAYOID, INT4OID, values, [](int v) { return Int32GetDatum(v); });
}

SqlArg timestamps_arg(const std::vector<std::optional<TimestampTz>>& values) {
    return array_arg(TIMESTAMPTZARRAYOID, TIMESTAMPTZOID, values,
                     [](TimestampTz v) { return TimestampTzGetDatum(v); });
}

}  // namespace ms::pg
