// GRANT and REVOKE statements that turn one ACL, as the fingerprint prints it (aclitems
// "grantee=privileges/grantor" sorted and joined with ','; absent: the object's default;
// '': every privilege revoked), into another.
#pragma once

#include <string>
#include <vector>

namespace ms::core {

struct AclTarget {
    // What follows ON: "TABLE app.t", "SCHEMA app", "ROUTINE app.f(integer)", ...; for a
    // column, the table ("TABLE app.t") with `column` set.
    std::string object;
    std::string column;
    // The privilege letters the owner holds by default ("arwdDxt" for a table) and the ones
    // PUBLIC holds by default ("X" for a function, "U" for a type, "" otherwise).
    std::string owner_default;
    std::string public_default;
};

// absent_* is true when the attribute is absent (the default ACL). The statements end with
// ';'. Empty when nothing changes. The owner is read from the grantor of the items; when
// neither side names one, the owner's privileges are left alone.
std::vector<std::string> acl_statements(const AclTarget& target, bool absent_from,
                                        const std::string& from, bool absent_to,
                                        const std::string& to);

}  // namespace ms::core
