#include "core/plan/undo_dependents.hpp"

#include "core/base/failure.hpp"

#include <boost/algorithm/string/erase.hpp>
#include <boost/algorithm/string/join.hpp>
#include <boost/algorithm/string/split.hpp>

#include <regex>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

namespace {

// The names a script must spell to have made the object: "t_c_check on public.t" is
// t_c_check; "public.t.c" (a column) is t and c; "public.t_c_gin" is t_c_gin.
std::vector<std::string> names_of(const DroppedAlong& o) {
    std::string id = o.identity;
    const auto on = id.find(" on ");
    if (on != std::string::npos)
        id.erase(on);
    boost::algorithm::erase_all(id, "\"");
    std::vector<std::string> parts;
    boost::algorithm::split(parts, id, [](char c) { return c == '.'; });
    if (on != std::string::npos || parts.size() < 2)
        return {parts.back()};
    if (o.type == "table column" && parts.size() >= 3)
        return {parts[parts.size() - 2], parts.back()};
    return {parts.back()};
}

bool names_word(const std::string& script, const std::string& word) {
    std::string escaped;
    for (const char c : word) {
        if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos)
            escaped += '\\';
        escaped += c;
    }
    const std::regex re("(^|[^A-Za-z0-9_$])" + escaped + "([^A-Za-z0-9_$]|$)",
                        std::regex::icase);
    return std::regex_search(script, re);
}

}  // namespace

std::vector<std::string> migrations_naming(const DroppedAlong& object,
                                           const std::vector<LaterMigration>& later) {
    const auto names = names_of(object);
    std::vector<std::string> out;
    for (const auto& m : later) {
        bool all = true;
        for (const auto& n : names)
            all = all && names_word(m.up_sql, n);
        if (all)
            out.push_back(m.label);
    }
    return out;
}

std::vector<std::string> made_by_later(const std::vector<DroppedAlong>& along,
                                       const std::vector<LaterMigration>& later) {
    std::vector<std::string> found;
    for (const auto& o : along) {
        const auto by = migrations_naming(o, later);
        if (!by.empty())
            found.push_back(o.type + " " + o.identity + " (migration " +
                            boost::algorithm::join(by, ", migration ") + ")");
    }
    return found;
}

void refuse_undo_of_dependents(const std::string& undone, const std::vector<std::string>& made) {
    if (made.empty())
        return;
    throw Failure(FailureKind::Conflict,
                  "undoing migration " + undone + " would also drop what later migrations made",
                  "Its down script would also drop: " + boost::algorithm::join(made, "; ") +
                      ". Those migrations would stay applied without it.",
                  "Roll back those migrations first, change the down script so that it leaves "
                  "their objects alone, or undo it anyway with force => true (pg_migrate undo "
                  "--force).");
}

}  // namespace ms::core
