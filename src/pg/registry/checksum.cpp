#include "pg/registry/checksum.hpp"

#include "core/plan/script.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "common/cryptohash.h"
#include "common/sha2.h"
}

#include <stdexcept>

namespace ms::pg {

std::string migration_checksum(const std::string& up, const std::optional<std::string>& down,
                               const std::optional<std::string>& verify) {
    pg_cryptohash_ctx* ctx = pg_call([] {
        pg_cryptohash_ctx* c = pg_cryptohash_create(PG_SHA256);
        if (c != nullptr && pg_cryptohash_init(c) != 0) {
            pg_cryptohash_free(c);
            c = nullptr;
        }
        return c;
    });
    if (ctx == nullptr)
        throw std::runtime_error("could not compute SHA-256 checksum");
    // Fed piece by piece: no normalised copy of a script is built.
    bool ok = true;
    core::for_each_checksum_piece(up, down, verify, [&](std::string_view piece) {
        ok = ok && pg_cryptohash_update(ctx, reinterpret_cast<const uint8*>(piece.data()),
                                        piece.size()) == 0;
    });
    uint8 digest[PG_SHA256_DIGEST_LENGTH];
    ok = ok && pg_cryptohash_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) == 0;
    // Freeing releases it from the resource owner, which may raise.
    pg_call([&] { pg_cryptohash_free(ctx); });
    if (!ok)
        throw std::runtime_error("could not compute SHA-256 checksum");
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * PG_SHA256_DIGEST_LENGTH);
    for (const uint8 byte : digest) {
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
    }
    return out;
}

}  // namespace ms::pg
