#include "core/plan/expand_contract.hpp"

#include "core/base/failure.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <algorithm>
#include <cstddef>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

constexpr std::size_t max_identifier = 63;

// The comment lines that open a script, without their "--", trimmed.
std::vector<std::string> leading_comments(std::string_view script) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < script.size()) {
        const auto eol = script.find('\n', pos);
        std::string line(script.substr(pos, eol == std::string_view::npos ? std::string_view::npos
                                                                          : eol - pos));
        boost::algorithm::trim(line);
        if (!line.empty()) {
            if (!boost::algorithm::starts_with(line, "--"))
                break;
            std::string rest = line.substr(2);
            boost::algorithm::trim(rest);
            out.push_back(rest);
        }
        if (eol == std::string_view::npos)
            break;
        pos = eol + 1;
    }
    return out;
}

// A name as the server folds it: lower-cased unless double-quoted.
std::string folded(std::string name) {
    boost::algorithm::trim(name);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        std::string inner = name.substr(1, name.size() - 2);
        std::string out;
        for (std::size_t i = 0; i < inner.size(); ++i) {
            out += inner[i];
            if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"')
                ++i;
        }
        return out;
    }
    return boost::algorithm::to_lower_copy(name);
}

struct Column {
    std::string name;      // in the new version
    std::string physical;  // in the table now
    std::string type;
    bool not_null = false;
    bool has_default = false;
    bool constrained = false;
    bool in_old = true;  // the old version sees it
    bool in_new = true;  // the new version sees it
};

struct Table {
    std::string schema;
    std::string physical;  // its name now
    std::string name;      // in the new version
    std::vector<Column> columns;
    std::string key;
    bool in_old = true;
    bool in_new = true;
    bool created = false;   // by this migration: its view selects every column
    bool reshaped = false;  // a column renamed or retyped: later expressions would misread it
    std::set<std::string> touched;  // physical columns a statement already changed
};

std::string qualified(const std::string& schema, const std::string& name) {
    return quote_name(schema) + "." + quote_name(name);
}

std::string where(const EcStatement& s) {
    return "statement " + std::to_string(s.number) + ", line " + std::to_string(s.line);
}

[[noreturn]] void refuse(const EcStatement& s, const std::string& why, const std::string& hint) {
    throw Failure(FailureKind::Unsupported,
                  "statement " + std::to_string(s.number) + " (line " + std::to_string(s.line) +
                      ") cannot run as expand and contract: " + why,
                  {}, hint)
        .with_context(where(s));
}

const char* const kSplitHint =
    "Put it in a migration of its own, or run this migration with migrate_run().";

class Planner {
public:
    Planner(const std::vector<EcTable>& tables, const std::map<std::string, std::string>& down,
            const EcNames& names)
        : down_(down), names_(names) {
        for (const auto& t : tables) {
            Table m;
            m.schema = t.schema;
            m.physical = m.name = t.name;
            m.key = t.key;
            for (const auto& c : t.columns)
                m.columns.push_back(
                    {c.name, c.name, c.type, c.not_null, c.has_default, c.constrained});
            tables_.push_back(std::move(m));
        }
        plan_.old_schema = names.old_schema;
        plan_.new_schema = names.new_schema;
    }

    void add(const EcStatement& s) {
        switch (s.kind) {
        case EcKind::AddColumn: add_column(s); break;
        case EcKind::RenameColumn: rename_column(s); break;
        case EcKind::AlterColumnType: alter_type(s); break;
        case EcKind::SetNotNull: set_not_null(s); break;
        case EcKind::DropNotNull: drop_not_null(s); break;
        case EcKind::AddCheck:
        case EcKind::AddForeignKey: add_constraint(s); break;
        case EcKind::AddUnique: add_unique(s); break;
        case EcKind::DropColumn: drop_column(s); break;
        case EcKind::RenameTable: rename_table(s); break;
        case EcKind::CreateIndex: create_index(s); break;
        case EcKind::DropIndex: drop_index(s); break;
        case EcKind::CreateTable: create_table(s); break;
        case EcKind::DropTable: drop_table(s); break;
        case EcKind::Unsupported:
            refuse(s, s.what.empty() ? "this kind of statement is not supported" : s.what +
                                                                                         " is not supported",
                   "Expand and contract covers ADD / DROP / RENAME COLUMN, ALTER COLUMN TYPE, "
                   "SET / DROP NOT NULL, ADD CONSTRAINT CHECK / UNIQUE / FOREIGN KEY, RENAME TO, "
                   "CREATE / DROP INDEX and CREATE / DROP TABLE. " +
                       std::string(kSplitHint));
        }
    }

    EcPlan finish() {
        views();
        // Whatever start built is undone newest first.
        std::reverse(abort_main_.begin(), abort_main_.end());
        // The sync triggers go before anything they name; both version schemas with them:
        // once one version is left, the tables have its shape, its clients read them through
        // the next schema on their search_path, and no view is left to hold a column or a
        // table against a later migration.
        // The schemas go first: a client locks a view before its table, and so must the
        // transaction that drops both while clients run, or each waits for the other (the
        // CASCADE locks every view before it drops the trigger the new schema's function
        // has, which locks the table).
        std::vector<EcStep> complete_main;
        for (const auto* schema : {&names_.old_schema, &names_.new_schema})
            complete_main.push_back(
                {"DROP SCHEMA IF EXISTS " + quote_name(*schema) + " CASCADE", false, 0});
        complete_main.insert(complete_main.end(), sync_drop_.begin(), sync_drop_.end());
        complete_main.insert(complete_main.end(), contract_main_.begin(), contract_main_.end());
        plan_.complete.main = std::move(complete_main);
        std::vector<EcStep> abort_main;
        for (const auto* schema : {&names_.new_schema, &names_.old_schema})
            abort_main.push_back(
                {"DROP SCHEMA IF EXISTS " + quote_name(*schema) + " CASCADE", false, 0});
        abort_main.insert(abort_main.end(), sync_drop_.begin(), sync_drop_.end());
        abort_main.insert(abort_main.end(), abort_main_.begin(), abort_main_.end());
        plan_.abort.main = std::move(abort_main);
        return std::move(plan_);
    }

private:
    Table& table(const EcStatement& s) {
        for (auto& t : tables_)
            if (t.schema == s.schema && t.name == s.table && t.in_new)
                return t;
        refuse(s, "table " + qualified(s.schema, s.table) + " is not known",
               "Name a table that exists when the migration starts, or one it creates.");
    }

    Table& existing(const EcStatement& s) {
        Table& t = table(s);
        if (t.created)
            refuse(s, "table " + qualified(s.schema, s.table) + " is created by this migration",
                   "Write its final shape in its CREATE TABLE.");
        return t;
    }

    Column& column(Table& t, const EcStatement& s, const std::string& name) {
        for (auto& c : t.columns)
            if (c.name == name && c.in_new)
                return c;
        refuse(s, "column " + quote_name(name) + " of table " + qualified(t.schema, t.name) +
                      " does not exist",
               "Name a column the table has when the migration starts.");
    }

    void touch(Table& t, const std::string& physical, const EcStatement& s) {
        if (!t.touched.insert(physical).second)
            refuse(s, "column " + quote_name(physical) + " of table " +
                          qualified(t.schema, t.physical) +
                          " is changed by an earlier statement of this migration",
                   "Change each column once per expand and contract migration; " +
                       std::string(kSplitHint));
    }

    void require_plain_shape(Table& t, const EcStatement& s) {
        if (t.reshaped)
            refuse(s, "table " + qualified(t.schema, t.name) +
                          " has a column renamed or retyped by an earlier statement, and this "
                          "statement's expression would be read against the old columns",
                   kSplitHint);
    }

    std::string phys(const Table& t) const { return qualified(t.schema, t.physical); }

    // A NOT NULL applied without a scan under a strong lock: a CHECK added NOT VALID
    // (enforced for new rows at once), validated on its own, then SET NOT NULL, which finds
    // the valid CHECK and skips its scan, and the CHECK dropped.
    std::string not_null_check(const Table& t, const std::string& physical) const {
        return quote_name(bounded("ms_nn_" + t.physical + "_" + physical));
    }
    std::string add_not_null_check(const Table& t, const std::string& physical) const {
        return "ALTER TABLE " + phys(t) + " ADD CONSTRAINT " + not_null_check(t, physical) +
               " CHECK (" + quote_name(physical) + " IS NOT NULL) NOT VALID";
    }
    void not_null_via_check(EcPhase& phase, std::vector<EcStep>& main, const Table& t,
                            const std::string& physical, bool add_check, int number) const {
        if (add_check)
            phase.before.push_back({add_not_null_check(t, physical), false, number});
        phase.before.push_back({"ALTER TABLE " + phys(t) + " VALIDATE CONSTRAINT " +
                                    not_null_check(t, physical),
                                false, number});
        main.push_back({"ALTER TABLE " + phys(t) + " ALTER COLUMN " + quote_name(physical) +
                            " SET NOT NULL",
                        false, number});
        main.push_back({"ALTER TABLE " + phys(t) + " DROP CONSTRAINT " +
                            not_null_check(t, physical),
                        false, number});
    }

    static std::string bounded(std::string name) {
        if (name.size() > max_identifier)
            name.resize(max_identifier);
        return name;
    }

    void add_column(const EcStatement& s) {
        Table& t = existing(s);
        for (const auto& c : t.columns)
            if (c.physical == s.column || (c.name == s.column && c.in_new))
                refuse(s, "column " + quote_name(s.column) + " already exists",
                       "Give the new column a name of its own.");
        if (s.not_null && !s.default_expr)
            refuse(s, "NOT NULL column " + quote_name(s.column) + " has no DEFAULT",
                   "The old version's clients do not write it: give it a DEFAULT.");
        touch(t, s.column, s);
        std::string sql = "ALTER TABLE " + phys(t) + " ADD COLUMN " + quote_name(s.column) + " " +
                          s.type;
        if (s.default_expr)
            sql += " DEFAULT " + *s.default_expr;
        plan_.start.main.push_back({sql, false, s.number});
        if (s.not_null) {
            plan_.start.main.push_back({add_not_null_check(t, s.column), false, s.number});
            not_null_via_check(plan_.complete, contract_main_, t, s.column, false, s.number);
        }
        abort_main_.push_back({"ALTER TABLE " + phys(t) + " DROP COLUMN IF EXISTS " +
                                   quote_name(s.column),
                               false, s.number});
        Column c{s.column, s.column, s.type, s.not_null, s.default_expr.has_value(), false};
        c.in_old = false;
        t.columns.push_back(c);
    }

    void rename_column(const EcStatement& s) {
        Table& t = existing(s);
        Column& c = column(t, s, s.column);
        touch(t, c.physical, s);
        for (const auto& other : t.columns)
            if (other.name == s.new_name && other.in_new)
                refuse(s, "column " + quote_name(s.new_name) + " already exists",
                       "Rename it to a free name.");
        c.name = s.new_name;
        t.reshaped = true;
        contract_main_.push_back({"ALTER TABLE " + phys(t) + " RENAME COLUMN " +
                                      quote_name(c.physical) + " TO " + quote_name(s.new_name),
                                  false, s.number});
    }

    // The row a sync expression reads: every column under the name one version gives it.
    std::string row_of(const Table& t, bool new_version, const std::string& swap_physical,
                       const std::string& swap_with) const {
        std::string out;
        for (const auto& c : t.columns) {
            if (new_version ? !c.in_new : !c.in_old)
                continue;
            if (!out.empty())
                out += ", ";
            const std::string& source = c.physical == swap_physical ? swap_with : c.physical;
            out += "NEW." + quote_name(source) + " AS " + quote_name(new_version ? c.name
                                                                                 : c.physical);
        }
        return out;
    }

    void alter_type(const EcStatement& s) {
        Table& t = existing(s);
        require_plain_shape(t, s);
        Column& c = column(t, s, s.column);
        touch(t, c.physical, s);
        if (c.constrained)
            refuse(s, "column " + quote_name(c.name) +
                          " has a default or is used by an index or a constraint, which a copy "
                          "under the new type would not keep",
                   kSplitHint);
        if (t.key.empty() || t.key == c.physical)
            refuse(s, "table " + qualified(t.schema, t.name) +
                          " needs a single-column primary key, other than the column changed, "
                          "to be backfilled in batches",
                   kSplitHint);
        const std::string shadow = bounded("ms_new_" + c.physical);
        const std::string up = s.using_expr ? *s.using_expr
                                            : "CAST(" + quote_name(c.name) + " AS " + s.type + ")";
        std::string down;
        if (auto d = down_.find(t.name + "." + c.name); d != down_.end())
            down = d->second;
        else if (auto e = down_.find(c.name); e != down_.end())
            down = e->second;
        else
            down = "CAST(" + quote_name(c.name) + " AS " + c.type + ")";
        plan_.start.main.push_back({"ALTER TABLE " + phys(t) + " ADD COLUMN " + quote_name(shadow) +
                                        " " + s.type,
                                    false, s.number});
        const std::string function = qualified(
            names_.new_schema, bounded("ms_sync_" + t.physical + "_" + c.physical));
        const std::string trigger = quote_name(bounded("ms_sync_" + c.physical));
        const std::string new_row = row_of(t, true, c.physical, shadow);
        const std::string old_row = row_of(t, false, "", "");
        // The function keeps the client's search_path: the new version's clients are told
        // from the old by the version schema on it. It runs with the writer's rights.
        plan_.start.main.push_back(
            {"CREATE FUNCTION " + function +
                 "() RETURNS trigger LANGUAGE plpgsql AS $ms_sync$\nBEGIN\n"
                 "    IF " + literal(names_.new_schema) +
                 " OPERATOR(pg_catalog.=) ANY (pg_catalog.current_schemas(false)) THEN\n"
                 "        NEW." + quote_name(c.physical) + " := (SELECT " + down + " FROM (SELECT " +
                 new_row + ") AS ms_row);\n"
                 "    ELSE\n"
                 "        NEW." + quote_name(shadow) + " := (SELECT " + up + " FROM (SELECT " +
                 old_row + ") AS ms_row);\n"
                 "    END IF;\n    RETURN NEW;\nEND\n$ms_sync$",
             false, s.number});
        plan_.start.main.push_back({"CREATE TRIGGER " + trigger + " BEFORE INSERT OR UPDATE ON " +
                                        phys(t) + " FOR EACH ROW EXECUTE FUNCTION " + function +
                                        "()",
                                    false, s.number});
        sync_drop_.push_back(
            {"DROP TRIGGER IF EXISTS " + trigger + " ON " + phys(t), false, s.number});
        sync_drop_.push_back({"DROP FUNCTION IF EXISTS " + function + "()", false, s.number});
        abort_main_.push_back({"ALTER TABLE " + phys(t) + " DROP COLUMN IF EXISTS " +
                                   quote_name(shadow),
                               false, s.number});
        contract_main_.push_back({"ALTER TABLE " + phys(t) + " DROP COLUMN " +
                                      quote_name(c.physical),
                                  false, s.number});
        contract_main_.push_back({"ALTER TABLE " + phys(t) + " RENAME COLUMN " +
                                      quote_name(shadow) + " TO " + quote_name(c.physical),
                                  false, s.number});
        if (c.not_null) {
            // New rows get the new column from the trigger; old rows from the backfill, which
            // completion checks before it validates.
            plan_.start.main.push_back({add_not_null_check(t, shadow), false, s.number});
            not_null_via_check(plan_.complete, contract_main_, t, shadow, false, s.number);
            // SET NOT NULL runs after the rename: the column is c's name by then.
            auto& set = contract_main_[contract_main_.size() - 2];
            set.sql = "ALTER TABLE " + phys(t) + " ALTER COLUMN " + quote_name(c.physical) +
                      " SET NOT NULL";
        }
        bool found = false;
        for (auto& b : plan_.backfill)
            if (b.schema == t.schema && b.table == t.physical) {
                b.check += " OR ";
                found = true;
            }
        // IS DISTINCT FROM would take its "=" from the caller's search_path.
        const std::string expected = "CAST((" + up + ") AS " + s.type + ")";
        const std::string disagrees = "((" + quote_name(shadow) + " IS NULL) OPERATOR(pg_catalog.<>) (" +
                                      expected + " IS NULL) OR " + quote_name(shadow) +
                                      " OPERATOR(pg_catalog.<>) " + expected + ")";
        if (found) {
            for (auto& b : plan_.backfill)
                if (b.schema == t.schema && b.table == t.physical)
                    b.check += disagrees;
        } else {
            plan_.backfill.push_back({t.schema, t.physical, t.key, disagrees});
        }
        // The new version reads the shadow column under the old name.
        c.in_new = false;
        Column n = c;
        n.physical = shadow;
        n.type = s.type;
        n.in_old = false;
        n.in_new = true;
        t.columns.push_back(n);
        t.reshaped = true;
    }

    void set_not_null(const EcStatement& s) {
        Table& t = existing(s);
        Column& c = column(t, s, s.column);
        touch(t, c.physical, s);
        plan_.start.main.push_back({add_not_null_check(t, c.physical), false, s.number});
        not_null_via_check(plan_.complete, contract_main_, t, c.physical, false, s.number);
        abort_main_.push_back({"ALTER TABLE " + phys(t) + " DROP CONSTRAINT IF EXISTS " +
                                   not_null_check(t, c.physical),
                               false, s.number});
    }

    void drop_not_null(const EcStatement& s) {
        Table& t = existing(s);
        Column& c = column(t, s, s.column);
        touch(t, c.physical, s);
        if (!c.not_null)
            return;
        release_not_null(t, c, s.number);
    }

    // The new version may write NULL from the start; abort puts NOT NULL back without a
    // scan under a strong lock.
    void release_not_null(const Table& t, const Column& c, int number) {
        plan_.start.main.push_back({"ALTER TABLE " + phys(t) + " ALTER COLUMN " +
                                        quote_name(c.physical) + " DROP NOT NULL",
                                    false, number});
        std::vector<EcStep> main;
        not_null_via_check(plan_.abort, main, t, c.physical, true, number);
        // Undone newest first: the CHECK goes after SET NOT NULL.
        abort_main_.insert(abort_main_.end(), main.rbegin(), main.rend());
    }

    void add_constraint(const EcStatement& s) {
        Table& t = existing(s);
        require_plain_shape(t, s);
        if (s.constraint.empty())
            refuse(s, "the constraint has no name", "Name it: ADD CONSTRAINT name ...");
        std::string sql = "ALTER TABLE " + phys(t) + " ADD " + s.constraint_text;
        if (!s.constraint_not_valid)
            sql += " NOT VALID";
        plan_.start.main.push_back({sql, false, s.number});
        if (!s.constraint_not_valid)
            plan_.complete.before.push_back({"ALTER TABLE " + phys(t) + " VALIDATE CONSTRAINT " +
                                                 quote_name(s.constraint),
                                             false, s.number});
        abort_main_.push_back({"ALTER TABLE " + phys(t) + " DROP CONSTRAINT IF EXISTS " +
                                   quote_name(s.constraint),
                               false, s.number});
    }

    void add_unique(const EcStatement& s) {
        Table& t = existing(s);
        require_plain_shape(t, s);
        if (s.constraint.empty())
            refuse(s, "the constraint has no name", "Name it: ADD CONSTRAINT name UNIQUE (...)");
        std::string cols;
        for (const auto& name : s.columns) {
            const Column& c = column(t, s, name);
            cols += (cols.empty() ? "" : ", ") + quote_name(c.physical);
        }
        const std::string index = qualified(t.schema, s.constraint);
        plan_.complete.before.push_back({"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " +
                                             quote_name(s.constraint) + " ON " + phys(t) + " (" +
                                             cols + ")",
                                         true, s.number});
        contract_main_.push_back({"ALTER TABLE " + phys(t) + " ADD CONSTRAINT " +
                                      quote_name(s.constraint) + " UNIQUE USING INDEX " +
                                      quote_name(s.constraint),
                                  false, s.number});
        // A completion stopped after the build leaves the index: abort takes it away.
        plan_.abort.after.push_back(
            {"DROP INDEX CONCURRENTLY IF EXISTS " + index, true, s.number});
    }

    void drop_column(const EcStatement& s) {
        Table& t = existing(s);
        Column& c = column(t, s, s.column);
        touch(t, c.physical, s);
        if (c.not_null && !c.has_default)
            release_not_null(t, c, s.number);
        c.in_new = false;
        contract_main_.push_back({"ALTER TABLE " + phys(t) + " DROP COLUMN " +
                                      quote_name(c.physical) + (s.cascade ? " CASCADE" : ""),
                                  false, s.number});
    }

    void rename_table(const EcStatement& s) {
        Table& t = existing(s);
        for (const auto& other : tables_)
            if (other.schema == t.schema && other.name == s.new_name && other.in_new)
                refuse(s, "table " + qualified(t.schema, s.new_name) + " already exists",
                       "Rename it to a free name.");
        t.name = s.new_name;
        contract_main_.push_back({"ALTER TABLE " + phys(t) + " RENAME TO " +
                                      quote_name(s.new_name),
                                  false, s.number});
    }

    void create_index(const EcStatement& s) {
        Table& t = table(s);
        require_plain_shape(t, s);
        if (t.physical != t.name)
            refuse(s, "table " + qualified(t.schema, t.name) + " is renamed by this migration",
                   kSplitHint);
        if (s.index.empty())
            refuse(s, "the index has no name", "Name it: CREATE INDEX name ON ...");
        static const std::regex head(R"(^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?)",
                                     std::regex::icase);
        std::smatch m;
        if (!std::regex_search(s.text, m, head))
            refuse(s, "the index statement is not in a form this planner reads", kSplitHint);
        const std::string sql = "CREATE " + std::string(m[1].matched ? "UNIQUE " : "") +
                                "INDEX CONCURRENTLY " + s.text.substr(m.length(0));
        const std::string index = qualified(t.schema, s.index);
        if (t.created) {
            plan_.start.main.push_back({s.text, false, s.number});
            return;
        }
        plan_.start.after.push_back({sql, true, s.number});
        plan_.abort.before.push_back({"DROP INDEX CONCURRENTLY IF EXISTS " + index, true, s.number});
    }

    void drop_index(const EcStatement& s) {
        plan_.complete.before.push_back({"DROP INDEX CONCURRENTLY IF EXISTS " +
                                             qualified(s.schema, s.index) +
                                             (s.cascade ? " CASCADE" : ""),
                                         true, s.number});
    }

    void create_table(const EcStatement& s) {
        for (const auto& t : tables_)
            if (t.schema == s.schema && (t.physical == s.table || t.name == s.table))
                refuse(s, "table " + qualified(s.schema, s.table) + " already exists",
                       "Give the new table a name of its own.");
        plan_.start.main.push_back({s.text, false, s.number});
        abort_main_.push_back({"DROP TABLE IF EXISTS " + qualified(s.schema, s.table), false,
                               s.number});
        Table t;
        t.schema = s.schema;
        t.physical = t.name = s.table;
        t.in_old = false;
        t.created = true;
        tables_.push_back(std::move(t));
    }

    void drop_table(const EcStatement& s) {
        Table& t = existing(s);
        t.in_new = false;
        contract_main_.push_back({"DROP TABLE " + phys(t) + (s.cascade ? " CASCADE" : ""), false,
                                  s.number});
    }

    static std::string literal(const std::string& text) {
        std::string out = "'";
        for (char ch : text) {
            out += ch;
            if (ch == '\'')
                out += '\'';
        }
        return out + "'";
    }

    // One view per table and version; simple views over one table are updatable, so both
    // versions' clients write through them.
    void views() {
        for (const auto& t : tables_) {
            if (t.in_old && !t.created) {
                std::string cols;
                for (const auto& c : t.columns)
                    if (c.in_old)
                        cols += (cols.empty() ? "" : ", ") + quote_name(c.physical);
                plan_.old_views.push_back(
                    {t.physical, "CREATE VIEW " + qualified(names_.old_schema, t.physical) +
                                     " AS SELECT " + cols + " FROM " + phys(t)});
            }
            if (!t.in_new)
                continue;
            std::string cols;
            for (const auto& c : t.columns) {
                if (!c.in_new)
                    continue;
                cols += (cols.empty() ? "" : ", ") + quote_name(c.physical);
                if (c.physical != c.name)
                    cols += " AS " + quote_name(c.name);
            }
            if (t.created)
                cols = "*";
            plan_.start.main.push_back({"CREATE VIEW " + qualified(names_.new_schema, t.name) +
                                            " AS SELECT " + cols + " FROM " + phys(t),
                                        false, 0});
        }
    }

    const std::map<std::string, std::string>& down_;
    EcNames names_;
    std::vector<Table> tables_;
    EcPlan plan_;
    std::vector<EcStep> contract_main_;
    std::vector<EcStep> abort_main_;
    std::vector<EcStep> sync_drop_;
};

}  // namespace

std::string quote_name(const std::string& name) {
    std::string out = "\"";
    for (char ch : name) {
        out += ch;
        if (ch == '"')
            out += '"';
    }
    return out + "\"";
}

bool has_expand_contract_marker(std::string_view script) {
    for (const auto& line : leading_comments(script))
        if (boost::algorithm::iequals(line, "migrate:expand-contract"))
            return true;
    return false;
}

std::map<std::string, std::string> down_expressions(std::string_view script) {
    static const std::regex directive(R"(^\s*--\s*migrate:down-expression\b(.*)$)",
                                      std::regex::icase);
    static const std::regex assignment(
        R"(^\s*((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?)\s*=\s*(.+?)\s*$)");
    static const std::regex part(R"((?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))");
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    int line_number = 0;
    while (pos <= script.size()) {
        const auto eol = script.find('\n', pos);
        const std::string line(
            script.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
        ++line_number;
        std::smatch m;
        if (std::regex_match(line, m, directive)) {
            const std::string rest = m[1].str();
            std::smatch a;
            if (!std::regex_match(rest, a, assignment))
                throw Failure(FailureKind::Syntax,
                              "malformed migrate:down-expression directive on line " +
                                  std::to_string(line_number),
                              {}, "Write it as: -- migrate:down-expression [table.]column = expression")
                    .with_context("line " + std::to_string(line_number));
            std::string key;
            const std::string target = a[1].str();
            for (auto it = std::sregex_iterator(target.begin(), target.end(), part);
                 it != std::sregex_iterator(); ++it)
                key += (key.empty() ? "" : ".") + folded(it->str());
            out[key] = a[2].str();
        }
        if (eol == std::string_view::npos)
            break;
        pos = eol + 1;
    }
    return out;
}

std::string version_schema_name(const std::string& project, const std::string& version) {
    std::string name = project + "_" + version;
    if (name.size() > max_identifier)
        throw Failure(FailureKind::InvalidValue,
                      "the version schema \"" + name + "\" would be longer than 63 bytes",
                      {}, "Use a shorter project name or version for expand and contract.");
    return name;
}

EcPlan plan_expand_contract(const std::vector<EcStatement>& statements,
                            const std::vector<EcTable>& tables,
                            const std::map<std::string, std::string>& down, const EcNames& names) {
    if (names.old_schema == names.new_schema)
        throw Failure(FailureKind::Conflict, "the old and the new version schema are both \"" +
                                                 names.new_schema + "\"");
    Planner planner(tables, down, names);
    for (const auto& s : statements)
        planner.add(s);
    return planner.finish();
}

}  // namespace ms::core
