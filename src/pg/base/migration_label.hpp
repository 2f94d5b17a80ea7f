// How errors name the migration they concern: project, version, name, and where in the
// script. Used for error CONTEXT lines, so users can find the statement at once.
#pragma once

#include <string>

namespace ms::pg {

struct MigrationLabel {
    std::string project;
    std::string version;
    std::string name;
    const char* direction = "up";  // which script: "up" or "down"

    std::string describe() const {
        return "migration " + version + " \"" + name + "\" of project \"" + project + "\" (" +
               direction + " script)";
    }
};

}  // namespace ms::pg
