// What migrate_verify reports: the verify script of every applied migration of a project,
// run again now, each in a subtransaction that is rolled back whatever it does. Needs a
// connected SPI.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ms::pg {

struct VerifyResult {
    const std::string& version;
    const std::string& name;
    const std::string& result;  // "ok", "failed" or "no verify script"
    const std::optional<std::string>& detail;  // the error of a failed script
};

// Calls `row` once per applied migration, in version order. What it is handed lives only
// during the call.
void verify_applied(const std::string& project,
                    const std::function<void(const VerifyResult&)>& row);

}  // namespace ms::pg
