#include "pg/registry/folder_registration.hpp"

#include "pg/base/spi.hpp"
#include "pg/base/spi_arrays.hpp"
#include "pg/registry/checksum.hpp"

#include <utility>

namespace ms::pg {

namespace {

// A statement's worth of new migrations: the arrays hold each script twice more while they
// are sent (as a text datum and inside the array), so a batch stays small next to the
// memory a large script needs anyway, and a script above the limit goes alone.
constexpr std::size_t batch_rows = 1000;
constexpr std::size_t batch_bytes = std::size_t{8} << 20;

std::size_t script_bytes(const MigrationContent& content) {
    return content.up_sql.size() + (content.down_sql ? content.down_sql->size() : 0) +
           (content.verify_sql ? content.verify_sql->size() : 0);
}

}  // namespace

FolderRegistration::FolderRegistration(std::string project, std::string caller)
    : project_(std::move(project)), caller_(caller), history_(project_, std::move(caller)) {
    const auto rows = spi_query(
        "SELECT canonical_version, version, name, checksum, down_sql, verify_sql "
        "FROM migrations_schema.migration WHERE project OPERATOR(pg_catalog.=) $1",
        {text_arg(project_)});
    for (std::uint64_t r = 0; r < rows; ++r)
        by_canonical_.emplace(spi_required_text(r, 1),
                              Registered{spi_required_text(r, 2), spi_required_text(r, 3),
                                         spi_required_text(r, 4), spi_text(r, 5), spi_text(r, 6)});
}

RegisterOutcome FolderRegistration::add(const core::Version& version, MigrationContent& content) {
    std::string checksum = migration_checksum(content.up_sql, content.down_sql, content.verify_sql);
    const auto found = by_canonical_.find(version.canonical());
    if (found != by_canonical_.end()) {
        const Registered& r = found->second;
        if (!r.added && r.version == version.text() && r.name == content.name &&
            r.checksum == checksum && r.down_sql == content.down_sql &&
            r.verify_sql == content.verify_sql)
            return RegisterOutcome::Unchanged;
    }
    const std::size_t bytes = script_bytes(content);
    if (found != by_canonical_.end() || bytes > batch_bytes) {
        // Rare, or large: one at a time, in order after what is pending.
        flush();
        by_canonical_[version.canonical()].added = true;
        return register_migration(project_, version, content, caller_, std::move(checksum));
    }
    if (new_.version.size() == batch_rows || new_.bytes + bytes > batch_bytes)
        flush();
    by_canonical_.emplace(version.canonical(),
                          Registered{version.text(), content.name, checksum, std::nullopt,
                                     std::nullopt, true});
    history_.history({project_, version.text(), "register", std::nullopt, checksum, std::nullopt,
                      std::string("registered")});
    new_.version.emplace_back(version.text());
    new_.canonical.emplace_back(version.canonical());
    new_.sort_key.emplace_back(version.sort_key());
    new_.name.emplace_back(content.name);
    new_.up_sql.emplace_back(std::move(content.up_sql));
    new_.down_sql.push_back(std::move(content.down_sql));
    new_.verify_sql.push_back(std::move(content.verify_sql));
    new_.checksum.emplace_back(std::move(checksum));
    new_.bytes += bytes;
    content = MigrationContent{};
    return RegisterOutcome::New;
}

void FolderRegistration::flush() {
    if (!new_.version.empty()) {
        spi_query(
            "INSERT INTO migrations_schema.migration "
            "(project, version, canonical_version, sort_key, name, up_sql, down_sql, verify_sql, "
            "checksum, registered_by) "
            "SELECT $1, m.version, m.canonical, m.sort_key, m.name, m.up_sql, m.down_sql, "
            "m.verify_sql, m.checksum, $2 "
            "FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4), "
            "pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7), "
            "pg_catalog.unnest($8), pg_catalog.unnest($9), pg_catalog.unnest($10)) "
            "WITH ORDINALITY AS m(version, canonical, sort_key, name, up_sql, down_sql, "
            "verify_sql, checksum, n) ORDER BY m.n",
            {text_arg(project_), text_arg(caller_), texts_arg(new_.version),
             texts_arg(new_.canonical), texts_arg(new_.sort_key), texts_arg(new_.name),
             texts_arg(new_.up_sql), texts_arg(new_.down_sql), texts_arg(new_.verify_sql),
             texts_arg(new_.checksum)});
        new_ = NewRows{};
    }
    history_.write();
}

void FolderRegistration::finish() {
    flush();
}

}  // namespace ms::pg
