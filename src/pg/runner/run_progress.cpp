#include "pg/runner/run_progress.hpp"

#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"

extern "C" {
#include "pgstat.h"
}

#include <regex>

namespace ms::pg {

namespace {

const char* const prefix = "migrate_run: ";

}  // namespace

void report_progress(const std::string& project, const std::string& version,
                     const std::string& name, int statement, int statements) {
    const std::string text = std::string(prefix) + "project \"" + project + "\" migration " +
                             version + " (" + name + ") statement " + std::to_string(statement) +
                             " of " + std::to_string(statements);
    pg_call([&] { pgstat_report_activity(STATE_RUNNING, text.c_str()); });
}

std::set<std::pair<std::string, std::string>> running_migrations() {
    static const std::regex shape(R"re(^migrate_run: project "(.*)" migration ([0-9._]+) \()re");
    const auto rows = spi_query(
        "SELECT query FROM pg_catalog.pg_stat_activity "
        "WHERE state OPERATOR(pg_catalog.=) 'active' "
        "AND query OPERATOR(pg_catalog.~~) 'migrate\\_run: %' "
        "AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid() "
        // A runner in another database runs another database's migrations.
        "AND datname OPERATOR(pg_catalog.=) pg_catalog.current_database()",
        {});
    std::set<std::pair<std::string, std::string>> running;
    for (std::uint64_t i = 0; i < rows; ++i) {
        const auto query = spi_text(i, 1);
        std::smatch m;
        if (query && std::regex_search(*query, m, shape))
            running.emplace(m[1].str(), m[2].str());
    }
    return running;
}

}  // namespace ms::pg
