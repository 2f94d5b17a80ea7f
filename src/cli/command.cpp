#include "cli/command.hpp"

namespace ms::cli {

namespace {

class CallBuilder {
public:
    CallBuilder(std::string prefix, const std::string& schema, const char* function)
        : sql_(std::move(prefix) + schema + "." + function + "(") {}

    // Only the name is spliced into the SQL, and it is one of ours; the value is a parameter.
    // Its type is spelled: an overload someone created next to ours, with the same argument
    // names and other types, cannot be a better match for an untyped parameter.
    void add(const char* name, std::string value, const char* type = "pg_catalog.text") {
        call_.params.emplace_back(std::move(value));
        if (call_.params.size() > 1) sql_ += ", ";
        sql_ += std::string(name) + " => $" + std::to_string(call_.params.size()) + "::" + type;
    }
    void flag(const char* name, bool set) {
        if (set) add(name, "true", "pg_catalog.bool");
    }
    void arg(const char* name, const std::optional<std::string>& value) {
        if (value) add(name, *value);
    }

    Call done() {
        call_.sql = sql_ + ")";
        return std::move(call_);
    }

private:
    std::string sql_;
    Call call_;
};

void add_rollback_arguments(CallBuilder& b, const Options& o) {
    b.arg("target", o.target);
    if (o.steps) b.add("steps", std::to_string(*o.steps), "pg_catalog.int4");
    b.flag("everything", o.everything);
    b.arg("version", o.version);
    b.flag("out_of_order", o.out_of_order);
    b.arg("project", o.project);
}

}  // namespace

Call build_rollback_plan_call(const Options& o, const std::string& schema) {
    CallBuilder b("SELECT p.version, p.name, d.statement FROM ", schema, "migrate_rollback_plan");
    add_rollback_arguments(b, o);
    Call call = b.done();
    call.sql += " p, pg_catalog.unnest(p.destructive) AS d(statement)";
    return call;
}

Call build_pending_list(const Options& o, const std::string& schema) {
    // The target is compared by version order on the server, as the planner does;
    // migrate_status() lists versions in that order.
    Call call{"SELECT s.version, s.name FROM " + schema +
                  ".migrate_status($1::pg_catalog.text) s WHERE s.state OPERATOR(pg_catalog.=) ANY "
                  "('{pending,failed}'::pg_catalog.text[])",
              {o.project.value_or("default")}};
    if (o.target) {
        call.sql += " AND (pg_catalog.string_to_array(s.version, '.')::pg_catalog.numeric[] "
                    "OPERATOR(pg_catalog.<=) "
                    "pg_catalog.string_to_array($2::pg_catalog.text, '.')::pg_catalog.numeric[])";
        call.params.emplace_back(*o.target);
    }
    return call;
}

Call build_rollback_plan_list(const Options& o, const std::string& schema) {
    CallBuilder b("SELECT version, name FROM ", schema, "migrate_rollback_plan");
    add_rollback_arguments(b, o);
    return b.done();
}

Call build_prune_call(const std::string& schema, const std::vector<std::string>& versions,
                      const std::string& project) {
    std::string array = "{";
    for (std::size_t i = 0; i < versions.size(); ++i) {
        // Versions are digits, dots and underscores: nothing to quote in an array literal.
        array += (i ? "," : "") + versions[i];
    }
    array += "}";
    return Call{"SELECT version, name FROM " + schema + ".migrate_prune($1::pg_catalog.text[], $2::pg_catalog.text)",
                {array, project}};
}

Call build_call(const Options& o, const std::string& schema) {
    const std::string select = "SELECT * FROM ";
    switch (o.command) {
    case Command::Apply: {
        CallBuilder b(select, schema, "migrate_apply");
        b.arg("target", o.target);
        b.flag("dry_run", o.dry_run);
        b.arg("project", o.project);
        b.flag("out_of_order", o.out_of_order);
        return b.done();
    }
    case Command::Run: {
        // A procedure that commits per migration: sent on its own, never inside BEGIN.
        CallBuilder b("CALL ", schema, "migrate_run");
        b.arg("target", o.target);
        b.arg("project", o.project);
        // Only when asked: a server still at 0.3.0 has migrate_run without it.
        b.flag("out_of_order", o.out_of_order);
        return b.done();
    }
    case Command::Rollback:
    case Command::Undo: {
        // The production runner, which commits per migration and runs DROP INDEX
        // CONCURRENTLY at top level; a dry run needs the transaction it rolls back.
        CallBuilder b(o.dry_run ? select : "CALL ", schema,
                      o.dry_run ? "migrate_rollback" : "migrate_run_rollback");
        add_rollback_arguments(b, o);
        b.flag("dry_run", o.dry_run);
        // Only when asked: a server still at 0.3.0 has no such parameter.
        b.flag("force", o.force);
        return b.done();
    }
    case Command::Start: {
        CallBuilder b("CALL ", schema, "migrate_start");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Complete: {
        CallBuilder b("CALL ", schema, "migrate_complete");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Abort: {
        CallBuilder b("CALL ", schema, "migrate_abort");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Status: {
        CallBuilder b(select, schema, "migrate_status");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Validate: {
        CallBuilder b(select, schema, "migrate_validate");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Test: {
        CallBuilder b(select, schema, "migrate_test");
        b.arg("project", o.project);
        b.arg("target", o.target);
        return b.done();
    }
    case Command::Lint: {
        // A file's own text, or every pending migration (the folder, when given, is
        // registered first in the transaction that is rolled back).
        if (o.lint_text) {
            Call call{"SELECT * FROM " + schema + ".migrate_lint($1::pg_catalog.text)", {*o.lint_text}};
            return call;
        }
        CallBuilder b(select, schema, "migrate_lint_pending");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Drift: {
        CallBuilder b(select, schema, "migrate_drift");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::History: {
        CallBuilder b(select, schema, "migrate_history");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Baseline: {
        CallBuilder b(select, schema, "migrate_baseline");
        b.arg("version", o.version);
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Import: {
        CallBuilder b(select, schema, "migrate_import");
        b.arg("source", o.source);
        b.arg("project", o.project);
        b.arg("source_schema", o.source_schema);
        return b.done();
    }
    case Command::Repair: {
        CallBuilder b(select, schema, "migrate_repair");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Verify: {
        CallBuilder b(select, schema, "migrate_verify");
        b.arg("project", o.project);
        return b.done();
    }
    case Command::Unregister: {
        CallBuilder b("SELECT ", schema, "migrate_unregister");
        b.arg("version", o.version);
        b.arg("project", o.project);
        Call call = b.done();
        call.sql += " AS result";
        return call;
    }
    case Command::Fingerprint:
        return Call{"SELECT " + schema + ".migrate_schema_fingerprint(NULL::pg_catalog.text[]) AS fingerprint", {}};
    case Command::Hash:
        return Call{"SELECT " + schema + ".migrate_schema_hash(NULL::pg_catalog.text[]) AS hash", {}};
    case Command::Push:
    case Command::New:
    case Command::Convert:
    case Command::Wait:
    case Command::Generate:
        break;
    }
    return {};
}

}  // namespace ms::cli
