// Writes a generated corpus (txt tree, JSON Lines, optional zstd, truth file): batches of
// letters are generated and serialised in parallel with TBB and written in index order.
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/info.h>

#include "imrdex/core/errors.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/core/json.hpp"

namespace imrdex {
namespace {

// Fixed, not derived from the thread count, so output bytes (zstd frames included) never
// depend on it. ~6 MB of JSON per batch: large enough for a good compression ratio.
constexpr std::uint64_t kBatch = 512;
constexpr int kZstdLevel = 3;

class OutFile {
public:
    explicit OutFile(const std::filesystem::path& path) : path_(path.string()) {
        f_ = std::fopen(path_.c_str(), "wb");
        if (f_ == nullptr) throw IoError("cannot create " + path_);
        std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
    }
    OutFile(const OutFile&) = delete;
    OutFile& operator=(const OutFile&) = delete;
    ~OutFile() {
        if (f_ != nullptr) std::fclose(f_);
    }
    void write(std::string_view data) {
        if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f_) != data.size()) {
            throw IoError("cannot write " + path_);
        }
    }
    void close() {
        FILE* f = f_;
        f_ = nullptr;
        if (std::fclose(f) != 0) throw IoError("cannot write " + path_);
    }

private:
    std::string path_;
    FILE* f_ = nullptr;
};

void write_whole_file(const std::filesystem::path& path, std::string_view data) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) throw IoError("cannot create " + path.string());
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    if (std::fclose(f) != 0 || !ok) throw IoError("cannot write " + path.string());
}

// One zstd frame holding `in`, replacing it.
void compress_in_place(std::string& in, std::string& scratch) {
    thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(),
                                                                       ZSTD_freeCCtx);
    scratch.resize(ZSTD_compressBound(in.size()));
    const std::size_t n =
        ZSTD_compressCCtx(cctx.get(), scratch.data(), scratch.size(), in.data(), in.size(),
                          kZstdLevel);
    if (ZSTD_isError(n)) throw IoError(std::string("zstd: ") + ZSTD_getErrorName(n));
    scratch.resize(n);
    in.swap(scratch);
}

struct Batch {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
    std::string letters;  // JSON Lines of {"id","text"}
    std::string truth;    // JSON Lines of to_json(Letter)
    std::uint64_t items = 0, overturned = 0, text_bytes = 0;
};

}  // namespace

CorpusStats write_corpus(const CorpusOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    const LetterGenerator gen(o.seed);
    if (o.letters > gen.id_capacity()) {
        throw ConfigError("imr-corpus: at most " + std::to_string(gen.id_capacity()) +
                          " letters per corpus (case numbers would repeat)");
    }
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) throw IoError("cannot create " + o.out.string() + ": " + ec.message());

    const bool want_txt = o.format != CorpusFormat::jsonl;
    const bool want_jsonl = o.format != CorpusFormat::txt;
    const std::string zext = o.zstd ? ".zst" : "";
    const std::filesystem::path letters_path = o.out / ("letters.jsonl" + zext);
    const std::string letters_source = letters_path.string();
    std::unique_ptr<OutFile> letters_file;
    if (want_jsonl) letters_file = std::make_unique<OutFile>(letters_path);
    OutFile truth_file(o.out / ("truth.jsonl" + zext));

    std::optional<tbb::global_control> limit;
    if (o.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, o.threads);
    const std::size_t threads =
        o.threads > 0 ? o.threads : static_cast<std::size_t>(tbb::info::default_concurrency());

    std::mutex dir_mutex;
    std::unordered_set<std::string> made_dirs;
    auto ensure_dir = [&](const std::filesystem::path& dir) {
        const std::lock_guard<std::mutex> lock(dir_mutex);
        if (made_dirs.insert(dir.string()).second) {
            std::error_code e;
            std::filesystem::create_directories(dir, e);
            if (e) throw IoError("cannot create " + dir.string() + ": " + e.message());
        }
    };

    CorpusStats stats;
    std::uint64_t next = 0;
    tbb::parallel_pipeline(
        threads * 2 + 1,
        tbb::make_filter<void, Batch*>(
            tbb::filter_mode::serial_in_order,
            [&](tbb::flow_control& fc) -> Batch* {
                if (next >= o.letters) {
                    fc.stop();
                    return nullptr;
                }
                auto* b = new Batch;
                b->first = next;
                b->count = std::min(kBatch, o.letters - next);
                next += b->count;
                return b;
            }) &
            tbb::make_filter<Batch*, Batch*>(
                tbb::filter_mode::parallel,
                [&](Batch* b) -> Batch* {
                    GeneratedLetter g;
                    std::string scratch;
                    b->letters.reserve(b->count * 7000);
                    b->truth.reserve(b->count * 7000);
                    for (std::uint64_t i = b->first; i < b->first + b->count; ++i) {
                        gen.generate(i, g);
                        const std::string rel = corpus_txt_path(g.truth.id);
                        if (want_txt) {
                            const std::filesystem::path path = o.out / rel;
                            ensure_dir(path.parent_path());
                            write_whole_file(path, g.text);
                        }
                        if (want_jsonl) {
                            g.truth.source = letters_source + ":" + std::to_string(i + 1);
                            JsonWriter w(b->letters);
                            w.begin_object().field("id", g.truth.id).field("text", g.text);
                            w.end_object();
                            b->letters.push_back('\n');
                        } else {
                            g.truth.source = (o.out / rel).string();
                        }
                        b->truth += to_json(g.truth);
                        b->truth.push_back('\n');
                        b->items += g.truth.items.size();
                        for (const Item& it : g.truth.items) {
                            b->overturned += it.decision == Decision::overturned ? 1 : 0;
                        }
                        b->text_bytes += g.text.size();
                    }
                    if (o.zstd) {
                        if (want_jsonl) compress_in_place(b->letters, scratch);
                        compress_in_place(b->truth, scratch);
                    }
                    return b;
                }) &
            tbb::make_filter<Batch*, void>(tbb::filter_mode::serial_in_order, [&](Batch* b) {
                const std::unique_ptr<Batch> owned(b);
                if (letters_file) letters_file->write(b->letters);
                truth_file.write(b->truth);
                stats.letters += b->count;
                stats.items += b->items;
                stats.overturned += b->overturned;
                stats.text_bytes += b->text_bytes;
                if (o.progress) o.progress(stats.letters, o.letters);
            }));
    if (letters_file) letters_file->close();
    truth_file.close();
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stats;
}

}  // namespace imrdex
