#include "cli/push.hpp"

#include "cli/dsn.hpp"
#include "cli/options.hpp"
#include "core/base/failure.hpp"
#include "core/client/terminal_text.hpp"
#include "core/folder/new_migration.hpp"
#include "core/plan/script.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

namespace ms::cli {

void require_utf8(const std::string& file, const std::string& text) {
    if (const auto bad = core::first_invalid_utf8(text))
        throw core::Failure(core::FailureKind::BadText, "file \"" + file + "\" is not valid UTF-8",
                            "At line " + std::to_string(core::line_at(text, *bad)) + ", byte " +
                                std::to_string(*bad + 1) + ".",
                            "pg_migrate sends scripts as UTF-8: save the file in UTF-8.");
}

std::vector<core::FolderMigration> load_folder(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    // read_folder insists on an absolute path (the server has no meaningful working
    // directory); on the client a relative one is the user's natural spelling.
    const fs::path path = fs::absolute(dir, ec);
    if (ec || !fs::is_directory(path, ec))
        throw UsageError("\"" + shown_argument(dir) + "\" is not a migrations folder" +
                         (shown_argument(dir) != dir || dir.rfind("postgres", 0) == 0
                              ? " (a connection string goes after --dsn)"
                              : ""));
    auto migrations = core::read_folder(path.string());
    // Scripts go to the server as UTF-8 (client_encoding): other bytes would be refused
    // there as a bare encoding error without a file or a line.
    for (const auto& m : migrations) {
        require_utf8(m.files.up_path, m.up_sql);
        if (m.down_sql && m.files.down_path) require_utf8(*m.files.down_path, *m.down_sql);
        if (m.verify_sql && m.files.verify_path) require_utf8(*m.files.verify_path, *m.verify_sql);
    }
    if (migrations.empty()) {
        // A folder of TypeORM classes, or a typo in the path, would otherwise push nothing
        // and succeed.
        std::vector<std::string> files;
        for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
            if (files.size() == 10) { files.push_back("..."); break; }
            if (entry.is_regular_file(ec))
                files.push_back(fs::relative(entry.path(), path, ec).generic_string());
        }
        std::string listed;
        for (const auto& f : files) listed += (listed.empty() ? "" : ", ") + f;
        throw core::Failure(core::FailureKind::Layout,
                            "\"" + dir + "\" holds no migration file",
                            files.empty() ? "The folder is empty."
                                          : "Files not recognised as migrations: " + listed + ".",
                            "Known layouts: " + core::layout_names() +
                                ". TypeORM classes: pg_migrate convert typeorm " + dir +
                                " DEST writes them as SQL.");
    }
    return migrations;
}

namespace {

// A text[] literal of one field of every migration (`field` gives it, or nullptr for NULL):
// every element quoted, '"' and '\\' escaped; NULL unquoted. Built in one allocation straight
// from the folder: a folder of large scripts is otherwise held once more for every copy on its
// way to libpq.
template <typename Field>
std::string text_array(const std::vector<core::FolderMigration>& migrations, Field field) {
    auto quoted = [](char c) { return c == '"' || c == '\\'; };
    std::size_t size = 2;
    for (const auto& m : migrations) {
        const std::string* value = field(m);
        size += 1 + (value ? 2 + value->size() + static_cast<std::size_t>(std::count_if(
                                                     value->begin(), value->end(), quoted))
                           : 4);
    }
    std::string out;
    out.reserve(size);
    out += '{';
    for (const auto& m : migrations) {
        const std::string* value = field(m);
        if (&m != &migrations.front()) out += ',';
        if (!value) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (const char c : *value) {
            if (quoted(c)) out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

const std::string* optional_text(const std::optional<std::string>& value) {
    return value ? &*value : nullptr;
}

}  // namespace

Table register_folder(Connection& conn, const std::string& schema,
                      const std::vector<core::FolderMigration>& migrations,
                      const std::string& project) {
    Table pushed;
    pushed.columns = {"version", "name", "result"};
    pushed.right_aligned = {false, false, false};
    // One statement for the whole folder: a round trip per file is what a folder of a
    // thousand migrations over a slow link cannot afford. The server registers them in
    // order, as separate calls would.
    std::vector<std::string> versions;
    versions.reserve(migrations.size());
    for (const auto& m : migrations) versions.push_back(m.files.version.text());
    auto version = [&](const core::FolderMigration& m) {
        return &versions[static_cast<std::size_t>(&m - migrations.data())];
    };
    const std::string sql =
        "SELECT m.v, m.n, " + schema + ".migrate_register(m.v, m.n, m.u, m.d, $6::pg_catalog.text, m.f) "
        // Qualified, unnest takes one array: ROWS FROM zips them (the unqualified
        // multi-array form is the parser's shorthand for the same).
        "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
        "pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[]), "
        "pg_catalog.unnest($4::pg_catalog.text[]), pg_catalog.unnest($5::pg_catalog.text[])) "
        "WITH ORDINALITY AS m(v, n, u, d, f, i) ORDER BY m.i";
    using M = core::FolderMigration;
    const Result r = conn.exec(
        sql, {text_array(migrations, version),
              text_array(migrations, [](const M& m) { return &m.files.name; }),
              text_array(migrations, [](const M& m) { return &m.up_sql; }),
              text_array(migrations, [](const M& m) { return optional_text(m.down_sql); }),
              text_array(migrations, [](const M& m) { return optional_text(m.verify_sql); }),
              project});
    for (int i = 0; i < PQntuples(r.get()); ++i)
        pushed.rows.push_back({std::string(PQgetvalue(r.get(), i, 0)),
                               std::string(PQgetvalue(r.get(), i, 1)),
                               std::string(PQgetvalue(r.get(), i, 2))});
    return pushed;
}

std::string folder_differences(const Table& pushed) {
    std::string added, changed;
    for (const auto& row : pushed.rows) {
        const std::string result = row[2].value_or("");
        if (result == "unchanged" || result == "unregistered") continue;
        std::string& list = result == "updated" ? changed : added;
        list += (list.empty() ? "" : ", ") + row[0].value_or("");
    }
    if (added.empty() && changed.empty()) return "";
    std::string text = "the folder differs from the registry (";
    if (!added.empty()) text += "not registered: " + added;
    if (!added.empty() && !changed.empty()) text += "; ";
    if (!changed.empty()) text += "changed in the folder: " + changed;
    return text + "); shown as if pushed, nothing was written (pg_migrate push registers it)";
}

std::string push_summary(const Table& pushed) {
    std::map<std::string, int> counts{{"registered", 0}, {"updated", 0}, {"unchanged", 0}};
    for (const auto& row : pushed.rows) ++counts[row[2].value_or("")];
    const auto n = pushed.rows.size() - static_cast<std::size_t>(counts["unregistered"]);
    std::string text = std::to_string(n) + (n == 1 ? " migration: " : " migrations: ") +
                       std::to_string(counts["registered"]) + " registered, " +
                       std::to_string(counts["updated"]) + " updated, " +
                       std::to_string(counts["unchanged"]) + " unchanged";
    if (counts["unregistered"] > 0)
        text += "; " + std::to_string(counts["unregistered"]) + " unregistered (pruned)";
    return text;
}

}  // namespace ms::cli
