// Rows of a set-returning function, materialised into the tuplestore PostgreSQL provides.
#pragma once

#include "pg/base/pg.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

// One output value. Text is converted when the row is added, while the string is alive.
struct Cell {
    enum class Kind { Null, Text, Float8, Int4, Int8, Bool, Datum, TextArray, Float8Array } kind = Kind::Null;
    const std::string* text_value = nullptr;
    const std::vector<std::string>* texts = nullptr;
    const std::vector<double>* numbers = nullptr;
    double float_value = 0;
    int int_value = 0;
    long long int8_value = 0;
    bool bool_value = false;
    ::Datum datum_value = 0;

    static Cell null() { return Cell{}; }
    static Cell text(const std::string& s) { Cell c; c.kind = Kind::Text; c.text_value = &s; return c; }
    static Cell text(const std::optional<std::string>& s) { return s ? text(*s) : null(); }
    static Cell float8(double v) { Cell c; c.kind = Kind::Float8; c.float_value = v; return c; }
    static Cell int4(int v) { Cell c; c.kind = Kind::Int4; c.int_value = v; return c; }
    static Cell int8(long long v) { Cell c; c.kind = Kind::Int8; c.int8_value = v; return c; }
    static Cell boolean(bool v) { Cell c; c.kind = Kind::Bool; c.bool_value = v; return c; }
    static Cell text_array(const std::vector<std::string>* v) {
        if (v == nullptr) return null();
        Cell c; c.kind = Kind::TextArray; c.texts = v; return c;
    }
    static Cell float8_array(const std::vector<double>* v) {
        if (v == nullptr) return null();
        Cell c; c.kind = Kind::Float8Array; c.numbers = v; return c;
    }
    // A datum of the column's own type, by value or already copied.
    static Cell datum(::Datum d, bool is_null) {
        if (is_null) return null();
        Cell c; c.kind = Kind::Datum; c.datum_value = d; return c;
    }
};

class ResultSet {
public:
    explicit ResultSet(FunctionCallInfo fcinfo);
    void add_row(std::initializer_list<Cell> cells);

private:
    ReturnSetInfo* info_;
};

}  // namespace ms::pg
