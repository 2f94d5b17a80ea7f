// The lint rules about one action on one relation: indexes, columns, constraints, removals
// and rewrites. Each looks at the catalog only for relations that exist and that the script
// did not create itself: a relation new to the script is invisible to other sessions until
// the migration commits, so nothing waits on its locks and it holds no rows yet.
#include "core/lint/types.hpp"
#include "core/lint/volatility.hpp"
#include "pg/lint/catalog.hpp"
#include "pg/lint/engine.hpp"

namespace ms::pg {

namespace {

using core::LintRule;

std::string quoted(const char* name) {
    return std::string("\"") + (name ? name : "") + "\"";
}

const char* constraint_words(LintConstraint c) {
    switch (c) {
    case LintConstraint::Check: return "CHECK";
    case LintConstraint::ForeignKey: return "FOREIGN KEY";
    case LintConstraint::Unique: return "UNIQUE";
    case LintConstraint::PrimaryKey: return "PRIMARY KEY";
    case LintConstraint::Exclusion: return "EXCLUDE";
    case LintConstraint::Other: break;
    }
    return "constraint";
}

// Volatility as pg_proc.provolatile spells it, worst last.
int rank(char volatility) {
    return volatility == 'i' ? 0 : volatility == 's' ? 1 : 2;
}

}  // namespace

std::string LintEngine::first_call_beyond(List* calls, char allowed) {
    ListCell* cell;
    foreach (cell, calls) {
        const auto* f = static_cast<const LintFunction*>(lfirst(cell));
        const std::string name = f->name;
        char volatility = 0;
        // A function the script created earlier is not in the catalog yet.
        if (const auto it = script_functions_.find(name);
            f->schema == nullptr && it != script_functions_.end()) {
            volatility = it->second;
        } else {
            const core::Volatility v =
                function_volatility(f->schema ? f->schema : "", name, f->nargs);
            volatility = v == core::Volatility::Immutable ? 'i'
                         : v == core::Volatility::Stable  ? 's'
                         : v == core::Volatility::Volatile ? 'v'
                         // Unknown: only the well-known volatile names count.
                         : core::is_known_volatile_function(name) ? 'v'
                                                                  : allowed;
        }
        if (rank(volatility) > rank(allowed))
            return name;
    }
    return "";
}

void LintEngine::record_function(const LintAction& a) {
    if (a.name != nullptr && a.type_name != nullptr)
        script_functions_[a.name] = a.type_name[0];
}

void LintEngine::check_index(const LintAction& a) {
    const std::string relation = a.relation.written ? a.relation.written : "";
    switch (a.act) {
    case LintAct::CreateIndex: {
        const std::string not_immutable = first_call_beyond(a.index_functions, 'i');
        if (!not_immutable.empty())
            add(LintRule::IndexNotImmutable, a.relation,
                "the index on " + relation + " calls " + not_immutable +
                    "(), which is not IMMUTABLE: the server refuses the index");
        if (a.concurrent && existing(a.relation) && facts(a.relation).kind == 'p')
            add(LintRule::ConcurrentlyOnPartitioned, a.relation,
                "CREATE INDEX CONCURRENTLY on " + relation +
                    ", a partitioned table: the server refuses CONCURRENTLY there");
        // IF NOT EXISTS of an index that exists builds nothing, valid or not.
        std::optional<bool> valid;
        if (a.if_not_exists && a.name != nullptr && existing(a.relation))
            valid = index_is_valid(relation, a.name);
        if (valid && !*valid)
            add(LintRule::InvalidIndexExists, a.relation,
                "index " + quoted(a.name) + " on " + relation +
                    " exists but is INVALID (left by a failed CREATE INDEX CONCURRENTLY): "
                    "IF NOT EXISTS skips the build and the index stays unusable");
        // ON ONLY a partitioned table builds nothing; on a plain table ONLY changes nothing.
        if (!valid && !a.concurrent && has_rows(a.relation) &&
            !(a.only_parent && facts(a.relation).kind == 'p'))
            add(LintRule::IndexNotConcurrent, a.relation,
                "CREATE INDEX without CONCURRENTLY on " + relation +
                    ", which holds rows, blocks writes to it until the index is built");
        break;
    }
    case LintAct::DropIndex:
        if (!a.concurrent && existing(a.relation))
            add(LintRule::DropIndexNotConcurrent, a.relation,
                "DROP INDEX " + relation +
                    " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, "
                    "blocking reads and writes");
        break;
    case LintAct::Reindex:
        if (a.concurrent)
            break;
        if (a.relation.name == nullptr)
            add(LintRule::ReindexNotConcurrent, a.relation,
                "REINDEX of a whole schema or database without CONCURRENTLY blocks writes to "
                "each table, and queries using its indexes, while they rebuild");
        else if (existing(a.relation))
            add(LintRule::ReindexNotConcurrent, a.relation,
                "REINDEX of " + relation +
                    " without CONCURRENTLY blocks writes to the table, and every query that "
                    "uses the index, until it is rebuilt");
        break;
    default:
        break;
    }
}

void LintEngine::check_add_column(const LintAction& a) {
    if (!existing(a.relation))
        return;
    const std::string relation = a.relation.written;
    if (a.inline_unique)
        add(LintRule::UniqueWithoutIndex, a.relation,
            "ADD COLUMN " + quoted(a.column) + " with UNIQUE or PRIMARY KEY builds its index on " +
                relation + " while holding an ACCESS EXCLUSIVE lock, blocking reads and writes");
    if (a.inline_foreign_key)
        add(LintRule::ConstraintNotValidMissing, a.relation,
            "ADD COLUMN " + quoted(a.column) + " with REFERENCES validates the foreign key "
                "against every existing row of " + relation + " while holding its " +
                lock_words());
    const bool serial = a.type_last_name != nullptr && core::is_serial_type(a.type_last_name);
    if (a.not_null && !a.has_default && !a.fills_rows && !serial && has_rows(a.relation))
        add(LintRule::AddColumnNotNullNoDefault, a.relation,
            "ADD COLUMN " + quoted(a.column) + " NOT NULL without a DEFAULT fails on " +
                relation + ": its existing rows would hold NULL");
    if (a.fills_rows || serial) {
        add(LintRule::AddColumnVolatileDefault, a.relation,
            "ADD COLUMN " + quoted(a.column) +
                " (identity, serial or stored generated) computes a value for every existing "
                "row, rewriting " + relation + " under an ACCESS EXCLUSIVE lock");
        return;
    }
    if (!a.has_default)
        return;
    const std::string call = first_call_beyond(a.default_functions, 's');
    if (!call.empty())
        add(LintRule::AddColumnVolatileDefault, a.relation,
            "the DEFAULT of column " + quoted(a.column) + " calls volatile function " + call +
                "(): ADD COLUMN evaluates it for every existing row, rewriting " + relation +
                " under an ACCESS EXCLUSIVE lock");
}

void LintEngine::check_distribution_column(const LintAction& a, const char* doing) {
    const auto& citus = facts(a.relation).citus;
    if (a.column == nullptr || !citus || !citus->column || *citus->column != a.column)
        return;
    add(LintRule::CitusDistributionColumn, a.relation,
        std::string(doing) + " column " + quoted(a.column) + " of " + a.relation.written +
            ", its Citus distribution column: Citus refuses it");
}

void LintEngine::check_foreign_key_target(const LintAction& a) {
    const auto& from = facts(a.relation).citus;
    if (a.referenced.name == nullptr || !from || from->distribution == "reference" ||
        from->distribution == "citus local" || created_in_script(a.referenced))
        return;
    const RelationFacts& to = facts(a.referenced);
    if (to.exists && !to.citus)
        add(LintRule::CitusForeignKeyToLocal, a.relation,
            "a FOREIGN KEY from " + std::string(a.relation.written) + ", a Citus " +
                from->distribution + "-distributed table, to " + a.referenced.written +
                ", a table Citus does not know: Citus refuses it");
}

void LintEngine::check_column_type(const LintAction& a) {
    if (a.column == nullptr || a.type_name == nullptr || !existing(a.relation))
        return;
    check_distribution_column(a, "changing the type of");
    const std::string relation = a.relation.written;
    // A column or a type that does not exist makes the statement fail by itself.
    const auto from = column_type(relation, a.column);
    const auto target = from ? resolve_type(a.type_name) : std::nullopt;
    // A type the script creates is not in the catalog yet. No old column type converts to an
    // enum, composite or range type without a rewrite; a domain checks every row.
    if (from && !target && script_types_.count(a.type_name) != 0) {
        add(LintRule::AlterColumnTypeRewrite, a.relation,
            "changing column " + quoted(a.column) + " of " + relation + " from " +
                from->display + " to " + a.type_name +
                ", a type this script creates, rewrites the table and its indexes under an "
                "ACCESS EXCLUSIVE lock");
        return;
    }
    if (!target)
        return;
    core::ColumnType to;
    to.name = target->first;
    to.modifiers_known = a.modifier_count >= 0;
    for (int i = 0; i < a.modifier_count; ++i)
        to.modifiers.push_back(a.modifiers[i]);
    if (!a.using_expression && !core::type_change_rewrites(from->type, to, time_zone_is_utc()))
        return;
    add(LintRule::AlterColumnTypeRewrite, a.relation,
        "changing column " + quoted(a.column) + " of " + relation + " from " + from->display +
            " to " + core::type_display(target->second, to.modifiers) +
            (a.using_expression ? " with USING" : "") +
            " rewrites the table and its indexes under an ACCESS EXCLUSIVE lock");
}

void LintEngine::check_set_not_null(const LintAction& a) {
    if (a.column == nullptr || !existing(a.relation))
        return;
    const std::string relation = a.relation.written;
    // A validated CHECK (column IS NOT NULL) lets the server skip the scan.
    for (const auto& c : not_null_checks_)
        if (c.relation == relation && c.column == a.column &&
            (c.validated || validated_.count({relation, c.name})))
            return;
    for (const auto& [name, validated] : not_null_checks(relation, a.column))
        if (validated || validated_.count({relation, name}))
            return;
    add(LintRule::SetNotNullScan, a.relation,
        "SET NOT NULL on column " + quoted(a.column) + " scans all of " + relation +
            " under an ACCESS EXCLUSIVE lock to prove it holds no NULL");
}

void LintEngine::check_add_constraint(const LintAction& a) {
    if (a.relation.written == nullptr)
        return;
    const std::string relation = a.relation.written;
    if (a.constraint == LintConstraint::Check && a.not_null_column != nullptr)
        not_null_checks_.push_back(
            {relation, a.not_null_column, a.name ? a.name : "", !a.not_valid});
    if (a.not_valid && a.name != nullptr)
        added_not_valid_.emplace(relation, a.name);
    if (!existing(a.relation))
        return;
    if (a.constraint == LintConstraint::ForeignKey)
        check_foreign_key_target(a);
    if (a.constraint == LintConstraint::Exclusion)
        add(LintRule::ExclusionConstraint, a.relation,
            "ADD EXCLUDE" + (a.name ? " constraint " + quoted(a.name) : std::string()) +
                " builds its index on " + relation +
                " under an ACCESS EXCLUSIVE lock, and cannot be added NOT VALID");
    const std::string what = std::string(constraint_words(a.constraint)) +
                             (a.name ? " constraint " + quoted(a.name) : std::string());
    if ((a.constraint == LintConstraint::Check || a.constraint == LintConstraint::ForeignKey) &&
        !a.not_valid)
        add(LintRule::ConstraintNotValidMissing, a.relation,
            "ADD " + what + " without NOT VALID checks every existing row of " + relation +
                " while holding its " + lock_words());
    if ((a.constraint == LintConstraint::Unique || a.constraint == LintConstraint::PrimaryKey) &&
        !a.using_index)
        add(LintRule::UniqueWithoutIndex, a.relation,
            "ADD " + what + " without USING INDEX builds its index on " + relation +
                " while holding an ACCESS EXCLUSIVE lock, blocking reads and writes");
}

void LintEngine::check_removal(const LintAction& a) {
    if (a.act == LintAct::RenameTable && created_in_script(a.relation) && a.name != nullptr) {
        // Still the script's own table, under its new name.
        created_.add(a.relation.schema ? a.relation.schema : "", a.name);
        return;
    }
    if (!existing(a.relation))
        return;
    const std::string relation = a.relation.written;
    switch (a.act) {
    case LintAct::DropTable:
        add(LintRule::Destructive, a.relation,
            "DROP TABLE " + relation + " deletes the table and all of its rows");
        break;
    case LintAct::Truncate: {
        std::string also;
        if (a.logged)  // CASCADE
            for (const auto& child : referencing_tables(relation))
                also += (also.empty() ? "" : ", ") + child;
        add(LintRule::Destructive, a.relation,
            "TRUNCATE " + relation + " deletes all of its rows" +
                (also.empty() ? std::string()
                              : "; CASCADE also empties every table referencing it: " + also));
        break;
    }
    case LintAct::DropColumn:
        check_distribution_column(a, "dropping");
        add(LintRule::Destructive, a.relation,
            "DROP COLUMN " + quoted(a.column) + " of " + relation +
                " deletes its data; clients still using the column fail");
        break;
    case LintAct::RenameTable:
        add(LintRule::Rename, a.relation,
            "renaming table " + relation + " to " + quoted(a.name) +
                " breaks every client that still uses the old name");
        break;
    case LintAct::RenameColumn:
        add(LintRule::Rename, a.relation,
            "renaming column " + quoted(a.column) + " of " + relation + " to " + quoted(a.name) +
                " breaks every client that still uses the old name");
        break;
    default:
        break;
    }
}

void LintEngine::check_rewrite(const LintAction& a) {
    if (a.act == LintAct::FullRewrite && a.relation.name == nullptr) {
        add(LintRule::FullRewrite, a.relation,
            std::string(a.name) +
                " without a table rewrites every table it covers, each under an ACCESS "
                "EXCLUSIVE lock");
        return;
    }
    if (!existing(a.relation))
        return;
    const std::string relation = a.relation.written;
    switch (a.act) {
    case LintAct::FullRewrite:
        add(LintRule::FullRewrite, a.relation,
            std::string(a.name) + " rewrites " + relation +
                " under an ACCESS EXCLUSIVE lock, blocking reads and writes until it is done");
        break;
    case LintAct::SetLogged:
        add(LintRule::SetLogged, a.relation,
            a.logged ? "SET LOGGED rewrites " + relation +
                           " and writes all of it to WAL under an ACCESS EXCLUSIVE lock"
                     : "SET UNLOGGED rewrites " + relation +
                           " under an ACCESS EXCLUSIVE lock, and its rows will not survive a "
                           "crash");
        break;
    case LintAct::UnboundedDml:
        if (core::is_large_table(facts(a.relation).rows, facts(a.relation).bytes))
            add(LintRule::UnboundedDml, a.relation,
                std::string(a.name) + " without WHERE changes every row of " + relation +
                    ", a large table, in one transaction: it holds its row locks, bloats the "
                    "table and floods WAL until it commits");
        break;
    default:
        break;
    }
}

void LintEngine::check_transaction(const LintAction& a) {
    const LintRelation none{nullptr, nullptr, nullptr};
    if (a.act == LintAct::BeginBlock) {
        if (in_block_)
            add(LintRule::UnbalancedTransaction, none,
                "BEGIN inside the script's BEGIN ... COMMIT block: the server warns and ignores "
                "it, and the first COMMIT ends both");
        in_block_ = true;
        return;
    }
    if (!in_block_)
        add(LintRule::UnbalancedTransaction, none,
            "COMMIT or ROLLBACK without a BEGIN before it in the script: it would end the "
            "transaction the runner opened for the migration");
    in_block_ = false;
}

void LintEngine::check_client_breaking(const LintAction& a) {
    const std::string name = a.name ? a.name : "";
    switch (a.act) {
    case LintAct::DetachPartition:
        if (!a.concurrent && existing(a.relation))
            add(LintRule::DetachPartitionNotConcurrent, a.relation,
                "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on " +
                    std::string(a.relation.written) + ", blocking reads and writes");
        break;
    case LintAct::DropNotNull:
        if (existing(a.relation))
            add(LintRule::ClientBreaking, a.relation,
                "DROP NOT NULL on column " + quoted(a.column) + " of " +
                    std::string(a.relation.written) +
                    " lets NULL in where deployed code does not expect it");
        break;
    case LintAct::RenameObject:
        add(LintRule::Rename, a.relation,
            std::string("renaming ") + a.type_name + " " + name + " to " + quoted(a.column) +
                " breaks every client that still uses the old name");
        break;
    case LintAct::DropObject:
        add(LintRule::Destructive, a.relation,
            std::string("DROP ") + a.type_name + " " + name +
                (a.logged ? " CASCADE drops everything that depends on it, with its data"
                          : " deletes it and whatever it holds"));
        break;
    case LintAct::CreateDomainCheck:
        add(LintRule::DomainCheck, a.relation,
            std::string("domain ") + (a.type_name ? a.type_name : "") +
                " has a CHECK: every table using it is checked against it, and changing it "
                "later scans them all");
        break;
    case LintAct::DomainConstraint:
        if (!a.not_valid)
            add(LintRule::ConstraintNotValidMissing, a.relation,
                std::string("ALTER DOMAIN ") + (a.type_name ? a.type_name : "") +
                    " ADD CONSTRAINT without NOT VALID checks every column of every table "
                    "using the domain, holding their locks");
        break;
    default:
        break;
    }
}

void LintEngine::check_style(const LintAction& a) {
    if (a.type_last_name == nullptr)
        return;
    const auto style = core::type_style(a.type_last_name, a.modifier_count);
    const std::string column = "column " + quoted(a.column) +
                               (a.relation.written ? " of " + std::string(a.relation.written) : "");
    if (style.narrow_integer)
        add(LintRule::PreferBigint, a.relation, column + " is " + a.type_last_name + ", not bigint");
    if (style.serial)
        add(LintRule::PreferIdentity, a.relation,
            column + " is " + a.type_last_name + ", not an identity column");
    if (style.limited_varchar)
        add(LintRule::PreferText, a.relation, column + " is varchar(n), not text");
    if (style.timestamp)
        add(LintRule::PreferTimestamptz, a.relation,
            column + " is timestamp without time zone, not timestamptz");
    if (style.fixed_char)
        add(LintRule::BanChar, a.relation, column + " is char(n)");
    if (style.json)
        add(LintRule::PreferJsonb, a.relation, column + " is json, not jsonb");
}

}  // namespace ms::pg
