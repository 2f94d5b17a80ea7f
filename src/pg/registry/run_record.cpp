#include "pg/registry/run_record.hpp"

#include "pg/base/fault.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

#include <memory>
#include <optional>
#include <utility>

namespace ms::pg {

namespace {

// A one-dimensional array parameter; an element without a value is NULL.
template <class T, class ToDatum>
SqlArg array_arg(Oid array_type, Oid element_type, const std::vector<std::optional<T>>& values,
                 ToDatum to_datum) {
    std::vector<Datum> elements;
    std::vector<bool> nulls;
    elements.reserve(values.size());
    nulls.reserve(values.size());
    for (const auto& v : values) {
        elements.push_back(v ? to_datum(*v) : Datum(0));
        nulls.push_back(!v);
    }
    std::unique_ptr<bool[]> null_flags(new bool[values.size() + 1]);
    for (std::size_t i = 0; i < nulls.size(); ++i)
        null_flags[i] = nulls[i];
    ArrayType* array = pg_call([&] {
        int16 len = 0;
        bool byval = false;
        char align = 0;
        get_typlenbyvalalign(element_type, &len, &byval, &align);
        int dims[1] = {static_cast<int>(elements.size())};
        int lbs[1] = {1};
        return construct_md_array(elements.data(), null_flags.get(), 1, dims, lbs, element_type,
                                  len, byval, align);
    });
    return SqlArg{array_type, PointerGetDatum(array), false};
}

SqlArg texts(const std::vector<std::optional<std::string>>& values) {
    return array_arg(TEXTARRAYOID, TEXTOID, values,
                     [](const std::string& v) { return text_arg(v).value; });
}

SqlArg float8s(const std::vector<std::optional<double>>& values) {
    return array_arg(FLOAT8ARRAYOID, FLOAT8OID, values,
                     [](double v) { return Float8GetDatum(v); });
}

SqlArg int4s(const std::vector<std::optional<int>>& values) {
    return array_arg(INT4ARRAYOID, INT4OID, values, [](int v) { return Int32GetDatum(v); });
}

SqlArg timestamps(const std::vector<std::optional<TimestampTz>>& values) {
    return array_arg(TIMESTAMPTZARRAYOID, TIMESTAMPTZOID, values,
                     [](TimestampTz v) { return TimestampTzGetDatum(v); });
}

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
             texts(versions), texts(checksums), float8s(durations), int4s(statements)});
        // A migration that applies has no failed attempt left on record.
        spi_query("DELETE FROM migrations_schema.failure "
                  "WHERE project OPERATOR(pg_catalog.=) $1 "
                  "AND version OPERATOR(pg_catalog.=) ANY ($2)",
                  {text_arg(project_), texts(versions)});
        applied_.clear();
    }
    if (!removed_.empty()) {
        std::vector<std::optional<std::string>> versions(removed_.begin(), removed_.end());
        spi_query("DELETE FROM migrations_schema.applied "
                  "WHERE project OPERATOR(pg_catalog.=) $1 "
                  "AND version OPERATOR(pg_catalog.=) ANY ($2)",
                  {text_arg(project_), texts(versions)});
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
             texts(versions), texts(actions), float8s(durations), texts(checksums),
             texts(old_checksums), texts(details), timestamps(times)});
        history_.clear();
    }
}

}  // namespace ms::pg
