// TypeORM migration classes (.ts or .js) read as SQL migrations: the up() and down()
// methods' queryRunner.query(...) calls with plain string arguments (template literals
// without substitutions, quoted strings, + of those) and literal parameter arrays. Anything
// else (query builder calls, loops, conditionals, variables) is named with its line instead
// of guessed at.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ms::core {

struct ConvertProblem {
    int line;
    std::string what;
};

struct TypeormMigration {
    std::string version;  // the class name's timestamp (TypeORM's milliseconds)
    std::string name;     // the class name before it, in snake_case
    std::string up_sql;
    std::string down_sql;
};

struct TypeormConversion {
    std::optional<TypeormMigration> migration;  // nullopt when the file holds no migration class
    std::vector<ConvertProblem> problems;       // non-empty: the migration must not be written
};

// file_name: for the version when the class name has none ("1700000000000-AddUser.ts").
TypeormConversion convert_typeorm(std::string_view source, std::string_view file_name);

}  // namespace ms::core
