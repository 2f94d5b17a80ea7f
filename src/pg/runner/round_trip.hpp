// migrate_test's work: for each pending migration, up, down and up again, each compared with
// the schema it should restore, all inside a subtransaction that is rolled back at the end.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::pg {

struct RoundTripOutcome {
    std::string version;
    std::string name;
    std::string reversible;
    std::optional<std::string> detail;
    std::optional<std::string> differences;  // JSON array
};

std::vector<RoundTripOutcome> test_round_trips(const std::string& project,
                                               const std::optional<std::string>& target);

}  // namespace ms::pg
