// Runs a fuzz target without libFuzzer, so that ctest exercises it on every build: each
// seed of <corpus>/<target>/ once, then a fixed number of mutated seeds. The mutations are
// deterministic (fixed seed), so a failure here reproduces on every machine.
//
// Usage: fuzz_x <corpus-dir>      (the target name is the executable's file name)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

constexpr int mutations = 20000;
constexpr std::size_t max_input = 4096;

using Bytes = std::vector<std::uint8_t>;

// Bytes that the parsers under test treat specially, so that mutations reach their
// interesting branches more often than uniformly random bytes would.
const std::string dictionary = "0123456789._-/\n\r*VU_ \t!?~";
const std::vector<std::string> tokens = {
    ".sql", ".up.sql", ".down.sql", ".verify.sql", "__", "rollback/", "verify/", "/up.sql",
    "/down.sql", "/verify.sql", "2019-02-26-002946_", "/*", "*/", "--", "\r\n", "V1_2__",
    "db/changelog/", "\tdb/changelog/002_x.sql", "00000000000000000000000000000000"};

void run(const Bytes& input) {
    LLVMFuzzerTestOneInput(input.data(), input.size());
}

void mutate(Bytes& b, std::mt19937& rng, const std::vector<Bytes>& seeds) {
    auto pick = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    switch (pick(8)) {
    case 0:  // flip a bit
        if (!b.empty())
            b[pick(b.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
        break;
    case 1:  // replace a byte with an interesting one
        if (!b.empty())
            b[pick(b.size())] = static_cast<std::uint8_t>(dictionary[pick(dictionary.size())]);
        break;
    case 2:  // insert an interesting byte
        b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)),
                 static_cast<std::uint8_t>(dictionary[pick(dictionary.size())]));
        break;
    case 3:  // insert a random byte
        b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)),
                 static_cast<std::uint8_t>(pick(256)));
        break;
    case 4:  // erase a range
        if (!b.empty()) {
            const auto from = pick(b.size());
            const auto len = 1 + pick(std::min<std::size_t>(8, b.size() - from));
            b.erase(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(from + len));
        }
        break;
    case 5: {  // insert a token
        const auto& t = tokens[pick(tokens.size())];
        b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)), t.begin(), t.end());
        break;
    }
    case 6:  // duplicate a range
        if (!b.empty()) {
            const auto from = pick(b.size());
            const auto len = 1 + pick(std::min<std::size_t>(32, b.size() - from));
            const Bytes chunk(b.begin() + static_cast<long>(from),
                              b.begin() + static_cast<long>(from + len));
            b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)), chunk.begin(),
                     chunk.end());
        }
        break;
    default: {  // splice in part of another seed
        const auto& other = seeds[pick(seeds.size())];
        if (!other.empty()) {
            const auto from = pick(other.size());
            const auto len = 1 + pick(other.size() - from);
            b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)),
                     other.begin() + static_cast<long>(from),
                     other.begin() + static_cast<long>(from + len));
        }
        break;
    }
    }
    if (b.size() > max_input)
        b.resize(max_input);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus-dir>\n", argc > 0 ? argv[0] : "fuzz_target");
        return 2;
    }
    const std::string target = fs::path(argv[0]).filename().string();
    const fs::path dir = fs::path(argv[1]) / target;

    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file())
            files.push_back(it->path());
    if (ec || files.empty()) {
        // An empty corpus would make the test pass without testing anything.
        std::fprintf(stderr, "%s: no seed files in %s\n", target.c_str(), dir.c_str());
        return 1;
    }
    // Directory order varies; the mutation sequence must not.
    std::sort(files.begin(), files.end());

    std::vector<Bytes> seeds;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        run(seeds.back());
    }

    std::mt19937 rng(0x5eed);
    for (int i = 0; i < mutations; ++i) {
        Bytes input = seeds[std::uniform_int_distribution<std::size_t>(0, seeds.size() - 1)(rng)];
        const int rounds = std::uniform_int_distribution<int>(1, 6)(rng);
        for (int r = 0; r < rounds; ++r)
            mutate(input, rng, seeds);
        run(input);
    }
    std::printf("%s: %zu seeds and %d mutated inputs passed\n", target.c_str(), seeds.size(),
                mutations);
    return 0;
}
