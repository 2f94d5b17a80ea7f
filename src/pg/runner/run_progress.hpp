// Where migrate_run is, for other sessions: pg_stat_activity shows the migration and
// statement, and migrate_status() reads it back to show the migration as `running`. Kept in
// the activity text rather than a table so a killed runner leaves nothing stale behind.
#pragma once

#include <set>
#include <string>
#include <utility>

namespace ms::pg {

void report_progress(const std::string& project, const std::string& version,
                     const std::string& name, int statement, int statements);

// (project, version) of every migration a live migrate_run is working on. Needs a
// connected SPI.
std::set<std::pair<std::string, std::string>> running_migrations();

}  // namespace ms::pg
