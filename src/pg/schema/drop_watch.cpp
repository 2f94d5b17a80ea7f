#include "pg/schema/drop_watch.hpp"

#include "pg/base/spi.hpp"

namespace ms::pg {

namespace {

std::vector<DroppedObject>* watching = nullptr;

}  // namespace

DropWatch::DropWatch() : previous_(watching) {
    watching = &dropped_;
}

DropWatch::~DropWatch() {
    watching = previous_;
}

void note_watched_drops() {
    if (watching == nullptr)
        return;
    const auto rows = spi_query(
        "SELECT classid::pg_catalog.text, objid::pg_catalog.text, objsubid::pg_catalog.text, "
        "object_type, object_identity, original "
        "FROM pg_catalog.pg_event_trigger_dropped_objects() WHERE NOT is_temporary",
        {});
    for (std::uint64_t i = 0; i < rows; ++i)
        watching->push_back(DroppedObject{
            static_cast<Oid>(std::stoul(spi_required_text(i, 1))),
            static_cast<Oid>(std::stoul(spi_required_text(i, 2))),
            std::stoi(spi_required_text(i, 3)), spi_text(i, 4).value_or(""),
            spi_text(i, 5).value_or(""), spi_bool(i, 6)});
}

}  // namespace ms::pg
