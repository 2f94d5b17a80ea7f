// A call that writes refuses clearly where nothing can be written: on a hot standby, or in a
// read-only transaction. Without this the first write deep inside it fails, and in a
// procedure that commits (migrate_run) that failure would come from wherever it happened.
#pragma once

namespace ms::pg {

// Throws a ReadOnly failure (25006) naming the function and what to do.
void refuse_read_only(const char* function);

}  // namespace ms::pg
