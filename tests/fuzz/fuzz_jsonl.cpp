// libFuzzer target: the JSON Lines reader (InputReader) on any bytes, read as .jsonl in one chunk,
// as .jsonl in tiny chunks and as .jsonl.zst, must never crash or throw, and all three readings
// must agree letter for letter; raw bytes read as .jsonl.zst must be rejected cleanly.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <zstd.h>

#include "imrdex/index/inputs.hpp"

namespace fs = std::filesystem;

namespace {

// One directory per fuzzing process (libFuzzer -jobs/-fork run several), removed at exit.
const fs::path& work_dir() {
    static const fs::path dir = [] {
        fs::path d =
            fs::temp_directory_path() / ("imrdex-fuzz-jsonl-" + std::to_string(::getpid()));
        fs::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            fs::remove_all(work_dir(), ec);
        });
        return d;
    }();
    return dir;
}

void write_file(const fs::path& p, const void* data, std::size_t size) {
    std::FILE* f = std::fopen(p.c_str(), "wb");
    if (f == nullptr) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
}

// What a reading produced, with the file path taken out of each source ("path:line" -> ":line")
// so readings of differently named files compare equal. Letters and rejections are kept apart:
// batches list each separately, so only their own orders are stable.
struct Reading {
    std::vector<std::string> letters;     // "<source>\t<id>\t<text>"
    std::vector<std::string> rejections;  // "<source>\t<reason>"
    bool operator==(const Reading&) const = default;
};

std::string strip_path(const std::string& source, const std::string& path) {
    if (source.compare(0, path.size(), path) == 0) return source.substr(path.size());
    std::abort();  // every source names the file it came from
}

Reading read(const fs::path& p, imrdex::ReaderLimits limits, std::size_t max_letters) {
    std::error_code ec;
    const std::uint64_t size = fs::file_size(p, ec);
    const imrdex::InputFormat* format = imrdex::input_format_of(p);
    if (format == nullptr) std::abort();
    imrdex::InputReader reader({imrdex::InputFile{p, format, size}}, limits);
    imrdex::InputBatch batch;
    Reading r;
    const std::string path = p.string();
    while (reader.next(batch, max_letters, std::size_t{1} << 16)) {
        for (const imrdex::RawLetter& l : batch.letters) {
            if (l.extractor != nullptr || l.text.empty() || l.fallback_id.empty()) std::abort();
            r.letters.push_back(strip_path(l.source, path) + "\t" + l.fallback_id + "\t" + l.text);
        }
        for (const imrdex::Rejection& j : batch.rejections) {
            if (j.detail.empty()) std::abort();
            r.rejections.push_back(strip_path(j.source, path) + "\t" +
                                   std::string(imrdex::to_string(j.reason)));
        }
    }
    if (r.letters.empty() && r.rejections.empty())
        std::abort();  // a file with no letter is at least rejected as empty
    return r;
}

// On a disagreement, shows both readings before failing, so the report explains itself.
void expect_same(const Reading& x, const Reading& y, const char* what) {
    if (x == y) return;
    std::fprintf(stderr, "fuzz_jsonl: readings differ (%s)\n", what);
    for (const Reading* r : {&x, &y}) {
        std::fprintf(stderr, "---\n");
        for (const std::string& i : r->letters) std::fprintf(stderr, "  L[%s]\n", i.c_str());
        for (const std::string& i : r->rejections) std::fprintf(stderr, "  R[%s]\n", i.c_str());
    }
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path& dir = work_dir();
    const fs::path plain = dir / "in.jsonl";
    const fs::path packed = dir / "in.jsonl.zst";
    write_file(plain, data, size);

    // Lines never exceed the letter limit here, so chunking must not change the result.
    // (64 KiB chunks: more than any input, and far cheaper than the 4 MiB default per run.)
    imrdex::ReaderLimits whole;
    whole.chunk_bytes = std::size_t{64} << 10;
    imrdex::ReaderLimits tiny;
    tiny.chunk_bytes = 1 + (size % 7);
    const Reading a = read(plain, whole, 64);
    const Reading b = read(plain, tiny, 3);
    expect_same(a, b, "one chunk vs tiny chunks");

    std::vector<char> z(ZSTD_compressBound(size));
    const std::size_t zn = ZSTD_compress(z.data(), z.size(), data, size, 1);
    if (ZSTD_isError(zn)) std::abort();
    write_file(packed, z.data(), zn);
    const Reading c = read(packed, tiny, 5);
    expect_same(a, c, "plain vs zstd");

    // The raw bytes as a compressed file: almost always a bad frame, which must be a rejection.
    write_file(packed, data, size);
    (void)read(packed, whole, 64);

    // A letter limit below some line lengths: over-long lines become too_large, the rest stay.
    imrdex::ReaderLimits small;
    small.chunk_bytes = 16;
    small.max_letter_bytes = 48;
    const Reading d = read(plain, small, 64);
    if (d.letters.size() > a.letters.size()) std::abort();
    return 0;
}
