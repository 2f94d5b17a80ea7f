#include "cli/generate.hpp"

#include "cli/connection.hpp"
#include "cli/dsn.hpp"
#include "cli/file_commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "cli/prompts.hpp"
#include "cli/push.hpp"
#include "core/base/failure.hpp"
#include "core/client/conninfo.hpp"
#include "core/folder/folder.hpp"
#include "core/folder/layout.hpp"
#include "core/folder/new_migration.hpp"

#include <algorithm>
#include <ctime>
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
constexpr int exit_usage = 2;  // also: no connection, no extension (as the other commands)

// A database that cannot be used: not reached, or without the extension.
class Unusable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

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

// The target's connection string with another database (and, for the sandbox, another
// user): every option the DSN (URI or key=value) gives, those replaced; what it leaves out
// comes from the environment as for the target.
std::string with_database(const std::optional<std::string>& dsn, const std::string& database,
                          const std::optional<std::string>& user = std::nullopt) {
    std::string out;
    if (dsn) {
        char* error = nullptr;
        PQconninfoOption* options = PQconninfoParse(dsn->c_str(), &error);
        if (options == nullptr) {
            PQfreemem(error);  // it may quote a piece of the password: shown masked instead
            throw core::Failure(core::FailureKind::InvalidValue,
                                dsn_problem(*dsn).value_or("the connection string is invalid"));
        }
        for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
            const std::string keyword = o->keyword;
            const bool replaced = keyword == "dbname" ||
                                  (user && (keyword == "user" || keyword == "password" || keyword == "passfile"));
            if (o->val != nullptr && !replaced)
                out += keyword + "=" + conninfo_value(o->val) + " ";
        }
        PQconninfoFree(options);
    }
    if (user)
        out += "user=" + conninfo_value(*user) + " ";
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
    if (interrupted()) throw Interrupted("interrupted at the password prompt; nothing was sent");
    Connection c = Connection::open(dsn, settings);
    if (!c.ok() && c.needs_password() && !settings.password && may_ask) {
        settings.password = ask_password();
        if (interrupted()) throw Interrupted("interrupted at the password prompt; nothing was sent");
        if (settings.password)
            c = Connection::open(dsn, settings);
    }
    if (!c.ok())
        throw Unusable(std::string("could not connect to ") + what + ": " + c.error_message());
    return c;
}

std::string required_schema(Connection& c, const char* what) {
    const auto schema = c.extension_schema();
    if (!schema)
        throw Unusable(std::string("migrations_schema is not installed in ") + what +
                       "\nHINT:  CREATE EXTENSION migrations_schema; there first.");
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

Desired read_desired(const std::string& source) {
    Desired d;
    const fs::path path = source;
    if (fs::is_regular_file(path)) {
        d.label = "the schema file " + source;
        d.scripts.push_back({path.filename().string(), read_file(path)});
        require_utf8(source, d.scripts.back().second);
        return d;
    }
    if (fs::is_directory(path)) {
        // Read once, refusing links that lead out of the folder: a link to ~/.pgpass would
        // otherwise be sent to the server and quoted in its errors.
        const auto files = core::read_schema_folder(fs::absolute(path).string());
        std::vector<std::string> relative;
        for (const auto& f : files)
            relative.push_back(f.first);
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
        d.scripts = files;
        for (const auto& [file, text] : d.scripts)
            require_utf8(file, text);
        if (d.scripts.empty())
            throw core::Failure(core::FailureKind::Io, "\"" + source + "\" holds no .sql file");
        return d;
    }
    if (!core::looks_like_conninfo(source))
        throw UsageError("--desired \"" + source + "\" is neither a file, a folder, nor a connection string "
                         "(a database is named as dbname=NAME or postgresql://...)");
    d.database = true;
    d.label = "the database " + mask_dsn(source);
    return d;
}

// Something made on the target's server for the build (the role, the scratch database),
// removed when this goes away, also after an error or an interrupt. The removal is bounded
// (exec_cleanup): a partition makes it fail with a HINT naming what to remove by hand.
class ServerObject {
public:
    ServerObject(Connection& admin, std::string kind, std::string name, const std::string& create)
        : admin_(admin), kind_(std::move(kind)), name_(std::move(name)) {
        try {
            admin_.exec(create);
        } catch (const Interrupted&) {
            // The server may have finished it after the cancel came too late: no destructor
            // runs for a constructor that throws, so the removal happens here.
            remove();
            throw;
        } catch (const ConnectionLost&) {
            remove();
            throw;
        }
        created_ = true;
    }
    ~ServerObject() {
        if (created_)
            remove();
    }
    ServerObject(const ServerObject&) = delete;
    ServerObject& operator=(const ServerObject&) = delete;
    const std::string& name() const { return name_; }

private:
    void remove() noexcept {
        std::string failure;
        try {
            const std::string quoted = admin_.quote_identifier(name_);
            admin_.exec_cleanup(kind_ == "role" ? "DROP ROLE IF EXISTS " + quoted
                                                : "DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)",
                                interrupted() ? interrupted_cleanup_seconds : cleanup_seconds);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (failure.empty())
            return;
        // Nothing may leave a destructor that runs while an error or an interrupt unwinds.
        try {
            progress_to_stderr("")("pg_migrate: could not drop the scratch " + kind_ + " " + name_ + ": " +
                                   failure + "\nHINT:  DROP " + (kind_ == "role" ? "ROLE " : "DATABASE ") +
                                   name_ + ";");
        } catch (const std::exception&) {
            // out of memory while reporting: the HINT is lost, the object stays
        }
    }

    // A DROP DATABASE waits for a checkpoint; after an interrupt the user waits for it.
    static constexpr int cleanup_seconds = 30;
    static constexpr int interrupted_cleanup_seconds = 5;
    Connection& admin_;
    std::string kind_;
    std::string name_;
    bool created_ = false;
};

std::string shadow_name() {
    std::random_device random;
    std::ostringstream name;
    name << "pg_migrate_shadow_" << getpid() << "_" << std::hex << (random() & 0xffffff);
    return name.str();
}

std::string random_password() {
    std::random_device random;
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string password;
    for (int i = 0; i < 40; ++i)
        password += alphabet[random() % (sizeof alphabet - 1)];
    return password;
}

// A day from now, for VALID UNTIL: a role left behind by a crash cannot log in for long.
std::string expiry() {
    const std::time_t at = std::time(nullptr) + 24 * 3600;
    std::tm utc{};
    gmtime_r(&at, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S+00", &utc);
    return text;
}

// The desired schema is input from a file, often from a pull request: it is built by a role
// that can do nothing outside the scratch database. The role is made for the build and
// dropped after it: no superuser, CREATEDB, CREATEROLE, replication or BYPASSRLS, a member of
// no role (so of no pg_execute_server_program, pg_read_server_files, ...), and the owner of
// the scratch database only. Its sessions are authenticated as it (with a random password
// only this process knows), so no SET ROLE or RESET SESSION AUTHORIZATION in a schema file
// leads back to the caller's rights, as it would in a session of the caller.
std::string create_sandbox_sql(Connection& admin, const std::string& role, const std::string& password) {
    return "CREATE ROLE " + admin.quote_identifier(role) +
           " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS VALID UNTIL " +
           admin.quote_literal(expiry()) + " PASSWORD " +
           admin.quote_literal(admin.password_verifier(password, role));
}

// The caller must be able to make the role and the database, and install the extension in
// it: said before anything is made.
void require_builder_rights(Connection& admin) {
    const Result r = admin.exec(
        "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_catalog.pg_roles "
        "WHERE rolname = current_user");
    const auto yes = [&](int column) { return std::string(PQgetvalue(r.get(), 0, column)) == "t"; };
    if (PQntuples(r.get()) == 1 && yes(1))
        return;
    std::string missing;
    if (PQntuples(r.get()) == 0 || !yes(2)) missing += "CREATEROLE";
    if (PQntuples(r.get()) == 0 || !yes(3)) missing += missing.empty() ? "CREATEDB" : " and CREATEDB";
    if (!missing.empty())
        throw core::Failure(
            core::FailureKind::Forbidden,
            std::string("generate builds the desired schema in a scratch database, as a temporary role it "
                        "creates and drops; the role ") +
                (PQntuples(r.get()) ? PQgetvalue(r.get(), 0, 0) : "connected") + " lacks " + missing,
            {},
            "Connect as a role with CREATEROLE and CREATEDB that may create the extension migrations_schema "
            "(a superuser), or build the desired schema in a database of its own and name it with "
            "--desired DSN.");
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
    require_builder_rights(target);
    const std::string name = shadow_name();
    // Role names starting with pg_ are reserved.
    const std::string role_name = name.substr(3);
    const std::string password = random_password();
    // Declared in this order, removed in the reverse: the database before its owner.
    ServerObject role(target, "role", role_name, create_sandbox_sql(target, role_name, password));
    // Owning a database takes being a member of its owner (for a caller with CREATEROLE).
    target.exec("GRANT " + target.quote_identifier(role_name) + " TO CURRENT_USER");
    ServerObject shadow(target, "database", name,
                        "CREATE DATABASE " + target.quote_identifier(name) + " OWNER " +
                            target.quote_identifier(role_name) + " TEMPLATE template0");
    std::string schema;
    {
        // The extension is installed by the caller (it is not a trusted one); the role gets
        // EXECUTE on its functions, as a deploy role would.
        Connection setup = connect(with_database(o.dsn, name), o, "the scratch database", target_settings);
        setup.on_notice([](const std::string&) {});
        setup.exec("CREATE EXTENSION migrations_schema");
        schema = required_schema(setup, "the scratch database");
        setup.exec("GRANT EXECUTE ON ALL ROUTINES IN SCHEMA " + schema + " TO " + setup.quote_identifier(role_name));
    }
    std::string description;
    {
        ConnectSettings sandbox_settings;
        sandbox_settings.connect_timeout = o.connect_timeout;
        sandbox_settings.password = password;
        Connection scratch = Connection::open(with_database(o.dsn, name, role_name), sandbox_settings);
        if (!scratch.ok())
            throw core::Failure(
                core::FailureKind::Forbidden,
                "the temporary role " + role_name + " that builds the desired schema could not log in: " +
                    scratch.error_message(),
                {},
                "It logs in with a password, over the same host and port as the target: pg_hba.conf must "
                "accept password authentication (scram-sha-256 or md5) or trust for it there, before any "
                "peer or ident line that would match. Or build the desired schema in a database of its own "
                "and name it with --desired DSN.");
        scratch.on_notice([](const std::string&) {});
        if (!d.migrations.empty()) {
            scratch.exec("BEGIN");
            register_folder(scratch, schema, d.migrations, "default");
            scratch.exec("COMMIT");
        } else {
            int n = 0;
            for (const auto& [file, text] : d.scripts)
                scratch.exec("SELECT " + schema + ".migrate_register($1, $2, $3)",
                             {std::to_string(++n), file, text});
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
        {
            // Grants name their grantor and owner: the objects pass to the caller, as if it had
            // built them, so that the desired schema's grants compare with the target's. A
            // statement, not code the schema wrote, is all the caller runs there; the
            // description is read by the role itself.
            Connection setup = connect(with_database(o.dsn, name), o, "the scratch database", target_settings);
            setup.on_notice([](const std::string&) {});
            setup.exec("REASSIGN OWNED BY " + setup.quote_identifier(role_name) + " TO CURRENT_USER");
        }
        const Result r = scratch.exec("SELECT " + schema +
                                      ".migrate_schema_description(NULL::pg_catalog.text[])::pg_catalog.text");
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
                schema + ".migrate_generate($1::pg_catalog.jsonb, NULL::pg_catalog.text[], $2::pg_catalog.bool, "
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
        write_new_file(up_path, up);
        std::cout << up_path << "\n";
        // A forward-only folder gets no down script, generated or not.
        if (!m.down_path.empty()) {
            const std::string down_path = (fs::path(dir) / m.down_path).string();
            write_new_file(down_path, down);
            std::cout << down_path << "\n";
        }
        for (const auto& h : lines_of(PQgetvalue(g.get(), 0, 2)))
            say("pg_migrate: hazard: " + h);
        for (const auto& n : lines_of(PQgetvalue(g.get(), 0, 3)))
            say("pg_migrate: not generated: " + n);
        return 0;
    } catch (const Interrupted& e) {
        say(std::string("pg_migrate: ") + e.what());
        return exit_interrupted;
    } catch (const Unusable& e) {
        say(std::string("pg_migrate: ") + e.what());
        return exit_usage;
    } catch (const ConnectionLost& e) {
        say(std::string("pg_migrate: ") + e.what());
        return interrupted() ? exit_interrupted : exit_usage;
    } catch (const SqlError& e) {
        // A statement cancelled by the interrupt fails as any other; the exit says why.
        say(std::string("pg_migrate: ") + e.what());
        return interrupted() ? exit_interrupted : 1;
    } catch (const core::Failure& f) {
        say("pg_migrate: " + std::string(f.what()) + (f.detail().empty() ? "" : "\nDETAIL:  " + f.detail()) +
            (f.hint().empty() ? "" : "\nHINT:  " + f.hint()));
        return 1;
    } catch (const UsageError& e) {
        say(std::string("pg_migrate: ") + e.what());
        return exit_usage;
    } catch (const fs::filesystem_error& e) {
        say(std::string("pg_migrate: ") + e.what());
        return 1;
    }
}

}  // namespace ms::cli
