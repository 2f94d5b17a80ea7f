#include "core/folder/folder.hpp"

#include "core/base/failure.hpp"
#include "core/plan/script.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace fs = std::filesystem;

namespace ms::core {

namespace {

Failure io_failure(const std::string& message, const std::string& detail = {}) {
    return Failure(FailureKind::Io, message, detail);
}

bool inside(const fs::path& root, const fs::path& p) {
    auto r = root.begin();
    auto q = p.begin();
    for (; r != root.end(); ++r, ++q)
        if (q == p.end() || *r != *q)
            return false;
    return true;
}

// The canonical target of a folder entry, refusing anything that resolves outside root
// (a symbolic link to /etc/passwd, or a chain of links that ends elsewhere).
fs::path resolve_inside(const fs::path& root, const fs::path& entry, const std::string& shown,
                        const char* what = "migration file") {
    std::error_code ec;
    const fs::path target = fs::canonical(entry, ec);
    if (ec)
        throw io_failure(std::string("could not resolve ") + what + " \"" + shown + "\"", ec.message());
    if (!inside(root, target))
        throw Failure(FailureKind::Forbidden,
                      std::string(what) + " \"" + shown + "\" is a link that leaves the folder", {},
                      "Copy the script into the folder instead of linking to it.");
    return target;
}

std::string read_script(const fs::path& file, const std::string& shown) {
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (ec || !fs::is_regular_file(status))
        throw io_failure("migration file \"" + shown + "\" is not a regular file");
    const auto size = fs::file_size(file, ec);
    if (ec)
        throw io_failure("could not read migration file \"" + shown + "\"", ec.message());
    if (size > max_script_bytes)
        throw io_failure("migration file \"" + shown + "\" is too large",
                         "It has " + std::to_string(size) + " bytes; a script holds at most " +
                             std::to_string(max_script_bytes) + ".");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw io_failure("could not open migration file \"" + shown + "\"",
                         std::error_code(errno, std::generic_category()).message());
    // Read at its size in one go: growing a string through an iterator holds up to twice a
    // large script's size on the way.
    std::string content(static_cast<std::size_t>(size), '\0');
    in.read(content.data(), static_cast<std::streamsize>(size));
    if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) != size)
        throw io_failure("could not read migration file \"" + shown + "\"",
                         "It changed while it was read.");
    // A NUL byte cannot be stored in text; finding it here names the file and line.
    if (const auto nul = content.find('\0'); nul != std::string::npos)
        throw Failure(FailureKind::BadText,
                      "migration file \"" + shown + "\" contains a NUL byte",
                      "At line " + std::to_string(line_at(content, nul)) + ".",
                      "Save the script as text in the database's encoding.");
    if (without_bom(content).size() != content.size())
        content.erase(0, content.size() - without_bom(content).size());
    return content;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> read_schema_folder(const std::string& path) {
    std::error_code ec;
    const fs::path root = fs::canonical(path, ec);
    if (ec)
        throw io_failure("could not open schema folder", path + ": " + ec.message());
    std::vector<std::pair<std::string, std::string>> files;
    fs::recursive_directory_iterator it(root, ec), end;
    if (ec)
        throw io_failure("could not list schema folder", path + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec)
            throw io_failure("could not list schema folder", path + ": " + ec.message());
        const fs::path& entry = it->path();
        const std::string relative = entry.lexically_relative(root).generic_string();
        // A link is judged by where it leads, whatever its name: a linked folder is not
        // entered, but one that leads out of the folder is refused as a linked file is.
        const bool link = fs::is_symlink(fs::symlink_status(entry, ec));
        const bool sql = entry.extension() == ".sql";
        if (!link && !sql)
            continue;
        const fs::path target = resolve_inside(root, entry, relative, "schema file");
        if (sql && fs::is_regular_file(target, ec))
            files.emplace_back(relative, read_script(target, relative));
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<FolderMigration> read_folder(const std::string& path) {
    const fs::path given(path);
    if (path.empty() || !given.is_absolute())
        throw Failure(FailureKind::InvalidValue, "migration folder must be an absolute path",
                      "The path given was \"" + path + "\".");
    std::error_code ec;
    const fs::path root = fs::canonical(given, ec);
    if (ec)
        throw io_failure("could not open migration folder", path + ": " + ec.message());
    if (!fs::is_directory(root, ec))
        throw io_failure("migration folder is not a directory", path);

    std::vector<MigrationFile> files;
    auto scan = [&](const fs::path& dir, const std::string& prefix) {
        fs::directory_iterator it(dir, ec);
        if (ec)
            throw io_failure("could not list migration folder", dir.string() + ": " + ec.message());
        for (const auto& entry : it) {
            const std::string relative = prefix + entry.path().filename().string();
            if (auto file = classify_path(relative))
                files.push_back(std::move(*file));
        }
    };
    scan(root, "");
    // One level of subfolders: rollback/, verify/, and one folder per migration (Diesel).
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.front() == '.')
            continue;
        const auto link_status = fs::symlink_status(entry.path(), ec);
        const bool special = boost::algorithm::iequals(name, "rollback") ||
                             boost::algorithm::iequals(name, "verify");
        if (fs::is_symlink(link_status) && special)
            throw Failure(FailureKind::Forbidden, "folder \"" + name + "\" must not be a link");
        if (fs::is_directory(entry.path(), ec))
            scan(entry.path(), name + "/");
    }
    // Directory order is arbitrary; sorting keeps error messages the same on every machine.
    std::sort(files.begin(), files.end(),
              [](const MigrationFile& a, const MigrationFile& b) { return a.path < b.path; });
    const auto pairs = pair_files(files);
    std::vector<FolderMigration> result;
    result.reserve(pairs.size());
    for (const auto& pair : pairs) {
        auto read = [&](const std::string& relative) {
            return read_script(resolve_inside(root, root / relative, relative), relative);
        };
        FolderMigration m{pair, read(pair.up_path), std::nullopt, std::nullopt};
        if (pair.down_path)
            m.down_sql = read(*pair.down_path);
        if (pair.verify_path)
            m.verify_sql = read(*pair.verify_path);
        result.push_back(std::move(m));
    }
    return result;
}

}  // namespace ms::core
