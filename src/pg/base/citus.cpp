#include "pg/base/citus.hpp"

#include "core/base/failure.hpp"
#include "core/citus/citus.hpp"
#include "pg/base/guard.hpp"
#include "pg/base/spi.hpp"

extern "C" {
#include "utils/guc.h"
}

#include <string>
#include <vector>

namespace ms::pg {

bool citus_catalog_present() {
    spi_query("SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL "
              "AND pg_catalog.to_regclass('pg_catalog.pg_dist_shard') IS NOT NULL "
              "AND pg_catalog.to_regclass('pg_catalog.pg_dist_node') IS NOT NULL "
              "AND pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NOT NULL",
              {});
    return spi_bool(0, 1);
}

bool citus_internal_backend() {
    const char* application =
        pg_call([] { return GetConfigOption("application_name", true, false); });
    // The name first: it costs no query, and almost every backend fails it.
    return application != nullptr &&
           core::is_citus_internal_application(std::string(application)) &&
           citus_catalog_present();
}

bool citus_shard_object(const std::string& identity) {
    const auto ids = core::shard_id_candidates(identity);
    if (ids.empty() || !citus_catalog_present())
        return false;
    for (const auto id : ids) {
        spi_query("SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_shard s "
                  "WHERE s.shardid::pg_catalog.text OPERATOR(pg_catalog.=) $1)",
                  {text_arg(std::to_string(id))});
        if (spi_bool(0, 1))
            return true;
    }
    return false;
}

std::optional<std::string> citus_worker_of() {
    if (!citus_catalog_present())
        return std::nullopt;
    // The coordinator is group 0; a node that is no part of a cluster yet has no row.
    spi_query("SELECT COALESCE((SELECT g.groupid OPERATOR(pg_catalog.<>) 0 "
              "FROM pg_catalog.pg_dist_local_group g LIMIT 1), false), "
              "(SELECT n.nodename OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) "
              "n.nodeport::pg_catalog.text FROM pg_catalog.pg_dist_node n "
              "WHERE n.groupid OPERATOR(pg_catalog.=) 0 ORDER BY n.nodeid LIMIT 1)",
              {});
    if (!spi_bool(0, 1))
        return std::nullopt;
    return spi_text(0, 2).value_or("unknown");
}

void refuse_on_citus_worker(const char* function) {
    std::optional<std::string> coordinator;
    {
        SpiConnection spi;
        coordinator = citus_worker_of();
    }
    if (!coordinator)
        return;
    throw core::Failure(
        core::FailureKind::Conflict,
        std::string(function) + "() cannot run on a Citus worker",
        "This node is a worker of the Citus cluster whose coordinator is " + *coordinator + ".",
        "Run migrations on the coordinator: it propagates their DDL to the workers.");
}

}  // namespace ms::pg
