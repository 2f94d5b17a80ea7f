#include "cli/generate.hpp"

#include "cli/connection.hpp"
#include "cli/dsn.hpp"
#include "cli/file_commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "cli/prompts.hpp"
#include "cli/push.hpp"
#include "core/base/failure.hpp"
#include "core/folder/layout.hpp"
#include "core/folder/new_migration.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <unistd.h>

namespace ms::cli {

namespace fs = std::filesystem;

namespace {

constexpr int exit_interrupted = 130;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof())
        throw core::Failure(core::FailureKind::Io, "could not read \"" + path.string() + "\"");
    return text.str();
}

// A conninfo value in single quotes, as libpq reads them.
std::string conninfo_value(const std::string& value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

// The target's connection string with another database: every option the DSN (URI or
// key=value) gives, dbname replaced; what it leaves out comes from the environment as for
// the target.
std::string with_database(const std::optional<std::string>& dsn, const std::string& database) {
    std::string out;
    if (dsn) {
        char* error = nullptr;
        PQconninfoOption* options = PQconninfoParse(dsn->c_str(), &error);
        if (options == nullptr) {
            const std::string message = error ? error : "out of memory";
            PQfreemem(error);
            throw core::Failure(core::FailureKind::InvalidValue, "the connection string is invalid: " + message);
        }
        for (PQconninfoOption* o = options; o->keyword != nullptr; ++o)
            if (o->val != nullptr && std::string(o->keyword) != "dbname")
                out += std::string(o->keyword) + "=" + conninfo_value(o->val) + " ";
        PQconninfoFree(options);
    }
    return out + "dbname=" + conninfo_value(database);
}

// As psql and the other commands: a server that wants a password gets one asked for, once,
// on a terminal (-W: always, -w: never). `settings` keeps it for the next connection to the
// same server (the scratch database).
Connection connect(const std::optional<std::string>& dsn, const Options& o, const char* what,
                   ConnectSettings& settings) {
    settings.connect_timeout = o.connect_timeout;
    const bool may_ask = isatty(STDIN_FILENO) != 0 && !o.never_prompt;
    if (o.force_password_prompt && may_ask && !settings.password)
        settings.password = ask_password();
    Connection c = Connection::open(dsn, settings);
    if (!c.ok() && c.needs_password() && !settings.password && may_ask) {
        settings.password = ask_password();
        if (settings.password)
            c = Connection::open(dsn, settings);
    }
    if (!c.ok())
        throw SqlError(std::string("could not connect to ") + what + ": " + c.error_message());
    return c;
}

std::string required_schema(Connection& c, const char* what) {
    const auto schema = c.extension_schema();
    if (!schema)
        throw core::Failure(core::FailureKind::NotFound,
                            std::string("migrations_schema is not installed in ") + what, {},
                            "CREATE EXTENSION migrations_schema; there first.");
    return *schema;
}

// What --desired names, and the migrations that build it in a scratch database.
struct Desired {
    std::string label;  // for the scripts' header
    // (name, script) in order; empty for a database
    std::vector<std::pair<std::string, std::string>> scripts;
    std::vector<core::FolderMigration> migrations;  // a migrations folder
    bool database = false;
};

std::vector<fs::path> sql_files(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() == ".sql")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

Desired read_desired(const std::string& source) {
    Desired d;
    const fs::path path = source;
    if (fs::is_regular_file(path)) {
        d.label = "the schema file " + source;
        d.scripts.push_back({path.filename().string(), read_file(path)});
        return d;
    }
    if (fs::is_directory(path)) {
        std::vector<std::string> relative;
        for (const auto& f : sql_files(path))
            relative.push_back(fs::relative(f, path).generic_string());
        std::optional<core::FolderLayout> layout;
        try {
            layout = core::detect_layout(relative);
        } catch (const core::Failure&) {
            layout.reset();  // files of several layouts: a folder of schema files
        }
        if (layout) {
            d.label = "the end state of the migrations folder " + source;
            d.migrations = load_folder(source);
            return d;
        }
        d.label = "the schema folder " + source;
        for (const auto& f : sql_files(path))
            d.scripts.push_back({fs::relative(f, path).generic_string(), read_file(f)});
        if (d.scripts.empty())
            throw core::Failure(core::FailureKind::Io, "\"" + source + "\" holds no .sql file");
        return d;
    }
    d.database = true;
    d.label = "the database " + mask_dsn(source);
    return d;
}

// A scratch database on the target's server, dropped when this goes away, also after an
// error or an interrupt.
class ShadowDatabase {
public:
    ShadowDatabase(Connection& admin, std::string name) : admin_(admin), name_(std::move(name)) {
        try {
            admin_.exec("CREATE DATABASE " + admin_.quote_identifier(name_) + " TEMPLATE template0");
        } catch (const Interrupted&) {
            // The server may have finished it after the cancel came too late: no destructor
            // runs for a constructor that throws, so the drop happens here.
            drop();
            throw;
        }
        created_ = true;
    }
    ~ShadowDatabase() {
        if (created_)
            drop();
    }
    ShadowDatabase(const ShadowDatabase&) = delete;
    ShadowDatabase& operator=(const ShadowDatabase&) = delete;
    const std::string& name() const { return name_; }

private:
    void drop() noexcept {
        std::string failure;
        try {
            admin_.exec_cleanup("DROP DATABASE IF EXISTS " + admin_.quote_identifier(name_) + " WITH (FORCE)", 30);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (failure.empty())
            return;
        // Nothing may leave a destructor that runs while an error or an interrupt unwinds.
        try {
            progress_to_stderr("")("pg_migrate: could not drop the scratch database " + name_ + ": " +
                                   failure + "\nHINT:  DROP DATABASE " + name_ + ";");
        } catch (const std::exception&) {
            // out of memory while reporting: the HINT is lost, the database stays
        }
    }

    Connection& admin_;
    std::string name_;
    bool created_ = false;
};

std::string shadow_name() {
    std::random_device random;
    std::ostringstream name;
    name << "pg_migrate_shadow_" << getpid() << "_" << std::hex << (random() & 0xffffff);
    return name.str();
}

// The description (migrate_schema_description) of the desired schema.
std::string describe_desired(const Desired& d, const Options& o, Connection& target,
                             ConnectSettings& target_settings) {
    if (d.database) {
        ConnectSettings other_settings;
        Connection other = connect(*o.desired, o, "the desired database", other_settings);
        const std::string schema = required_schema(other, "the desired database");
        const Result r = other.exec("SELECT " + schema +
                                    ".migrate_schema_description(NULL::pg_catalog.text[])"
                                    "::pg_catalog.text");
        return PQgetvalue(r.get(), 0, 0);
    }
    ShadowDatabase shadow(target, shadow_name());
    std::string description;
    {
        Connection scratch =
            connect(with_database(o.dsn, shadow.name()), o, "the scratch database", target_settings);
        scratch.on_notice([](const std::string&) {});
        scratch.exec("CREATE EXTENSION migrations_schema");
        const std::string schema = required_schema(scratch, "the scratch database");
        if (!d.migrations.empty()) {
            scratch.exec("BEGIN");
            register_folder(scratch, schema, d.migrations, "default");
            scratch.exec("COMMIT");
        } else {
            int n = 0;
            for (const auto& [name, text] : d.scripts)
                scratch.exec("SELECT " + schema + ".migrate_register($1, $2, $3)",
                             {std::to_string(++n), name, text});
        }
        scratch.exec("CALL " + schema + ".migrate_run()");
        // A partial build would describe another schema than the one asked for.
        const Result pending = scratch.exec(
            "SELECT version, name, state FROM " + schema + ".migrate_status() "
            "WHERE state OPERATOR(pg_catalog.<>) 'applied' ORDER BY version LIMIT 1");
        if (PQntuples(pending.get()) > 0)
            throw core::Failure(core::FailureKind::Conflict,
                                std::string("the desired schema did not build: ") +
                                    PQgetvalue(pending.get(), 0, 1) + " is " + PQgetvalue(pending.get(), 0, 2));
        const Result r = scratch.exec("SELECT " + schema + ".migrate_schema_description()::text");
        description = PQgetvalue(r.get(), 0, 0);
    }  // disconnected before the drop
    return description;
}

bool has_statements(const std::string& script) {
    std::istringstream lines(script);
    std::string line;
    while (std::getline(lines, line))
        if (!line.empty() && line.rfind("--", 0) != 0 && line.rfind("SET ", 0) != 0)
            return true;
    return false;
}

std::vector<std::string> lines_of(const char* text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(line);
    return out;
}

}  // namespace

int generate_migration_files(const Options& o) {
    const auto say = progress_to_stderr("");
    const std::string dir = o.dir.value_or(".");
    try {
        if (!fs::is_directory(dir))
            throw core::Failure(core::FailureKind::Io, "\"" + dir + "\" is not a folder", {},
                                "Create it first, or name the migrations folder.");
        // Read before connecting: a bad source must not reach any database.
        const Desired desired = read_desired(*o.desired);
        ConnectSettings settings;
        Connection target = connect(o.dsn, o, "the target database", settings);
        const std::string schema = required_schema(target, "the target database");
        const std::string description = describe_desired(desired, o, target, settings);

        std::string renames;
        for (const auto& r : o.renames)
            renames += (renames.empty() ? "" : "\n") + r;
        const Result g = target.exec(
            "SELECT up, down, pg_catalog.array_to_string(hazards, E'\\n'), "
            "pg_catalog.array_to_string(not_generated, E'\\n') FROM " +
                schema + ".migrate_generate($1::pg_catalog.jsonb, NULL, $2::pg_catalog.bool, "
                         "CASE WHEN $3::pg_catalog.text OPERATOR(pg_catalog.<>) '' "
                         "THEN pg_catalog.string_to_array($3::pg_catalog.text, E'\\n') END, "
                         "$4::pg_catalog.text)",
            {description, o.online ? "true" : "false", renames, desired.label});
        const std::string up = PQgetvalue(g.get(), 0, 0);
        const std::string down = PQgetvalue(g.get(), 0, 1);
        if (!has_statements(up) && !has_statements(down)) {
            say("pg_migrate: the schema is already the desired one; nothing written");
            return 0;
        }
        const auto m = plan_next_files(dir, o.layout, *o.name);
        const std::string up_path = (fs::path(dir) / m.up_path).string();
        const std::string down_path = (fs::path(dir) / m.down_path).string();
        write_new_file(up_path, up);
        write_new_file(down_path, down);
        std::cout << up_path << "\n" << down_path << "\n";
        for (const auto& h : lines_of(PQgetvalue(g.get(), 0, 2)))
            say("pg_migrate: hazard: " + h);
        for (const auto& n : lines_of(PQgetvalue(g.get(), 0, 3)))
            say("pg_migrate: not generated: " + n);
        return 0;
    } catch (const Interrupted& e) {
        say(std::string("pg_migrate: ") + e.what());
        return exit_interrupted;
    } catch (const SqlError& e) {
        // A statement cancelled by the interrupt fails as any other; the exit says why.
        say(std::string("pg_migrate: ") + e.what());
        return interrupted() ? exit_interrupted : 1;
    } catch (const core::Failure& f) {
        say("pg_migrate: " + std::string(f.what()) + (f.hint().empty() ? "" : "\nHINT:  " + f.hint()));
        return 1;
    } catch (const UsageError& e) {
        say(std::string("pg_migrate: ") + e.what());
        return 1;
    } catch (const fs::filesystem_error& e) {
        say(std::string("pg_migrate: ") + e.what());
        return 1;
    }
}

}  // namespace ms::cli
