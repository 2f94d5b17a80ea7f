#include "pg/plan_runner.hpp"

#include "core/failure.hpp"
#include "pg/checksum.hpp"
#include "pg/guard.hpp"
#include "pg/internal_scope.hpp"
#include "pg/registry.hpp"
#include "pg/result_set.hpp"
#include "pg/script_parser.hpp"
#include "pg/statement_executor.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include <exception>

namespace ms::pg {

namespace {

MigrationLabel label_for(const RunRequest& request, const core::Migration& m) {
    return MigrationLabel{request.project, m.version.text(), m.name,
                          request.direction == Direction::Up ? "up" : "down"};
}

std::string script_of(const RunRequest& request, const core::Migration& m) {
    std::optional<std::string> script;
    {
        InternalScope internal;
        script = load_script(request.project, m.version.text(), request.direction == Direction::Down);
    }
    if (!script)
        throw core::Failure(core::FailureKind::MissingDown,
                            "migration " + m.version.text() + " has no down script");
    return std::move(*script);
}

// Every script is parsed before the first one runs, so a syntax error in the tenth
// migration is reported before the first has changed anything. Scripts are read again
// when they run, which keeps memory bounded by the largest script, not by their sum.
std::vector<std::vector<Statement>> parse_all(const std::vector<core::Migration>& plan,
                                              const RunRequest& request) {
    std::vector<std::vector<Statement>> parsed;
    parsed.reserve(plan.size());
    for (const auto& m : plan)
        parsed.push_back(parse_script(script_of(request, m), label_for(request, m)));
    return parsed;
}

void run_steps(ResultSet& rows, const std::vector<core::Migration>& plan,
               const std::vector<std::vector<Statement>>& parsed, const RunRequest& request) {
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const auto& m = plan[i];
        const std::string script = script_of(request, m);
        const TimestampTz started = GetCurrentTimestamp();
        const int count = execute_statements(script, parsed[i], label_for(request, m));
        const double ms =
            static_cast<double>(GetCurrentTimestamp() - started) / 1000.0;
        {
            InternalScope internal;
            if (request.direction == Direction::Up)
                record_applied(request.project, m.version.text(), script_checksum(script),
                               request.caller, ms, count);
            else
                remove_applied(request.project, m.version.text());
        }
        static const std::string apply = "apply";
        static const std::string rollback = "rollback";
        rows.add_row({Cell::text(m.version.text()), Cell::text(m.name),
                      Cell::text(request.direction == Direction::Up ? apply : rollback),
                      Cell::float8(ms), Cell::int4(count)});
    }
}

}  // namespace

void run_plan(FunctionCallInfo fcinfo, const std::vector<core::Migration>& plan,
              const RunRequest& request) {
    ResultSet rows(fcinfo);
    const auto parsed = parse_all(plan, request);
    if (!request.dry_run) {
        run_steps(rows, plan, parsed, request);
        return;
    }
    const MemoryContext outer_context = CurrentMemoryContext;
    const ResourceOwner outer_owner = CurrentResourceOwner;
    pg_call([] { BeginInternalSubTransaction(nullptr); });
    MemoryContextSwitchTo(outer_context);
    std::exception_ptr failure;
    try {
        run_steps(rows, plan, parsed, request);
    } catch (...) {
        failure = std::current_exception();
    }
    // The subtransaction is ours: close it even when an error travels on, or the caller's
    // own exception handling would roll back the wrong level.
    pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
    MemoryContextSwitchTo(outer_context);
    CurrentResourceOwner = outer_owner;
    if (failure)
        std::rethrow_exception(failure);
}

}  // namespace ms::pg
