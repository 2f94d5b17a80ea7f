#include "core/folder/import.hpp"

#include "core/base/failure.hpp"

#include <boost/algorithm/string/join.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

constexpr std::array<std::pair<ImportSource, const char*>, 9> source_names{{
    {ImportSource::Flyway, "flyway"},
    {ImportSource::GolangMigrate, "golang-migrate"},
    {ImportSource::Dbmate, "dbmate"},
    {ImportSource::NodePgMigrate, "node-pg-migrate"},
    {ImportSource::TypeOrm, "typeorm"},
    {ImportSource::Sqitch, "sqitch"},
    {ImportSource::Liquibase, "liquibase"},
    {ImportSource::SchemaMigrations, "schema_migrations"},
    {ImportSource::Table, "table"},
}};

// "001_create_users.sql", "db/changelog/V1_2__x.sql", "1700000000000_create-users".
// Compiled on first use, not when the library loads.
const std::regex& leading_version() {
    static const std::regex r(R"(^[VvUu]?([0-9]+(?:[._][0-9]+)*)(?:[_\-.]|$))");
    return r;
}

std::optional<Version> try_parse(const std::string& text) {
    try {
        return Version::parse(text);
    } catch (const Failure&) {
        return std::nullopt;
    }
}

class Matcher {
public:
    explicit Matcher(const std::vector<Registered>& registered) {
        for (const auto& r : registered) {
            const auto v = Version::parse(r.version);
            by_canonical_.emplace(v.canonical(), &r);
            by_name_.emplace(r.name, &r);
        }
    }

    const Registered* find(const std::string& key) const {
        if (key.empty())
            return nullptr;
        if (const auto v = try_parse(key))
            if (const auto* r = by_version(*v))
                return r;
        if (const auto it = by_name_.find(key); it != by_name_.end())
            return it->second;
        if (const auto v = file_version(key))
            return by_version(*v);
        return nullptr;
    }

    // The version that starts the file name of a path, if it has one.
    static std::optional<Version> file_version(const std::string& path) {
        const auto slash = path.rfind('/');
        const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        std::smatch m;
        if (base.size() <= 255 && std::regex_search(base, m, leading_version()))
            return try_parse(m[1].str());
        return std::nullopt;
    }

    const Registered* by_version(const Version& v) const {
        const auto it = by_canonical_.find(v.canonical());
        return it == by_canonical_.end() ? nullptr : it->second;
    }

private:
    std::map<std::string, const Registered*> by_canonical_;
    std::map<std::string, const Registered*> by_name_;
};

Failure refuse(const ForeignRecord& r, ImportSource source, const char* what, const char* hint) {
    return Failure(FailureKind::Conflict,
                   std::string(import_source_name(source)) + " records " + r.key + " as " + what,
                   "Importing would mark a half-applied migration as applied.", hint);
}

}  // namespace

namespace {

constexpr const char* mapping_form =
    "table(version_or_name_column, applied_at_column), e.g. migrations_log(name, run_at); the "
    "applied-at column may be left out.";

[[noreturn]] void bad_mapping(std::string_view source, const std::string& why) {
    throw Failure(FailureKind::InvalidValue,
                  "cannot read the import source \"" + std::string(source) + "\": " + why, {},
                  std::string("Name a table with its columns: ") + mapping_form);
}

// The tokens of a mapping: identifiers (bare ones folded to lower case, as SQL does) and
// the punctuation . ( , ).
std::vector<std::pair<char, std::string>> mapping_tokens(std::string_view source) {
    std::vector<std::pair<char, std::string>> tokens;
    std::size_t i = 0;
    while (i < source.size()) {
        const char c = source[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            ++i;
        } else if (c == '.' || c == '(' || c == ',' || c == ')') {
            tokens.emplace_back(c, std::string(1, c));
            ++i;
        } else if (c == '"') {
            std::string name;
            for (++i;; ++i) {
                if (i >= source.size())
                    bad_mapping(source, "a quoted name is not closed");
                if (source[i] == '"') {
                    if (i + 1 < source.size() && source[i + 1] == '"') {
                        name += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                name += source[i];
            }
            if (name.empty())
                bad_mapping(source, "a quoted name is empty");
            tokens.emplace_back('i', name);
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::string name;
            while (i < source.size() && (std::isalnum(static_cast<unsigned char>(source[i])) ||
                                         source[i] == '_' || source[i] == '$'))
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(source[i++])));
            tokens.emplace_back('i', name);
        } else {
            bad_mapping(source, "unexpected character '" + std::string(1, c) + "'");
        }
    }
    return tokens;
}

}  // namespace

std::optional<TableMapping> parse_table_mapping(std::string_view source) {
    if (source.find('(') == std::string_view::npos)
        return std::nullopt;
    const auto tokens = mapping_tokens(source);
    std::size_t at = 0;
    const auto expect = [&](char kind, const char* what) -> std::string {
        if (at >= tokens.size() || tokens[at].first != kind)
            bad_mapping(source, std::string("expected ") + what);
        return tokens[at++].second;
    };
    TableMapping mapping;
    mapping.table = expect('i', "a table name");
    if (at < tokens.size() && tokens[at].first == '.') {
        ++at;
        mapping.schema = mapping.table;
        mapping.table = expect('i', "a table name after the schema");
    }
    expect('(', "( after the table name");
    mapping.key_column = expect('i', "the version or name column");
    if (at < tokens.size() && tokens[at].first == ',') {
        ++at;
        mapping.applied_at_column = expect('i', "the applied-at column");
    }
    expect(')', ") after at most two columns");
    if (at != tokens.size())
        bad_mapping(source, "text after the closing parenthesis");
    return mapping;
}

ImportSource parse_import_source(std::string_view name) {
    for (const auto& [source, text] : source_names)
        if (name == text && source != ImportSource::Table)
            return source;
    if (parse_table_mapping(name))
        return ImportSource::Table;
    std::vector<std::string> known;
    for (const auto& entry : source_names)
        if (entry.first != ImportSource::Table)
            known.emplace_back(entry.second);
    throw Failure(FailureKind::InvalidValue, "unknown import source \"" + std::string(name) + "\"",
                  {}, "Known sources: " + boost::algorithm::join(known, ", ") +
                          "; or a table with its columns: " + mapping_form);
}

const char* import_source_name(ImportSource source) noexcept {
    for (const auto& [s, text] : source_names)
        if (s == source)
            return text;
    return "unknown";
}

const char* import_outcome_name(ImportOutcome o) noexcept {
    switch (o) {
    case ImportOutcome::Imported: return "imported";
    case ImportOutcome::AlreadyApplied: return "already applied";
    case ImportOutcome::NotRegistered: return "not registered";
    }
    return "unknown";
}

std::vector<ImportLine> plan_import(ImportSource source, const std::vector<ForeignRecord>& records,
                                    const std::vector<Registered>& registered,
                                    const std::vector<Applied>& applied) {
    for (const auto& r : records) {
        if (r.status == ForeignRecord::Status::Failed)
            throw refuse(r, source, "failed",
                         "Resolve the failure with the other tool (flyway repair, or mark the "
                         "change), then import again.");
        if (r.status == ForeignRecord::Status::Dirty)
            throw refuse(r, source, "dirty",
                         "Check the schema by hand, then clear the flag with the other tool "
                         "(migrate force VERSION), then import again.");
    }

    // The last record of a key decides: Flyway records an undo after the apply it undoes.
    // A key is only unique together with its alternate: Liquibase changeset ids restart in
    // every file ("--changeset alice:1" in each), so "1" in two files is two changesets.
    using Identity = std::pair<std::string, std::string>;
    std::map<Identity, const ForeignRecord*> last;
    std::vector<Identity> order;
    for (const auto& r : records) {
        Identity id{r.key, r.alternate};
        if (!last.count(id))
            order.push_back(id);
        last[std::move(id)] = &r;
    }
    // Liquibase's file name says which migration a changeset belongs to; its id only
    // numbers changesets within that file. The id decides only when the file name carries
    // no version (a single master changelog).
    const bool by_file = source == ImportSource::Liquibase;

    const Matcher matcher(registered);
    std::set<std::string> applied_canonical;
    for (const auto& a : applied)
        applied_canonical.insert(Version::parse(a.version).canonical());

    std::map<std::string, ImportLine> matched;  // by canonical version, so one line each
    std::vector<ImportLine> unmatched;
    auto take = [&](const Registered& r, const std::string& key) {
        const auto v = Version::parse(r.version);
        const auto outcome = applied_canonical.count(v.canonical()) ? ImportOutcome::AlreadyApplied
                                                                    : ImportOutcome::Imported;
        matched.emplace(v.canonical(), ImportLine{key, r.version, r.name, outcome});
    };

    for (const auto& id : order) {
        const ForeignRecord& r = *last[id];
        if (r.status == ForeignRecord::Status::Undone)
            continue;
        const Registered* found = nullptr;
        if (const auto file = by_file ? Matcher::file_version(r.alternate) : std::nullopt) {
            found = matcher.by_version(*file);
        } else {
            found = matcher.find(r.key);
            if (found == nullptr)
                found = matcher.find(r.alternate);
        }
        if (source == ImportSource::GolangMigrate) {
            // golang-migrate keeps one row: the current version. Everything registered up to
            // it has been applied.
            const auto current = try_parse(r.key);
            if (current)
                for (const auto& reg : registered)
                    if (!(*current < Version::parse(reg.version)))
                        take(reg, r.key);
        }
        if (found != nullptr)
            take(*found, r.key);
        else
            unmatched.push_back(ImportLine{r.key, std::nullopt, {}, ImportOutcome::NotRegistered});
    }

    std::vector<ImportLine> lines;
    lines.reserve(matched.size() + unmatched.size());
    for (auto& [canonical, line] : matched)
        lines.push_back(std::move(line));
    std::sort(lines.begin(), lines.end(), [](const ImportLine& a, const ImportLine& b) {
        return Version::parse(*a.version) < Version::parse(*b.version);
    });
    lines.insert(lines.end(), unmatched.begin(), unmatched.end());
    return lines;
}

}  // namespace ms::core
