#include "core/plan/forward_only.hpp"

#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/trim.hpp>

#include <string>
#include <vector>

#include "core/base/pure.hpp"  // last: proves nothing above pulled in PostgreSQL

namespace ms::core {

bool listed_project(std::string_view list, std::string_view project) {
    std::vector<std::string> names;
    boost::algorithm::split(names, list, [](char c) { return c == ','; });
    for (auto& name : names) {
        boost::algorithm::trim(name);
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
            name = name.substr(1, name.size() - 2);
        if (name == "*" || (!name.empty() && name == project))
            return true;
    }
    return false;
}

}  // namespace ms::core
