#include "cli/dsn.hpp"

#include "cli/options.hpp"
#include "core/client/conninfo.hpp"

#include <libpq-fe.h>

#include <boost/algorithm/string/trim.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>

namespace ms::cli {

namespace {

using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// The keywords this libpq knows, read once.
bool known_keyword(std::string_view word) {
    static const std::set<std::string, std::less<>> keywords = [] {
        std::set<std::string, std::less<>> k;
        const ConninfoOptions defaults(PQconndefaults(), &PQconninfoFree);
        for (auto* o = defaults.get(); o && o->keyword; ++o) k.insert(o->keyword);
        return k;
    }();
    return keywords.find(word) != keywords.end();
}

}  // namespace

std::string mask_dsn(const std::string& dsn) {
    return core::mask_conninfo(dsn, known_keyword);
}

std::string shown_argument(const std::string& argument) {
    return core::looks_like_conninfo(argument) ? mask_dsn(argument) : argument;
}

std::optional<std::string> dsn_problem(const std::string& dsn) {
    if (auto why = core::ambiguous_conninfo(dsn)) return why;
    char* error = nullptr;
    const ConninfoOptions parsed(PQconninfoParse(dsn.c_str(), &error), &PQconninfoFree);
    if (parsed) return std::nullopt;
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return "invalid connection string: " +
           core::mask_conninfo_message(message, dsn, known_keyword);
}

namespace {

// libpq's own default for a keyword (the operating system user for `user`), read once.
std::string libpq_default(const std::string& keyword) {
    static const std::map<std::string, std::string> defaults = [] {
        std::map<std::string, std::string> d;
        const ConninfoOptions options(PQconndefaults(), &PQconninfoFree);
        for (auto* o = options.get(); o && o->keyword; ++o)
            if (o->val) d[o->keyword] = o->val;
        return d;
    }();
    const auto it = defaults.find(keyword);
    return it == defaults.end() ? std::string() : it->second;
}

// Which database a string names, however it is written (keywords or a URI, any order,
// other options aside, any role): host, port and database as libpq would fill them in. Two
// roles on one database are still one database to migrate.
std::string database_named(const std::string& dsn) {
    char* error = nullptr;
    const ConninfoOptions parsed(PQconninfoParse(dsn.c_str(), &error), &PQconninfoFree);
    PQfreemem(error);
    if (!parsed) return dsn;  // refused later, with its reason
    std::map<std::string, std::string> given;
    for (auto* o = parsed.get(); o->keyword; ++o)
        if (o->val && *o->val) given[o->keyword] = o->val;
    const auto value = [&](const char* keyword, const char* env) {
        if (const auto it = given.find(keyword); it != given.end()) return it->second;
        if (const char* e = std::getenv(env); e && *e) return std::string(e);
        return libpq_default(keyword);
    };
    const std::string user = value("user", "PGUSER");
    const std::string host = given.count("hostaddr") ? given["hostaddr"] : value("host", "PGHOST");
    std::string port = value("port", "PGPORT");
    if (port.empty()) port = "5432";
    std::string dbname = value("dbname", "PGDATABASE");
    if (dbname.empty()) dbname = user;
    return host + '\n' + port + '\n' + dbname;
}

}  // namespace

std::vector<DsnLine> read_dsn_file(const std::string& path, bool writes) {
    std::ifstream in(path);
    if (!in) throw UsageError("could not read dsn file \"" + path + "\"");
    std::vector<DsnLine> dsns;
    std::map<std::string, int> first_line;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        boost::algorithm::trim(line);
        if (line.empty() || line[0] == '#') continue;
        const auto [it, fresh] = first_line.emplace(writes ? database_named(line) : line, number);
        if (!fresh)
            throw UsageError("dsn file \"" + path + "\" lists " + mask_dsn(line) +
                             " twice (lines " + std::to_string(it->second) + " and " +
                             std::to_string(number) + "): a database would be migrated by two "
                             "workers at once");
        dsns.push_back({line, number});
    }
    if (in.bad()) throw UsageError("could not read dsn file \"" + path + "\"");
    if (dsns.empty()) throw UsageError("dsn file \"" + path + "\" lists no connection string");
    return dsns;
}

}  // namespace ms::cli
