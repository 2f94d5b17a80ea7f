// Reading SQL arguments. The functions are not STRICT, so that a NULL where a value is
// required gets a clear error instead of a silent NULL result. A parameter added in a later
// version is absent while an older install script's definition calls the new library (between
// a package upgrade and ALTER EXTENSION ... UPDATE): it reads as its SQL default.
#pragma once

#include "pg/base/pg.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n);
std::string required_text(FunctionCallInfo fcinfo, int n, const char* name);
// absent: the value of a parameter the caller's SQL definition does not have yet.
bool required_bool(FunctionCallInfo fcinfo, int n, const char* name,
                   std::optional<bool> absent = std::nullopt);
int required_int(FunctionCallInfo fcinfo, int n, const char* name);
// A text[] argument; NULL is nullopt, a NULL element is refused (it names nothing, and
// skipping it silently would do less than the caller asked for).
std::optional<std::vector<std::string>> optional_text_array(FunctionCallInfo fcinfo, int n,
                                                            const char* name,
                                                            const char* hint = "");

// A `schemas text[]` argument: the schemas named, or nullopt (NULL) for every user schema.
std::optional<std::vector<std::string>> schemas_argument(FunctionCallInfo fcinfo, int n);

// A project name: non-empty, at most 200 characters.
std::string project_argument(FunctionCallInfo fcinfo, int n);

}  // namespace ms::pg
