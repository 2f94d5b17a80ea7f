#include "pg/registry/checksum.hpp"

#include "core/script.hpp"
#include "pg/base/guard.hpp"

extern "C" {
#include "common/cryptohash.h"
#include "common/sha2.h"
}

#include <stdexcept>

namespace ms::pg {

namespace {

bool sha256(const std::string& data, uint8* digest) {
    pg_cryptohash_ctx* ctx = pg_cryptohash_create(PG_SHA256);
    const bool ok = ctx != nullptr && pg_cryptohash_init(ctx) == 0 &&
                    pg_cryptohash_update(ctx, reinterpret_cast<const uint8*>(data.data()),
                                         data.size()) == 0 &&
                    pg_cryptohash_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) == 0;
    pg_cryptohash_free(ctx);
    return ok;
}

}  // namespace

std::string migration_checksum(const std::string& up, const std::optional<std::string>& down,
                               const std::optional<std::string>& verify) {
    const std::string normalised = core::checksum_input(up, down, verify);
    uint8 digest[PG_SHA256_DIGEST_LENGTH];
    if (!pg_call([&] { return sha256(normalised, digest); }))
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
