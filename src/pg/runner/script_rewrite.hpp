// Scripts rewritten for a run inside a transaction that is rolled back (migrate_test).
#pragma once

#include <string>

namespace ms::pg {

// The script with every CONCURRENTLY keyword blanked out, byte for byte, so statements keep
// their offsets and lines: CREATE INDEX CONCURRENTLY builds the same index as CREATE INDEX,
// and only the latter can run inside a transaction. Keywords only: a string, a comment or a
// quoted identifier spelling it is left alone. A script the scanner rejects comes back as it
// was, for the parser to report.
std::string without_concurrently(const std::string& script);

}  // namespace ms::pg
