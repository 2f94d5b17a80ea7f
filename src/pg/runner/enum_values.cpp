#include "pg/runner/enum_values.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_enum.h"
#include "utils/errcodes.h"
#include "utils/rel.h"
}

namespace ms::pg {

namespace {

// Plain data filled under pg_call: no C++ object lives across the scan.
struct Found {
    Oid* oids;
    char** labels;
    int count;
};

// pg_enum rows inserted by this transaction or one of its live subtransactions: the
// values PostgreSQL's check_safe_enum_use may refuse.
Found scan_uncommitted() {
    Found found{nullptr, nullptr, 0};
    pg_call([&] {
        Relation rel = table_open(EnumRelationId, AccessShareLock);
        SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, nullptr, 0, nullptr);
        int capacity = 16;
        found.oids = static_cast<Oid*>(palloc(sizeof(Oid) * capacity));
        found.labels = static_cast<char**>(palloc(sizeof(char*) * capacity));
        HeapTuple tuple;
        while ((tuple = systable_getnext(scan)) != nullptr) {
            if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)))
                continue;
            if (found.count == capacity) {
                capacity *= 2;
                found.oids = static_cast<Oid*>(repalloc(found.oids, sizeof(Oid) * capacity));
                found.labels =
                    static_cast<char**>(repalloc(found.labels, sizeof(char*) * capacity));
            }
            const auto* row = reinterpret_cast<Form_pg_enum>(GETSTRUCT(tuple));
            found.oids[found.count] = row->oid;
            found.labels[found.count] = pstrdup(NameStr(row->enumlabel));
            ++found.count;
        }
        systable_endscan(scan);
        table_close(rel, AccessShareLock);
    });
    return found;
}

std::map<unsigned, std::string> uncommitted() {
    const Found found = scan_uncommitted();
    std::map<unsigned, std::string> values;
    for (int i = 0; i < found.count; ++i)
        values.emplace(found.oids[i], found.labels[i]);
    return values;
}

}  // namespace

bool is_unsafe_enum_use(const PgError& e) {
    return e.data()->sqlerrcode == ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE;
}

AddedEnumValues::AddedEnumValues() : callers_(uncommitted()) {}

void AddedEnumValues::attribute(const std::string& by) {
    for (auto& [oid, label] : uncommitted())
        if (callers_.count(oid) == 0 && added_.count(oid) == 0)
            added_.emplace(oid, core::AddedEnumValue{std::move(label), by});
}

std::vector<core::AddedEnumValue> AddedEnumValues::still_added() const {
    std::vector<core::AddedEnumValue> values;
    for (const auto& [oid, label] : uncommitted())
        if (const auto it = added_.find(oid); it != added_.end())
            values.push_back(it->second);
    return values;
}

}  // namespace ms::pg
