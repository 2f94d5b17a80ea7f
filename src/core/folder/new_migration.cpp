#include "core/folder/new_migration.hpp"

#include "core/base/failure.hpp"
#include "core/base/version.hpp"
#include "core/folder/layout.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>
#include <set>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

FolderLayout layout_of(const MigrationFile& f) {
    const std::string_view path = f.path;
    const auto slash = path.find('/');
    if (slash != std::string_view::npos) {
        const std::string_view dir = path.substr(0, slash);
        if (boost::algorithm::iequals(dir, "rollback") || boost::algorithm::iequals(dir, "verify"))
            return FolderLayout::Numbered;
        return FolderLayout::Diesel;
    }
    if (boost::algorithm::iends_with(path, ".up.sql") ||
        boost::algorithm::iends_with(path, ".down.sql") ||
        boost::algorithm::iends_with(path, ".verify.sql"))
        return FolderLayout::Golang;
    if (!path.empty() && (path[0] == 'V' || path[0] == 'v' || path[0] == 'U' || path[0] == 'u') &&
        path.find("__") != std::string_view::npos)
        return FolderLayout::Flyway;
    return FolderLayout::Numbered;
}

std::string snake(std::string_view name) {
    std::string out;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

std::string next_number(const std::vector<std::string>& versions) {
    // Versions as written: the widest spelling sets the padding.
    std::size_t width = 1;
    unsigned long long newest = 0;
    for (const auto& v : versions) {
        const std::string first = v.substr(0, v.find('.'));
        width = std::max(width, first.size());
        newest = std::max(newest, std::stoull(first));
    }
    std::string next = std::to_string(newest + 1);
    if (next.size() < width) next.insert(0, width - next.size(), '0');
    return next;
}

}  // namespace

const char* layout_name(FolderLayout layout) noexcept {
    switch (layout) {
    case FolderLayout::Numbered: return "numbered";
    case FolderLayout::Golang: return "golang-migrate";
    case FolderLayout::Flyway: return "flyway";
    case FolderLayout::Diesel: return "diesel";
    }
    return "numbered";
}

std::optional<FolderLayout> layout_by_name(std::string_view name) {
    if (name == "numbered") return FolderLayout::Numbered;
    if (name == "golang-migrate" || name == "golang") return FolderLayout::Golang;
    if (name == "flyway") return FolderLayout::Flyway;
    if (name == "diesel") return FolderLayout::Diesel;
    return std::nullopt;
}

std::string layout_names() {
    return "numbered (001_name.sql, rollback/001_name.sql), golang-migrate "
           "(001_name.up.sql, 001_name.down.sql), flyway (V1__name.sql, U1__name.sql), diesel "
           "(2024-01-31-120000_name/up.sql, down.sql)";
}

std::optional<FolderLayout> detect_layout(const std::vector<std::string>& paths) {
    std::set<FolderLayout> seen;
    for (const auto& p : paths)
        if (const auto file = classify_path(p)) seen.insert(layout_of(*file));
    if (seen.empty()) return std::nullopt;
    if (seen.size() > 1) {
        std::string names;
        for (const auto l : seen) names += (names.empty() ? "" : ", ") + std::string(layout_name(l));
        throw Failure(FailureKind::Layout, "the folder mixes layouts (" + names + ")", {},
                      "Say which one new migrations follow with --layout.");
    }
    return *seen.begin();
}

NewMigration plan_new_migration(FolderLayout layout, const std::vector<std::string>& paths,
                                std::string_view name, std::string_view now,
                                std::string_view now_ms) {
    const std::string slug = snake(name);
    if (slug.empty())
        throw Failure(FailureKind::InvalidValue,
                      "the migration name \"" + std::string(name) + "\" has no letter or digit",
                      {}, "Name it for what it does: pg_migrate new add_orders_email");
    std::vector<std::string> versions;
    bool any_down = false;
    for (const auto& p : paths)
        if (const auto file = classify_path(p)) {
            if (file->direction == Direction::Up)
                versions.push_back(file->version);
            else if (file->direction == Direction::Down)
                any_down = true;
        }
    const bool forward_only = !versions.empty() && !any_down && layout != FolderLayout::Diesel;
    const bool timestamps =
        layout == FolderLayout::Diesel ||
        std::any_of(versions.begin(), versions.end(), [](const std::string& v) {
            return v.find('.') == std::string::npos && v.size() >= 12;
        });
    std::string version;
    if (timestamps) {
        const auto newest = std::max_element(
            versions.begin(), versions.end(),
            [](const std::string& a, const std::string& b) { return Version::parse(a) < Version::parse(b); });
        const bool epoch_ms = newest != versions.end() && newest->size() == 13 &&
                              newest->find('.') == std::string::npos && !now_ms.empty();
        version = std::string(epoch_ms ? now_ms : now);
        for (const auto& v : versions)
            if (!(Version::parse(v) < Version::parse(version)))
                throw Failure(FailureKind::Conflict,
                              "migration " + v + " is not older than now (" + version + ")", {},
                              "Check the clock, or wait a second and try again.");
    } else {
        version = next_number(versions);
    }

    NewMigration m;
    m.version = version;
    switch (layout) {
    case FolderLayout::Numbered:
        m.up_path = version + "_" + slug + ".sql";
        m.down_path = "rollback/" + version + "_" + slug + ".sql";
        m.folders = {"rollback"};
        break;
    case FolderLayout::Golang:
        m.up_path = version + "_" + slug + ".up.sql";
        m.down_path = version + "_" + slug + ".down.sql";
        break;
    case FolderLayout::Flyway:
        m.up_path = "V" + version + "__" + slug + ".sql";
        m.down_path = "U" + version + "__" + slug + ".sql";
        break;
    case FolderLayout::Diesel: {
        // 20240131120000 -> 2024-01-31-120000
        const std::string folder = version.substr(0, 4) + "-" + version.substr(4, 2) + "-" +
                                   version.substr(6, 2) + "-" + version.substr(8) + "_" + slug;
        m.up_path = folder + "/up.sql";
        m.down_path = folder + "/down.sql";
        m.folders = {folder};
        break;
    }
    }
    if (forward_only) {
        m.down_path.clear();
        m.folders.erase(std::remove(m.folders.begin(), m.folders.end(), "rollback"),
                        m.folders.end());
    }
    return m;
}

std::string new_script_header(std::string_view version, std::string_view name, bool up) {
    std::string text = "-- " + std::string(up ? "up" : "down") + " of migration " +
                       std::string(version) + " (" + std::string(name) + ")\n";
    text += "-- A lock this script waits for queues the application's queries behind it.\n"
            "-- CALL migrate_run() bounds the wait (migrations_schema.lock_timeout); under\n"
            "-- migrate_apply, set one first: SET lock_timeout = '5s';\n";
    if (!up) text += "-- Undo exactly what the up script did, newest change first.\n";
    return text + "\n";
}

}  // namespace ms::core
