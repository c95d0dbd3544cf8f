// Unit tests of input discovery and reading: directory walks, JSON Lines with bad records,
// zstd streams (written here with libzstd), path:line sources and batching.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "imrdex/index/formats.hpp"
#include "imrdex/index/inputs.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::testing::TempDir;
using imrdex::testing::write_file;

std::string zstd_compress(const std::string& data, int frames = 1) {
    // Several frames back to back are a valid stream too (zstd -c a b > c does that).
    std::string out;
    const std::size_t per = (data.size() + frames - 1) / frames;
    for (std::size_t off = 0; off < data.size(); off += per) {
        const std::size_t n = std::min(per, data.size() - off);
        std::string frame(ZSTD_compressBound(n), '\0');
        const std::size_t got = ZSTD_compress(frame.data(), frame.size(), data.data() + off, n, 3);
        EXPECT_FALSE(ZSTD_isError(got));
        frame.resize(got);
        out += frame;
    }
    return out;
}

struct Result {
    std::vector<imrdex::RawLetter> letters;
    std::vector<imrdex::Rejection> rejections;
};

Result read(const std::vector<std::string>& inputs) {
    Result r;
    imrdex::read_all(inputs, r.letters, r.rejections);
    return r;
}

const imrdex::Rejection* find_rejection(const Result& r, const std::string& source_suffix) {
    for (const auto& rej : r.rejections) {
        if (rej.source.size() >= source_suffix.size() &&
            rej.source.compare(rej.source.size() - source_suffix.size(), source_suffix.size(),
                               source_suffix) == 0) {
            return &rej;
        }
    }
    return nullptr;
}

// The suffix of the format a file name is read as; empty for none.
std::string suffix_of(const fs::path& p) {
    const imrdex::InputFormat* f = imrdex::input_format_of(p);
    return f == nullptr ? "" : std::string(f->suffix);
}

TEST(Inputs, FormatsBySuffix) {
    EXPECT_EQ(suffix_of("a/b.JSONL.ZST"), ".jsonl.zst");  // the longest suffix wins over .zst
    EXPECT_EQ(suffix_of("x.jsonl"), ".jsonl");
    EXPECT_EQ(suffix_of("x.Txt"), ".txt");
    EXPECT_EQ(suffix_of("x.pdf"), ".pdf");
    EXPECT_EQ(suffix_of("x.txt.pdf"), ".pdf");
    EXPECT_EQ(suffix_of("x.zst"), "");
    EXPECT_EQ(suffix_of("x.jsonl.gz"), "");
    EXPECT_EQ(suffix_of("README"), "");
    EXPECT_EQ(suffix_of("dir.txt/README"), "");  // only the file name counts
}

TEST(Inputs, FormatTableDrivesReadersStemsAndMessages) {
    // The formats, in the order --help and the "unsupported" message list them.
    std::vector<std::string> suffixes;
    for (const imrdex::InputFormat& f : imrdex::input_formats()) {
        suffixes.emplace_back(f.suffix);
        EXPECT_EQ(imrdex::input_format_of("CM16-1" + std::string(f.suffix)), &f);
        EXPECT_EQ(imrdex::file_stem("d/CM16-1" + std::string(f.suffix), f), "CM16-1");
        EXPECT_FALSE(f.help.empty()) << f.suffix;
    }
    EXPECT_EQ(suffixes, (std::vector<std::string>{".txt", ".pdf", ".jsonl", ".jsonl.zst"}));
    EXPECT_EQ(imrdex::suffix_list(", ", " or "), ".txt, .pdf, .jsonl or .jsonl.zst");
    // Only PDFs need an extractor, run later in the parallel stage; JSON Lines are read by lines.
    EXPECT_NE(imrdex::input_format_of("a.pdf")->extractor, nullptr);
    EXPECT_EQ(imrdex::input_format_of("a.pdf")->extractor->failure, imrdex::RejectReason::bad_pdf);
    EXPECT_EQ(imrdex::input_format_of("a.txt")->extractor, nullptr);
    EXPECT_EQ(imrdex::input_format_of("a.jsonl")->reader, imrdex::Reader::json_lines);
    EXPECT_EQ(imrdex::input_format_of("a.jsonl.zst")->reader, imrdex::Reader::json_lines_zstd);
    // A name that is only a suffix keeps it as its stem: an id is never empty.
    EXPECT_EQ(imrdex::file_stem(".txt", *imrdex::input_format_of(".txt")), ".txt");
}

TEST(Inputs, PdfBytesWaitForTheirExtractor) {
    TempDir t("inputs");
    write_file(t.path() / "a.pdf", "%PDF-1.4 not parsed by the reader");
    write_file(t.path() / "b.PDF", "");
    write_file(t.path() / "c.txt", "plain text");
    const Result r = read({t.path().string()});
    ASSERT_EQ(r.letters.size(), 2u);
    EXPECT_EQ(r.letters[0].fallback_id, "a");
    EXPECT_EQ(r.letters[0].text, "%PDF-1.4 not parsed by the reader");  // the bytes, as read
    EXPECT_EQ(r.letters[0].extractor, imrdex::input_format_of("a.pdf")->extractor);
    EXPECT_EQ(r.letters[1].fallback_id, "c");
    EXPECT_EQ(r.letters[1].extractor, nullptr);
    ASSERT_EQ(r.rejections.size(), 1u);
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::empty);
    EXPECT_EQ(r.rejections[0].detail, "empty file");
}

TEST(Inputs, RejectionCodesAreStable) {
    using R = imrdex::RejectReason;
    const std::vector<std::pair<R, std::string>> codes{{R::bad_id, "bad_id"},
                                                       {R::bad_json, "bad_json"},
                                                       {R::bad_pdf, "bad_pdf"},
                                                       {R::bad_zstd, "bad_zstd"},
                                                       {R::duplicate_id, "duplicate_id"},
                                                       {R::empty, "empty"},
                                                       {R::no_items, "no_items"},
                                                       {R::no_text, "no_text"},
                                                       {R::too_large, "too_large"},
                                                       {R::truncated, "truncated"},
                                                       {R::unreadable, "unreadable"},
                                                       {R::unsupported, "unsupported"}};
    for (const auto& [reason, code] : codes) EXPECT_EQ(imrdex::to_string(reason), code);
    // A map keyed by reason lists them in the order of their codes, as the summary prints them.
    std::map<R, int> by_reason{{R::unsupported, 1}, {R::bad_zstd, 2}, {R::empty, 3}};
    std::vector<std::string> order;
    for (const auto& [reason, n] : by_reason) order.emplace_back(imrdex::to_string(reason));
    EXPECT_EQ(order, (std::vector<std::string>{"bad_zstd", "empty", "unsupported"}));
}

TEST(Inputs, WalksNestedDirectoriesInOrderAndSurvivesSymlinkLoops) {
    TempDir t("inputs");
    const fs::path root = t.path() / "corpus";
    write_file(root / "b" / "deep" / "er" / "L3.txt", "letter three\n");
    write_file(root / "a" / "L1.txt", "letter one\n");
    write_file(root / "a" / "L2.TXT", "letter two\n");
    write_file(root / "a" / "notes.md", "not a letter\n");
    write_file(root / "empty.txt", " \n\n");
    fs::create_directory_symlink(root, root / "b" / "loop");  // points back up
    const Result r = read({root.string()});
    ASSERT_EQ(r.letters.size(), 3u);
    EXPECT_EQ(r.letters[0].fallback_id, "L1");
    EXPECT_EQ(r.letters[1].fallback_id, "L2");
    EXPECT_EQ(r.letters[2].fallback_id, "L3");
    EXPECT_EQ(r.letters[0].text, "letter one\n");
    EXPECT_EQ(r.letters[2].source, (root / "b" / "deep" / "er" / "L3.txt").string());
    ASSERT_EQ(r.rejections.size(), 1u);  // notes.md skipped silently inside a directory
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::empty);
}

TEST(Inputs, MissingAndUnsupportedNamedInputsAreRejected) {
    TempDir t("inputs");
    write_file(t.path() / "notes.md", "x");
    const Result r = read({(t.path() / "nope").string(), (t.path() / "notes.md").string()});
    EXPECT_TRUE(r.letters.empty());
    ASSERT_EQ(r.rejections.size(), 2u);
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::unreadable);
    EXPECT_EQ(r.rejections[1].reason, imrdex::RejectReason::unsupported);
    EXPECT_EQ(r.rejections[1].detail, "not a .txt, .pdf, .jsonl or .jsonl.zst file");
}

TEST(Inputs, UnreadableFileIsRejected) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
    TempDir t("inputs");
    const fs::path p = t.path() / "locked" / "x.txt";
    write_file(p, "text");
    fs::permissions(p, fs::perms::none);
    const Result r = read({p.string()});
    ASSERT_EQ(r.rejections.size(), 1u);
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::unreadable);
}

const char* const kJsonl =
    "{\"id\":\"CM16-1\",\"text\":\"first letter\\nline two\"}\n"
    "{\"id\":\"CM16-2\",\"text\":\"second\"\n"  // bad JSON: missing brace
    "\n"                                        // blank lines are skipped
    "{\"id\":\"CM16-3\"}\n"                     // no text
    "{\"id\":7,\"text\":\"numeric id\"}\r\n"
    "[1,2]\n"
    "{\"text\":\"no id\"}";  // last line without newline

void check_jsonl(const Result& r, const std::string& path) {
    ASSERT_EQ(r.letters.size(), 3u);
    EXPECT_EQ(r.letters[0].text, "first letter\nline two");
    EXPECT_EQ(r.letters[0].fallback_id, "CM16-1");
    EXPECT_EQ(r.letters[0].source, path + ":1");
    EXPECT_EQ(r.letters[1].fallback_id, "7");
    EXPECT_EQ(r.letters[1].source, path + ":5");
    EXPECT_EQ(r.letters[2].fallback_id, "batch-7");
    EXPECT_EQ(r.letters[2].source, path + ":7");
    ASSERT_EQ(r.rejections.size(), 3u);
    EXPECT_EQ(r.rejections[0].source, path + ":2");
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::bad_json);
    EXPECT_EQ(r.rejections[1].source, path + ":4");
    EXPECT_EQ(r.rejections[1].reason, imrdex::RejectReason::no_text);
    EXPECT_EQ(r.rejections[2].source, path + ":6");
    EXPECT_EQ(r.rejections[2].reason, imrdex::RejectReason::bad_json);
}

TEST(Inputs, JsonLinesWithBadLinesAndRecordsWithoutText) {
    TempDir t("inputs");
    const fs::path p = t.path() / "batch.jsonl";
    write_file(p, kJsonl);
    check_jsonl(read({p.string()}), p.string());
}

TEST(Inputs, ZstdRoundTripSameAsPlain) {
    TempDir t("inputs");
    const fs::path p = t.path() / "batch.jsonl.zst";
    write_file(p, zstd_compress(kJsonl, 3));
    check_jsonl(read({p.string()}), p.string());
}

TEST(Inputs, LargeZstdStreamAcrossManyChunks) {
    TempDir t("inputs");
    std::string data;
    const int n = 3000;
    for (int i = 0; i < n; ++i) {
        data += "{\"id\":\"L" + std::to_string(i) + "\",\"text\":\"" +
                std::string(1000 + i % 7, static_cast<char>('a' + i % 26)) + "\"}\n";
    }
    const fs::path p = t.path() / "big.jsonl.zst";
    write_file(p, zstd_compress(data, 2));
    // Small chunks force lines to straddle reads and decompression windows.
    std::vector<imrdex::Rejection> rej;
    imrdex::ReaderLimits limits;
    limits.chunk_bytes = 4096;
    imrdex::InputReader reader(imrdex::expand_inputs({p.string()}, rej), limits);
    imrdex::InputBatch batch;
    std::size_t count = 0;
    std::size_t batches = 0;
    std::uint64_t input_bytes = 0;
    while (reader.next(batch, 64, 1 << 20)) {
        ++batches;
        EXPECT_LE(batch.letters.size(), 64u);
        for (const auto& l : batch.letters) {
            EXPECT_EQ(l.fallback_id, "L" + std::to_string(count));
            EXPECT_EQ(l.text.size(), 1000u + count % 7);
            ++count;
        }
        input_bytes += batch.input_bytes;
        EXPECT_TRUE(batch.rejections.empty());
    }
    EXPECT_EQ(count, static_cast<std::size_t>(n));
    EXPECT_GE(batches, static_cast<std::size_t>(n / 64));
    EXPECT_EQ(input_bytes, fs::file_size(p));
}

TEST(Inputs, CorruptAndTruncatedZstdAreRejectedKeepingGoodLetters) {
    TempDir t("inputs");
    std::string data;
    for (int i = 0; i < 50; ++i) data += "{\"id\":\"L" + std::to_string(i) + "\",\"text\":\"x\"}\n";
    const std::string z = zstd_compress(data);
    write_file(t.path() / "trunc.jsonl.zst", z.substr(0, z.size() - 5));
    write_file(t.path() / "garbage.jsonl.zst", "this is not zstd at all");
    const Result r =
        read({(t.path() / "trunc.jsonl.zst").string(), (t.path() / "garbage.jsonl.zst").string()});
    const auto* trunc = find_rejection(r, "trunc.jsonl.zst");
    const auto* garbage = find_rejection(r, "garbage.jsonl.zst");
    ASSERT_NE(trunc, nullptr);
    ASSERT_NE(garbage, nullptr);
    EXPECT_EQ(trunc->reason, imrdex::RejectReason::bad_zstd);
    EXPECT_EQ(garbage->reason, imrdex::RejectReason::bad_zstd);
    EXPECT_EQ(r.rejections.size(), 2u);
    EXPECT_LE(r.letters.size(), 50u);  // whatever decoded before the damage is kept
}

TEST(Inputs, OverlongLineIsRejectedAndReadingContinues) {
    TempDir t("inputs");
    const fs::path p = t.path() / "long.jsonl";
    write_file(p, "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"" +
                      std::string(50000, 'z') + "\"}\n{\"id\":\"c\",\"text\":\"fine\"}\n");
    std::vector<imrdex::Rejection> rej;
    imrdex::ReaderLimits limits;
    limits.chunk_bytes = 1024;
    limits.max_letter_bytes = 10000;
    imrdex::InputReader reader(imrdex::expand_inputs({p.string()}, rej), limits);
    imrdex::InputBatch batch;
    std::vector<std::string> ids;
    while (reader.next(batch, 64, 1 << 20)) {
        for (const auto& l : batch.letters)
            ids.push_back(l.fallback_id + "@" + l.source.substr(l.source.rfind(':') + 1));
        for (const auto& r : batch.rejections) rej.push_back(r);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"a@1", "c@3"}));
    ASSERT_EQ(rej.size(), 1u);
    EXPECT_EQ(rej[0].reason, imrdex::RejectReason::too_large);
    EXPECT_EQ(rej[0].source, p.string() + ":2");
}

TEST(Inputs, EmptyJsonlFileIsRejected) {
    TempDir t("inputs");
    write_file(t.path() / "e.jsonl", "\n\n");
    const Result r = read({(t.path() / "e.jsonl").string()});
    ASSERT_EQ(r.rejections.size(), 1u);
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::empty);
}

TEST(Inputs, StopFlagEndsReading) {
    TempDir t("inputs");
    for (int i = 0; i < 10; ++i) write_file(t.path() / ("L" + std::to_string(i) + ".txt"), "x");
    std::vector<imrdex::Rejection> rej;
    imrdex::InputReader reader(imrdex::expand_inputs({t.path().string()}, rej));
    imrdex::InputBatch batch;
    ASSERT_TRUE(reader.next(batch, 3, 1 << 20));
    EXPECT_EQ(batch.letters.size(), 3u);
    std::atomic<bool> stop{true};
    EXPECT_FALSE(reader.next(batch, 3, 1 << 20, &stop));
}

}  // namespace

// A record's "source" (as imr-index --save-text writes the original PDF's path) is the letter's
// source, and its "warnings" of known codes come back to the letter; a line that is wrong in
// itself is still reported by its own place.
TEST(Inputs, JsonLinesSourceAndWarningsOfSavedText) {
    TempDir t("inputs");
    const fs::path p = t.path() / "saved.jsonl";
    write_file(p,
               "{\"id\":\"A\",\"text\":\"letter a\",\"source\":\"/letters/a.pdf\",\"warnings\":"
               "[{\"code\":\"pdf_empty_page\",\"detail\":\"page 3\"},{\"code\":\"no_such_code\"},"
               "{\"detail\":\"no code\"}]}\n"
               "{\"id\":\"B\",\"text\":\"letter b\",\"source\":\"\"}\n"
               "{\"id\":\"C\",\"source\":\"/letters/c.pdf\"}\n");
    const Result r = read({p.string()});
    ASSERT_EQ(r.letters.size(), 2u);
    EXPECT_EQ(r.letters[0].source, "/letters/a.pdf");
    ASSERT_EQ(r.letters[0].warnings.size(), 1u);
    EXPECT_EQ(r.letters[0].warnings[0].code, imrdex::WarningCode::pdf_empty_page);
    EXPECT_EQ(r.letters[0].warnings[0].detail, "page 3");
    EXPECT_EQ(r.letters[1].source, p.string() + ":2");  // an empty source names nothing
    EXPECT_TRUE(r.letters[1].warnings.empty());
    ASSERT_EQ(r.rejections.size(), 1u);
    EXPECT_EQ(r.rejections[0].source, p.string() + ":3");
    EXPECT_EQ(r.rejections[0].reason, imrdex::RejectReason::no_text);
}
