#include "pg/base/result_set.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
}

#include <stdexcept>
#include <vector>

namespace ms::pg {

ResultSet::ResultSet(FunctionCallInfo fcinfo)
    : info_(reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo)) {
    pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
}

namespace {

Datum text_array_datum(const std::vector<std::string>& texts) {
    std::vector<Datum> elements;
    for (const auto& t : texts)
        elements.push_back(pg_call([&] {
            return PointerGetDatum(cstring_to_text_with_len(t.data(), static_cast<int>(t.size())));
        }));
    return pg_call([&] {
        return PointerGetDatum(construct_array(elements.data(), static_cast<int>(elements.size()),
                                               TEXTOID, -1, false, TYPALIGN_INT));
    });
}

Datum float8_array_datum(const std::vector<double>& numbers) {
    std::vector<Datum> elements;
    for (const double n : numbers)
        elements.push_back(Float8GetDatum(n));
    return pg_call([&] {
        return PointerGetDatum(construct_array(elements.data(), static_cast<int>(elements.size()),
                                               FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
    });
}

}  // namespace

void ResultSet::add_row(std::initializer_list<Cell> cells) {
    // Columns are only ever added at the end: a caller whose SQL definition predates the
    // newer ones (before ALTER EXTENSION ... UPDATE) gets the columns it declares.
    const int columns = info_->setDesc->natts;
    if (static_cast<int>(cells.size()) < columns)
        throw std::logic_error("result row has the wrong number of columns");
    const std::vector<Cell> kept(cells.begin(), cells.begin() + columns);
    std::vector<Datum> values;
    std::vector<char> nulls;  // bool, but std::vector<bool> has no data()
    values.reserve(kept.size());
    nulls.reserve(kept.size());
    for (const auto& c : kept) {
        Datum value = 0;
        switch (c.kind) {
        case Cell::Kind::Null: break;
        case Cell::Kind::Text: {
            const std::string& s = *c.text_value;
            value = pg_call([&] {
                return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
            });
            break;
        }
        case Cell::Kind::Float8: value = Float8GetDatum(c.float_value); break;
        case Cell::Kind::Int4: value = Int32GetDatum(c.int_value); break;
        case Cell::Kind::Int8: value = Int64GetDatum(c.int8_value); break;
        case Cell::Kind::Bool: value = BoolGetDatum(c.bool_value); break;
        case Cell::Kind::Datum: value = c.datum_value; break;
        case Cell::Kind::TextArray: value = text_array_datum(*c.texts); break;
        case Cell::Kind::Float8Array: value = float8_array_datum(*c.numbers); break;
        }
        values.push_back(value);
        nulls.push_back(c.kind == Cell::Kind::Null);
    }
    static_assert(sizeof(bool) == sizeof(char));
    pg_call([&] {
        tuplestore_putvalues(info_->setResult, info_->setDesc, values.data(),
                             reinterpret_cast<bool*>(nulls.data()));
    });
    // The tuplestore copied the row; the text datums are garbage now.
    std::size_t i = 0;
    for (const auto& c : kept) {
        if (c.kind == Cell::Kind::Text)
            pfree(DatumGetPointer(values[i]));
        ++i;
    }
}

}  // namespace ms::pg
