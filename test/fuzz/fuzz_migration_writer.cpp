// generate_migration on schema pairs the fuzzer shapes: lines of "kind|object|attribute|value"
// (and "depends|kind|object|kind|object") split at a 0xff byte into a live and a desired
// schema. Whatever the input, each script must be well formed: quotes, dollar quotes and
// parentheses balanced outside what the input itself put there, every statement ending
// with ';', and equal schemas giving no statement at all.
#include "check.hpp"

#include "core/schema/migration_writer.hpp"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

using namespace ms::core;

namespace {

// The kinds and attributes the writer reads, so that mutations reach its branches.
const char* const kinds[] = {"schema", "table", "column", "constraint", "index", "sequence", "view",
                             "function", "trigger", "policy", "type", "extension", "aggregate",
                             "statistics", "rule"};

std::string clean(std::string text) {
    // Values are identifiers and expressions the server printed: the fuzzer's free text is
    // reduced to characters that keep the generated statements checkable.
    std::string out;
    for (const char c : text)
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ' ')
            out += c;
    return out;
}

SchemaModel parse(const std::string& text) {
    std::vector<SchemaAttribute> attributes;
    std::vector<SchemaDependency> deps;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> f;
        std::istringstream fields(line);
        std::string x;
        while (std::getline(fields, x, '|'))
            f.push_back(x);
        if (f.size() == 5 && f[0] == "depends") {
            deps.push_back({{f[1], clean(f[2])}, {f[3], clean(f[4])}});
            continue;
        }
        if (f.size() < 4)
            continue;
        std::string kind = f[0];
        if (kind.size() == 1 && kind[0] >= '0' && kind[0] <= '9' + 5)
            kind = kinds[static_cast<std::size_t>(kind[0] - '0') % (sizeof kinds / sizeof *kinds)];
        std::string value = f[2] == "values" ? "[\"" + clean(f[3]) + "\"]" : clean(f[3]);
        attributes.push_back({kind, clean(f[1]), clean(f[2]), value});
    }
    return build_model(attributes, deps);
}

// Statements of a script: what is not a comment line, split at ";\n" ends.
void check_script(const std::string& script) {
    int depth = 0;
    bool in_quote = false;
    std::istringstream lines(script);
    std::string line, statement;
    while (std::getline(lines, line)) {
        if (line.rfind("--", 0) == 0)
            continue;
        for (const char c : line) {
            if (c == '\'')
                in_quote = !in_quote;
            else if (!in_quote && c == '(')
                ++depth;
            else if (!in_quote && c == ')')
                --depth;
            FUZZ_CHECK(depth >= 0);
        }
        statement += line;
        if (!line.empty() && line.back() == ';' && depth == 0 && !in_quote)
            statement.clear();
    }
    FUZZ_CHECK(depth == 0);
    FUZZ_CHECK(!in_quote);
    FUZZ_CHECK(statement.find_first_not_of(" \t") == std::string::npos);  // every statement ended
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto split = input.find('\xff');
    const SchemaModel live = parse(input.substr(0, split));
    const SchemaModel desired = parse(split == std::string::npos ? std::string() : input.substr(split + 1));
    for (const bool online : {true, false}) {
        GenerateOptions options;
        options.online = online;
        const GeneratedMigration g = generate_migration(live, desired, options);
        check_script(g.up);
        check_script(g.down);
        FUZZ_CHECK(generate_migration(live, live, options).empty);
        FUZZ_CHECK(generate_migration(desired, desired, options).empty);
    }
    return 0;
}
