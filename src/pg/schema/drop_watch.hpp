// What the runner's statements drop while a DropWatch lives, as the sql_drop event trigger
// reports it: each object with whether the statement named it (original) or it went along
// (an index on a dropped column, a view of a table dropped with CASCADE). The check before
// an out-of-order undo rehearses the down script under a watch (runner/undo_dependents.hpp).
#pragma once

#include "pg/base/pg.hpp"

#include <string>
#include <vector>

namespace ms::pg {

struct DroppedObject {
    Oid classid;
    Oid objid;
    int objsubid;
    std::string type;      // as pg_event_trigger_dropped_objects() names it: index, view, ...
    std::string identity;  // its object_identity
    bool original;
};

class DropWatch {
public:
    DropWatch();
    ~DropWatch();
    DropWatch(const DropWatch&) = delete;
    DropWatch& operator=(const DropWatch&) = delete;

    const std::vector<DroppedObject>& dropped() const { return dropped_; }

private:
    std::vector<DroppedObject> dropped_;
    std::vector<DroppedObject>* previous_;
};

// Called by the sql_drop event trigger for the runner's statements, with SPI connected.
void note_watched_drops();

}  // namespace ms::pg
