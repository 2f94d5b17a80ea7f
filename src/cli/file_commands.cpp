#include "cli/file_commands.hpp"

#include "cli/progress.hpp"
#include "core/base/failure.hpp"
#include "core/client/typeorm.hpp"
#include "core/folder/new_migration.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ms::cli {

namespace fs = std::filesystem;

namespace {

std::string epoch_ms_now() {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

std::string utc_now() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &utc);
    return text;
}

std::vector<std::string> relative_paths(const fs::path& dir) {
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
         ++it) {
        if (it.depth() > 1) it.disable_recursion_pending();
        if (it->is_regular_file()) paths.push_back(fs::relative(it->path(), dir).generic_string());
    }
    return paths;
}

}  // namespace

void write_new_file(const std::string& path, const std::string& text) {
    if (fs::exists(path))
        throw core::Failure(core::FailureKind::Conflict, path + " exists already");
    std::ofstream out(path);
    out << text;
    if (!out)
        throw core::Failure(core::FailureKind::Io, "could not write " + path);
}

core::NewMigration plan_next_files(const std::string& folder, const std::optional<std::string>& layout_name,
                                   const std::string& name) {
    const fs::path dir = folder;
    if (!fs::is_directory(dir))
        throw core::Failure(core::FailureKind::Io, "\"" + dir.string() + "\" is not a folder",
                            {}, "Create it first, or name the migrations folder.");
    const auto paths = relative_paths(dir);
    auto layout = layout_name ? core::layout_by_name(*layout_name) : core::detect_layout(paths);
    if (layout_name && !layout)
        throw core::Failure(core::FailureKind::InvalidValue,
                            "unknown layout \"" + *layout_name + "\"", {},
                            "Layouts: " + core::layout_names() + ".");
    if (!layout)
        throw core::Failure(core::FailureKind::Layout,
                            "the folder holds no migration yet, so its layout is unknown",
                            {}, "Say which with --layout: " + core::layout_names() + ".");
    auto m = core::plan_new_migration(*layout, paths, name, utc_now(), epoch_ms_now());
    for (const auto& f : m.folders) fs::create_directories(dir / f);
    return m;
}

int new_migration(const Options& o) {
    const fs::path dir = o.dir.value_or(".");
    try {
        const auto m = plan_next_files(dir.string(), o.layout, *o.name);
        write_new_file((dir / m.up_path).string(), core::new_script_header(m.version, *o.name, true));
        std::cout << (dir / m.up_path).string() << "\n";
        if (m.down_path.empty()) {
            progress_to_stderr("")("pg_migrate: no down script written: the folder's migrations "
                                   "have none (forward-only; migrations_schema.forward_only "
                                   "tells the server)");
            return 0;
        }
        write_new_file((dir / m.down_path).string(), core::new_script_header(m.version, *o.name, false));
        std::cout << (dir / m.down_path).string() << "\n";
        return 0;
    } catch (const core::Failure& f) {
        progress_to_stderr("")("pg_migrate: " + std::string(f.what()) +
                               (f.hint().empty() ? "" : "\nHINT:  " + f.hint()));
        return 1;
    } catch (const fs::filesystem_error& e) {
        progress_to_stderr("")(std::string("pg_migrate: ") + e.what());
        return 1;
    }
}

int convert_migrations(const Options& o) {
    const fs::path src = *o.dir;
    const fs::path dest = *o.dest;
    const auto say = progress_to_stderr("");
    try {
        if (!fs::is_directory(src))
            throw core::Failure(core::FailureKind::Io, "\"" + src.string() + "\" is not a folder");
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(src)) {
            const std::string name = entry.path().filename().string();
            const bool script = (name.size() > 3 && name.substr(name.size() - 3) == ".ts" &&
                                 name.find(".d.ts") == std::string::npos) ||
                                (name.size() > 3 && name.substr(name.size() - 3) == ".js");
            if (entry.is_regular_file() && script) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        if (files.empty())
            throw core::Failure(core::FailureKind::Layout,
                                "\"" + src.string() + "\" holds no .ts or .js file");
        fs::create_directories(dest);
        int converted = 0;
        int refused = 0;
        for (const auto& file : files) {
            std::ifstream in(file);
            std::ostringstream text;
            text << in.rdbuf();
            const auto c = core::convert_typeorm(text.str(), file.filename().string());
            if (!c.migration) {
                say("pg_migrate: " + file.string() + ": no migration class, skipped");
                continue;
            }
            if (!c.problems.empty()) {
                ++refused;
                for (const auto& p : c.problems)
                    say(file.string() + ":" + std::to_string(p.line) + ": cannot convert: " + p.what);
                continue;
            }
            const auto& m = *c.migration;
            const fs::path up = dest / (m.version + "_" + m.name + ".up.sql");
            write_new_file(up.string(), m.up_sql);
            std::cout << up.string() << "\n";
            if (!m.down_sql.empty()) {
                const fs::path down = dest / (m.version + "_" + m.name + ".down.sql");
                write_new_file(down.string(), m.down_sql);
                std::cout << down.string() << "\n";
            }
            ++converted;
        }
        say("pg_migrate: converted " + std::to_string(converted) + " migration" +
            (converted == 1 ? "" : "s") +
            (refused ? "; " + std::to_string(refused) + " not converted (see above): write "
                                                        "their SQL by hand"
                     : std::string()));
        return refused ? 1 : 0;
    } catch (const core::Failure& f) {
        say("pg_migrate: " + std::string(f.what()));
        return 1;
    } catch (const fs::filesystem_error& e) {
        say(std::string("pg_migrate: ") + e.what());
        return 1;
    }
}

}  // namespace ms::cli
