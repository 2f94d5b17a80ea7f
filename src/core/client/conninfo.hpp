// Connection strings as people write them (libpq's keyword=value form and its URIs), read
// only far enough to show them without their secrets. Nothing here connects; the client
// passes in which keywords libpq knows.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ms::core {

using KeywordPredicate = std::function<bool(std::string_view)>;

bool is_conninfo_uri(std::string_view text);

// Whether a command-line argument is more likely a connection string than a path or a
// number: a URI, or text with a keyword=value pair in it.
bool looks_like_conninfo(std::string_view text);

// The string with "***" in place of every value that may be secret: password and
// sslpassword, the password of a URI's user information, and the value of any keyword
// libpq does not know (a misspelt "pasword=" is still a password). Where the text stops
// following the grammar (an unterminated quote, a word without "=", a URI query parameter
// without "="), everything after that point is masked: a half-read string is treated as
// all secret, never as all public.
std::string mask_conninfo(std::string_view dsn, const KeywordPredicate& known_keyword);

// Where libpq's reading of a string differs from its writer's, in a way that would send a
// piece of a password somewhere else: libpq ends a URI's user information at its first '@'
// or '/', a person at the last '@' before the host ("postgresql://alice:p@ss@db" sends
// "ss@db" to the resolver as a host name); and "dbname= password=x" is a database named
// "password=x". Returns why such a string is refused, or nullopt when the readings agree.
std::optional<std::string> ambiguous_conninfo(std::string_view dsn);

// libpq's message about a connection string it could not parse, with each double-quoted
// fragment it quotes masked unless it is a keyword (known, or written as a keyword of this
// string): those fragments are pieces of the string, possibly of its password.
std::string mask_conninfo_message(std::string_view message, std::string_view dsn,
                                  const KeywordPredicate& known_keyword);

}  // namespace ms::core
