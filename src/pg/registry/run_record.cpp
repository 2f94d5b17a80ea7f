#include "pg/registry/run_record.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"
#include "pg/base/spi_arrays.hpp"

extern "C" {
#include "utils/guc.h"
#include "utils/timestamp.h"
}

#include <memory>
#include <optional>
#include <utility>

namespace ms::pg {

namespace {

std::optional<std::string> application_name() {
    const char* name = pg_call([] { return GetConfigOption("application_name", true, false); });
    if (name == nullptr || *name == '\0')
        return std::nullopt;
    return std::string(name);
}

}  // namespace

RunRecord::RunRecord(std::string project, std::string caller)
    : project_(std::move(project)), caller_(std::move(caller)) {}

void RunRecord::applied(const std::string& version, const std::string& checksum,
                        double duration_ms, int statements) {
    applied_.push_back(Applied{version, checksum, duration_ms, statements});
}

void RunRecord::removed(const std::string& version) {
    removed_.push_back(version);
}

void RunRecord::history(const HistoryEntry& entry) {
    // The time append_history's row would have had: the history's column default is the
    // clock at the insert, not the transaction's start.
    history_.push_back(History{entry, GetCurrentTimestamp()});
}

void RunRecord::write() {
    if (!applied_.empty()) {
        fault_point("record_applied");
        std::vector<std::optional<std::string>> versions, checksums;
        std::vector<std::optional<double>> durations;
        std::vector<std::optional<int>> statements;
        for (const auto& a : applied_) {
            versions.emplace_back(a.version);
            checksums.emplace_back(a.checksum);
            durations.emplace_back(a.duration_ms);
            statements.emplace_back(a.statements);
        }
        spi_query(
            "INSERT INTO migrations_schema.applied "
            "(project, version, checksum, applied_by, duration_ms, statements, kind) "
            "SELECT $1, a.version, a.checksum, $2, a.duration_ms, a.statements, $3 "
            "FROM ROWS FROM (pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6), "
            "pg_catalog.unnest($7)) WITH ORDINALITY "
            "AS a(version, checksum, duration_ms, statements, n) ORDER BY a.n",
            {text_arg(project_), text_arg(caller_),
             text_arg(std::string(core::applied_kind_name(core::AppliedKind::Run))),
             texts_arg(versions), texts_arg(checksums), float8s_arg(durations),
             int4s_arg(statements)});
        // A migration that applies has no failed attempt left on record.
        spi_query("DELETE FROM migrations_schema.failure "
                  "WHERE project OPERATOR(pg_catalog.=) $1 "
                  "AND version OPERATOR(pg_catalog.=) ANY ($2)",
                  {text_arg(project_), texts_arg(versions)});
        applied_.clear();
    }
    if (!removed_.empty()) {
        std::vector<std::optional<std::string>> versions(removed_.begin(), removed_.end());
        spi_query("DELETE FROM migrations_schema.applied "
                  "WHERE project OPERATOR(pg_catalog.=) $1 "
                  "AND version OPERATOR(pg_catalog.=) ANY ($2)",
                  {text_arg(project_), texts_arg(versions)});
        removed_.clear();
    }
    if (!history_.empty()) {
        std::vector<std::optional<std::string>> versions, actions, checksums, old_checksums,
            details;
        std::vector<std::optional<double>> durations;
        std::vector<std::optional<TimestampTz>> times;
        for (const auto& h : history_) {
            versions.push_back(h.entry.version);
            actions.emplace_back(std::string(h.entry.action));
            durations.push_back(h.entry.duration_ms);
            checksums.push_back(h.entry.checksum);
            old_checksums.push_back(h.entry.old_checksum);
            details.push_back(h.entry.detail);
            times.emplace_back(h.at);
        }
        spi_query(
            // The ids as append_history gives them, row after row: never below the next
            // value of the sequence, never at or below an id already used (setval() is not
            // transactional). Output expressions run after the sort, so nextval() follows it.
            "INSERT INTO migrations_schema.history (id, project, version, action, role_name, "
            "application_name, duration_ms, checksum, old_checksum, detail, at) "
            "OVERRIDING SYSTEM VALUE "
            "SELECT GREATEST("
            "pg_catalog.nextval('migrations_schema.history_id_seq'::pg_catalog.regclass), "
            "top.id OPERATOR(pg_catalog.+) h.n), $1, h.version, h.action, $2, $3, "
            "h.duration_ms, h.checksum, h.old_checksum, h.detail, h.at "
            "FROM (SELECT COALESCE(pg_catalog.max(id), 0) AS id "
            "FROM migrations_schema.history) AS top, "
            "ROWS FROM (pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6), "
            "pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9), "
            "pg_catalog.unnest($10)) WITH ORDINALITY "
            "AS h(version, action, duration_ms, checksum, old_checksum, detail, at, n) "
            "ORDER BY h.n",
            {text_arg(project_), text_arg(caller_), text_arg(application_name()),
             texts_arg(versions), texts_arg(actions), float8s_arg(durations), texts_arg(checksums),
             texts_arg(old_checksums), texts_arg(details), timestamps_arg(times)});
        history_.clear();
    }
}

}  // namespace ms::pg
