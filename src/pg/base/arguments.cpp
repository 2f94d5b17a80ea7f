#include "pg/base/arguments.hpp"

#include "core/base/control_characters.hpp"
#include "core/base/failure.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
}

namespace ms::pg {

namespace {

core::Failure null_argument(const char* name) {
    return core::Failure(core::FailureKind::NullValue,
                         std::string("argument \"") + name + "\" must not be NULL");
}

}  // namespace

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n) {
    if (n >= PG_NARGS() || PG_ARGISNULL(n))
        return std::nullopt;
    text* t = pg_call([&] { return PG_GETARG_TEXT_PP(n); });
    return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

std::string required_text(FunctionCallInfo fcinfo, int n, const char* name) {
    auto value = optional_text(fcinfo, n);
    if (!value)
        throw null_argument(name);
    return std::move(*value);
}

bool required_bool(FunctionCallInfo fcinfo, int n, const char* name,
                   std::optional<bool> absent) {
    if (n >= PG_NARGS() && absent)
        return *absent;
    if (n >= PG_NARGS() || PG_ARGISNULL(n))
        throw null_argument(name);
    return PG_GETARG_BOOL(n);
}

int required_int(FunctionCallInfo fcinfo, int n, const char* name) {
    if (PG_ARGISNULL(n))
        throw null_argument(name);
    return PG_GETARG_INT32(n);
}

std::optional<std::vector<std::string>> optional_text_array(FunctionCallInfo fcinfo, int n,
                                                            const char* name, const char* hint) {
    if (PG_ARGISNULL(n))
        return std::nullopt;
    ArrayType* array = pg_call([&] { return PG_GETARG_ARRAYTYPE_P(n); });
    Datum* elements = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    pg_call([&] {
        deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
    });
    std::vector<std::string> values;
    values.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            throw core::Failure(core::FailureKind::NullValue,
                                std::string("argument \"") + name + "\" must not contain NULL",
                                "Element " + std::to_string(i + 1) + " is NULL.", hint);
        text* t = pg_call([&] { return DatumGetTextPP(elements[i]); });
        values.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
    return values;
}

std::string project_argument(FunctionCallInfo fcinfo, int n) {
    std::string project = required_text(fcinfo, n, "project");
    core::refuse_control_characters("project name", project);
    if (project.empty() || project.size() > 200)
        throw core::Failure(core::FailureKind::InvalidValue,
                            "invalid project name \"" + project + "\"",
                            "A project name has 1 to 200 characters.");
    return project;
}

std::optional<std::vector<std::string>> schemas_argument(FunctionCallInfo fcinfo, int n) {
    return optional_text_array(fcinfo, n, "schemas",
                               "Name each schema, or pass NULL instead of an array for every "
                               "user schema.");
}

}  // namespace ms::pg
