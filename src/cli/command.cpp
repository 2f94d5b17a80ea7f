#include "cli/command.hpp"

namespace ms::cli {

namespace {

class CallBuilder {
public:
    CallBuilder(std::string prefix, const std::string& schema, const char* function)
        : sql_(std::move(prefix) + schema + "." + function + "(") {}

    // Only the name is spliced into the SQL, and it is one of ours; the value is a parameter.
    void add(const char* name, std::string value) {
        call_.params.emplace_back(std::move(value));
        if (call_.params.size() > 1) sql_ += ", ";
        sql_ += std::string(name) + " => $" + std::to_string(call_.params.size());
    }
    void flag(const char* name, bool set) {
        if (set) add(name, "true");
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

}  // namespace

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
        return b.done();
    }
    case Command::Rollback: {
        CallBuilder b(select, schema, "migrate_rollback");
        b.arg("target", o.target);
        if (o.steps) b.add("steps", std::to_string(*o.steps));
        b.flag("everything", o.everything);
        b.flag("dry_run", o.dry_run);
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
    case Command::Push:
        break;
    }
    return {};
}

}  // namespace ms::cli
