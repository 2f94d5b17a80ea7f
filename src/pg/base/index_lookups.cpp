#include "pg/base/index_lookups.hpp"

#include "pg/base/guard.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace ms::pg {

IndexLookups::IndexLookups() {
    for (const char* method : {"enable_hashjoin", "enable_mergejoin", "enable_seqscan"})
        pg_call([&] {
            (void)set_config_option(method, "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                    true, 0, false);
        });
}

}  // namespace ms::pg
