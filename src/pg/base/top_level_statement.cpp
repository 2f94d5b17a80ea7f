#include "pg/base/top_level_statement.hpp"

namespace ms::pg {

namespace {

TopLevelStatement running;
bool recorded = false;

}  // namespace

const TopLevelStatement& running_top_level_statement() {
    return running;
}

bool top_level_statements_recorded() {
    return recorded;
}

TopLevelStatement enter_top_level_statement(const PlannedStmt* statement,
                                            const char* query_string) {
    const TopLevelStatement previous = running;
    running = {statement, query_string};
    recorded = true;
    return previous;
}

void leave_top_level_statement(const TopLevelStatement& previous) {
    running = previous;
}

}  // namespace ms::pg
