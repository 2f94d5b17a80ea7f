// What one run of migrate_apply or migrate_rollback records in the tracking tables, kept
// until its last migration has run and then written with one statement per table: a
// thousand migrations cost four statements, not five thousand. Such a run is one
// transaction whose error undoes every row anyway, so nothing is lost by writing late; each
// history row keeps the time it would have had (taken when its migration finished) and its
// place in the history's order. Every call must run inside an InternalScope.
#pragma once

#include "pg/base/pg.hpp"
#include "pg/registry/registry.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

#include <string>
#include <vector>

namespace ms::pg {

class RunRecord {
public:
    RunRecord(std::string project, std::string caller);

    // As record_applied (which also clears a failed attempt) and remove_applied.
    void applied(const std::string& version, const std::string& checksum, double duration_ms,
                 int statements);
    void removed(const std::string& version);
    // As append_history, for an entry of this run's project.
    void history(const HistoryEntry& entry);

    // Writes what was recorded so far, in the order it was recorded.
    void write();

private:
    struct Applied {
        std::string version;
        std::string checksum;
        double duration_ms;
        int statements;
    };
    struct History {
        HistoryEntry entry;
        TimestampTz at;
    };
    std::string project_;
    std::string caller_;
    std::vector<Applied> applied_;
    std::vector<std::string> removed_;
    std::vector<History> history_;
};

}  // namespace ms::pg
