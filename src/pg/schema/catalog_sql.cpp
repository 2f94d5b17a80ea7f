#include "pg/schema/catalog_sql.hpp"

#include <boost/algorithm/string/replace.hpp>

#include <stdexcept>

namespace ms::pg {

std::string expand_catalog_sql(std::string sql) {
    for (const char* op : {"=", "<>", ">=", ">", "->>", "->", "?", "||"})
        boost::algorithm::replace_all(sql, std::string("{") + op + "}",
                                      std::string("OPERATOR(pg_catalog.") + op + ")");
    for (std::size_t pos = sql.find("{rc:"); pos != std::string::npos; pos = sql.find("{rc:", pos)) {
        const std::size_t end = sql.find('}', pos);
        if (end == std::string::npos)
            throw std::logic_error("unterminated catalog reference in a catalog query");
        const std::string literal =
            "'pg_catalog." + sql.substr(pos + 4, end - pos - 4) + "'::pg_catalog.regclass";
        sql.replace(pos, end + 1 - pos, literal);
        pos += literal.size();
    }
    return sql;
}

}  // namespace ms::pg
