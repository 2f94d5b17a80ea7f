#include "core/plan/progress.hpp"

#include "core/base/failure.hpp"
#include "core/base/version.hpp"

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

std::string statements_range(int from, int to) {
    return from == to ? "statement " + std::to_string(from)
                      : "statements " + std::to_string(from) + " to " + std::to_string(to);
}

std::string label_of(const PartProgress& p) {
    return p.name.empty() ? p.version : p.version + " (" + p.name + ")";
}

}  // namespace

std::string describe_progress(const PartProgress& p) {
    return std::to_string(p.parts) + " of " + std::to_string(p.total_parts) +
           " parts committed (" + statements_range(1, p.statements) + " of " +
           std::to_string(p.total_statements) + ")";
}

int resume_at(const PartProgress& p, const std::string& label, const std::string& committed_now,
              int statements_now) {
    if (statements_now >= p.statements && committed_now == p.committed)
        return p.statements;
    throw Failure(FailureKind::Conflict,
                  label + " is partly applied, and its script no longer begins with the "
                          "statements that were committed",
                  "Committed: " + describe_progress(p) + ", from the script with checksum " +
                      p.checksum + ". Not committed: statement " +
                      std::to_string(p.statements + 1) + " on.",
                  "Register the script with " + statements_range(1, p.statements) +
                      " exactly as they ran (change only what follows), or undo the "
                      "migration with migrate_run_rollback(version => '" + p.version +
                      "'), whose down script must then undo only the committed parts.");
}

const PartProgress* rollback_of_partial(const std::vector<PartProgress>& partial,
                                        const std::optional<std::string>& version) {
    if (partial.empty())
        return nullptr;
    if (version) {
        const Version wanted = Version::parse(*version);
        for (const auto& p : partial)
            if (Version::parse(p.version) == wanted)
                return &p;
    }
    const PartProgress& first = partial.front();
    throw Failure(FailureKind::Conflict,
                  "migration " + label_of(first) + " is partly applied",
                  "Committed: " + describe_progress(first) +
                      ". A rollback would run the down scripts of the migrations before it "
                      "under what it left.",
                  "Finish it (correct what failed, then CALL migrate_run()), or undo it alone "
                  "first with migrate_run_rollback(version => '" + first.version + "').");
}

std::vector<Migration> plan_rollback_with_progress(const std::vector<Registered>& registered,
                                                   const std::vector<Applied>& applied,
                                                   const RollbackRequest& request,
                                                   const std::vector<PartProgress>& partial) {
    const PartProgress* p = rollback_of_partial(partial, request.version);
    if (p == nullptr)
        return plan_rollback(registered, applied, request);
    for (const auto& m : migration_states(registered, applied))
        if (m.version == Version::parse(p->version)) {
            if (!m.has_down)
                throw Failure(FailureKind::MissingDown,
                              "partly applied migration " + label_of(*p) + " has no down script",
                              "Committed: " + describe_progress(*p) + ".",
                              "Register a down script that undoes the committed parts, or "
                              "finish the migration with CALL migrate_run().");
            return {m};
        }
    throw Failure(FailureKind::NotFound,
                  "partly applied migration " + label_of(*p) + " is no longer registered");
}

}  // namespace ms::core
