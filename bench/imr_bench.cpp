// imr-bench: Google Benchmark figures for each stage of imrdex and the whole, as rates.
//
// Corpus size: IMRDEX_BENCH_LETTERS (default 20000) generated letters, seed 42, built once per run
// into a temporary directory; or IMRDEX_BENCH_CORPUS, a JSON Lines corpus to use instead (what
// bench/compare passes). Run with --benchmark_repetitions=N for aggregates and
// --benchmark_format=json for machine-readable throughput. The PDF benchmarks read the real
// letters of ../shared/real-letters/pdf and skip, saying so, where it is absent.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/extract/pdf.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/inputs.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/search/export.hpp"
#include "imrdex/search/pivot.hpp"
#include "imrdex/search/search.hpp"
#include "imrdex/search/significant.hpp"

namespace fs = std::filesystem;

namespace {

std::uint64_t bench_letters() {
    const char* env = std::getenv("IMRDEX_BENCH_LETTERS");
    return env != nullptr ? std::strtoull(env, nullptr, 10) : 20000;
}

// The shared fixture: one generated corpus on disk (JSON Lines), its texts and parsed letters in
// memory, and one index over it. Built lazily so a filtered run builds only what it needs.
struct Corpus {
    fs::path dir;
    fs::path jsonl;
    std::vector<std::string> texts;
    std::vector<std::string> ids;
    std::uint64_t text_bytes = 0;
    std::vector<imrdex::Letter> letters;
    fs::path db;

    Corpus() {
        dir = fs::temp_directory_path() / ("imr-bench-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        if (const char* given = std::getenv("IMRDEX_BENCH_CORPUS")) {
            jsonl = given;
            std::vector<imrdex::Rejection> rejections;
            imrdex::InputReader reader(imrdex::expand_inputs({jsonl.string()}, rejections));
            imrdex::InputBatch batch;
            while (reader.next(batch, 256, std::size_t{4} << 20)) {
                for (imrdex::RawLetter& raw : batch.letters) {
                    text_bytes += raw.text.size();
                    ids.push_back(raw.fallback_id);
                    texts.push_back(std::move(raw.text));
                }
            }
            return;
        }
        imrdex::CorpusOptions opts;
        opts.letters = bench_letters();
        opts.seed = 42;
        opts.out = dir / "corpus";
        opts.format = imrdex::CorpusFormat::jsonl;
        imrdex::write_corpus(opts);
        jsonl = opts.out / "letters.jsonl";
        const imrdex::LetterGenerator gen(opts.seed);
        for (std::uint64_t i = 0; i < opts.letters; ++i) {
            auto g = gen.generate(i);
            text_bytes += g.text.size();
            ids.push_back(g.truth.id);
            texts.push_back(std::move(g.text));
        }
    }
    ~Corpus() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Corpus(const Corpus&) = delete;
    Corpus& operator=(const Corpus&) = delete;

    const std::vector<imrdex::Letter>& parsed() {
        if (letters.empty()) {
            const imrdex::LetterParser parser;
            for (std::size_t i = 0; i < texts.size(); ++i) {
                letters.push_back(parser.parse(texts[i], ids[i], ids[i]));
            }
        }
        return letters;
    }

    const fs::path& index() {
        if (db.empty()) {
            db = dir / "db";
            imrdex::IndexOptions opts;
            opts.db = db.string();
            imrdex::run_index({jsonl.string()}, opts);
        }
        return db;
    }
};

Corpus& corpus() {
    static Corpus c;
    return c;
}

void set_rates(benchmark::State& state, std::uint64_t letters, std::uint64_t bytes) {
    state.SetItemsProcessed(static_cast<std::int64_t>(letters));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["letters/s"] =
        benchmark::Counter(static_cast<double>(letters), benchmark::Counter::kIsRate);
}

// A total over every iteration as a mean per iteration (per query, where an iteration is one).
double per_iteration(const benchmark::State& state, std::uint64_t total) {
    return static_cast<double>(total) /
           static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

// CPU seconds (user + system) of the whole process so far, all threads.
double process_cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    const auto secs = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

// Letters per CPU-second, the cost figure that stays meaningful on a shared machine.
void set_cpu_rate(benchmark::State& state, std::uint64_t letters, double cpu_seconds) {
    state.counters["letters/CPU-s"] = static_cast<double>(letters) / std::max(cpu_seconds, 1e-9);
    state.counters["CPU-s"] = cpu_seconds;
}

// Reads every letter of `input` as the reader stage does, adding up letters and text bytes.
void read_through(const fs::path& input, std::size_t batch_letters, std::size_t batch_bytes,
                  std::uint64_t& letters, std::uint64_t& bytes) {
    std::vector<imrdex::Rejection> rejections;
    imrdex::InputReader reader(imrdex::expand_inputs({input.string()}, rejections));
    imrdex::InputBatch batch;
    while (reader.next(batch, batch_letters, batch_bytes)) {
        letters += batch.letters.size();
        bytes += batch.text_bytes;
    }
}

// Reading JSON Lines with simdjson's document stream: the reader stage alone.
void BM_ReadJsonl(benchmark::State& state) {
    Corpus& c = corpus();
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    for (auto _ : state) read_through(c.jsonl, 256, std::size_t{4} << 20, letters, bytes);
    set_rates(state, letters, bytes);
}
BENCHMARK(BM_ReadJsonl)->Unit(benchmark::kMillisecond);

// PDF text extraction in-process with poppler-cpp over the real letters in ../shared (the
// corpus is published as PDFs); `bench/compare`'s notes set it beside the pdftotext CLI.
void BM_PdfExtract(benchmark::State& state) {
    const fs::path dir = fs::path(IMRDEX_SHARED_DIR) / "real-letters" / "pdf";
    std::vector<std::string> pdfs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::ifstream in(entry.path(), std::ios::binary);
        pdfs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (pdfs.empty()) {
        state.SkipWithError("no PDFs in ../shared/real-letters/pdf (not on this machine)");
        return;
    }
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        for (const auto& pdf : pdfs) {
            auto text = imrdex::extract_pdf_text(pdf, "bench");
            bytes += text.text.size();
            benchmark::DoNotOptimize(text);
        }
        letters += pdfs.size();
    }
    set_rates(state, letters, bytes);
}
BENCHMARK(BM_PdfExtract)->Unit(benchmark::kMillisecond);

// The real PDFs' directory, and their text saved once by `imr-index --extract --save-text` into
// the fixture's directory (empty paths when ../shared is absent).
struct RealLetters {
    fs::path pdfs;
    fs::path saved;
    std::uint64_t letters = 0;
};

const RealLetters& real_letters() {
    static const RealLetters r = [] {
        RealLetters out;
        const fs::path dir = fs::path(IMRDEX_SHARED_DIR) / "real-letters" / "pdf";
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) return out;
        out.pdfs = dir;
        out.saved = corpus().dir / "real-letters.jsonl.zst";
        imrdex::ExtractOptions opts;
        opts.save_text = out.saved.string();
        // The records are not wanted, only the saved text: a stream that takes and drops them.
        struct Discard : std::streambuf {
            int overflow(int c) override { return c; }
            std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
        } sink;
        std::ostream discard(&sink);
        out.letters = imrdex::run_extract({dir.string()}, opts, discard).saved_letters;
        return out;
    }();
    return r;
}

// The other way to the same text: reading the PDFs' saved text (zstd, JSON Lines) through the
// reader stage, as a run from FILE.jsonl.zst does instead of extracting; compare with
// BM_PdfExtract's letters/s.
void BM_ReadSavedText(benchmark::State& state) {
    const RealLetters& r = real_letters();
    if (r.saved.empty()) {
        state.SkipWithError("no PDFs in ../shared/real-letters/pdf (not on this machine)");
        return;
    }
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    for (auto _ : state) read_through(r.saved, 64, std::size_t{1} << 20, letters, bytes);
    set_rates(state, letters, bytes);
}
BENCHMARK(BM_ReadSavedText)->Unit(benchmark::kMillisecond);

// The whole run on the real letters, on one thread (oneTBB limited to it), into a fresh
// database: from the PDFs (arg 0) and from their saved text (arg 1). The same letters and index
// either way (test_save_text); the difference is the PDF text extraction.
void BM_IndexRealLetters(benchmark::State& state) {
    const RealLetters& r = real_letters();
    if (r.saved.empty()) {
        state.SkipWithError("no PDFs in ../shared/real-letters/pdf (not on this machine)");
        return;
    }
    const bool saved = state.range(0) == 1;
    const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    int run = 0;
    for (auto _ : state) {
        const fs::path db = corpus().dir / ("real-" + std::to_string(run++));
        imrdex::IndexOptions opts;
        opts.db = db.string();
        opts.threads = 1;
        opts.sync = false;
        const auto stats = imrdex::run_index({(saved ? r.saved : r.pdfs).string()}, opts);
        letters += stats.letters;
        bytes += stats.text_bytes;
        state.PauseTiming();
        fs::remove_all(db);
        state.ResumeTiming();
    }
    set_rates(state, letters, bytes);
    state.SetLabel(saved ? "from saved text" : "from PDFs");
}
BENCHMARK(BM_IndexRealLetters)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Parsing letter text into extraction records, one core.
void BM_Parse(benchmark::State& state) {
    Corpus& c = corpus();
    const imrdex::LetterParser parser;
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < c.texts.size(); ++i) {
            auto letter = parser.parse(c.texts[i], c.ids[i], c.ids[i]);
            benchmark::DoNotOptimize(letter);
            bytes += c.texts[i].size();
        }
        letters += c.texts.size();
    }
    set_rates(state, letters, bytes);
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond);

// Drug vocabulary matching, one core: the matcher runs on every item's request. A fixed mix of
// requests with and without a drug, so the figure does not depend on the corpus.
void BM_DrugMatch(benchmark::State& state) {
    static const std::vector<std::string> kRequests = {
        "MRI of the right shoulder without contrast",
        "Norco 10/325mg #60",
        "Physical therapy, 6 sessions, cervical and thoracic spine",
        "Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16",
        "Right L5-S1 epidural steroid injection",
        "Lidoderm patch 5% #30"};
    const imrdex::DrugVocabulary& vocab = imrdex::DrugVocabulary::builtin();
    std::uint64_t requests = 0;
    std::uint64_t bytes = 0;
    std::uint64_t hits = 0;
    for (auto _ : state) {
        for (const std::string& r : kRequests) {
            const auto m = vocab.match(r);
            hits += m.has_value() ? 1 : 0;
            benchmark::DoNotOptimize(m);
            bytes += r.size();
        }
        requests += kRequests.size();
    }
    // Half of the mix names a drug; anything else means the matcher changed, not its speed.
    if (hits * 2 != requests) state.SkipWithError("the matcher's answers changed");
    state.SetItemsProcessed(static_cast<std::int64_t>(requests));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["requests/s"] =
        benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DrugMatch);

// Tokenising, stemming and building the Xapian documents of parsed letters, one core.
void BM_BuildDocuments(benchmark::State& state) {
    Corpus& c = corpus();
    const auto& parsed = c.parsed();
    imrdex::DocumentBuilder builder;
    std::uint64_t letters = 0;
    std::uint64_t items = 0;
    for (auto _ : state) {
        for (const auto& letter : parsed) {
            auto docs = builder.build(letter);
            items += docs.size();
            benchmark::DoNotOptimize(docs);
        }
        letters += parsed.size();
    }
    set_rates(state, letters, c.text_bytes * static_cast<std::uint64_t>(state.iterations()));
    state.counters["items/s"] =
        benchmark::Counter(static_cast<double>(items), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BuildDocuments)->Unit(benchmark::kMillisecond);

// The whole job into a finished, committed, searchable index, at 1 and 2 threads (two shards,
// as imr-index makes for either).
void BM_IndexEndToEnd(benchmark::State& state) {
    Corpus& c = corpus();
    const auto threads = static_cast<unsigned>(state.range(0));
    // As imr-index --threads does: without it oneTBB would run the pipeline on every core.
    const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    double cpu = 0;
    int run = 0;
    for (auto _ : state) {
        const fs::path db =
            c.dir / ("e2e-" + std::to_string(threads) + "-" + std::to_string(run++));
        imrdex::IndexOptions opts;
        opts.db = db.string();
        opts.threads = threads;
        opts.shards = 2;
        const double cpu0 = process_cpu_seconds();
        const auto stats = imrdex::run_index({c.jsonl.string()}, opts);
        cpu += process_cpu_seconds() - cpu0;
        letters += stats.letters;
        bytes += stats.text_bytes;
        state.PauseTiming();
        fs::remove_all(db);
        state.ResumeTiming();
    }
    set_rates(state, letters, bytes);
    set_cpu_rate(state, letters, cpu);
}
BENCHMARK(BM_IndexEndToEnd)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

// The writer floor: the corpus's item documents, parsed and built by DocumentBuilder before the
// clock starts and held in memory, then only written by run_write, with everything else as in
// BM_IndexEndToEnd (two shards, flush size, commits, fsync, compaction). No indexer of this
// schema on Xapian 1.4 can write faster; BM_IndexEndToEnd's letters/CPU-s over this one's is
// how close imrdex comes. Memory: all documents at once (about 1 GB per 20,000 letters).
void BM_WriterFloor(benchmark::State& state) {
    Corpus& c = corpus();
    static std::vector<imrdex::BuiltLetter> built;
    // Document data compressed as run_index does: the first documents train the dictionary.
    static imrdex::DocumentDataEncoder encoder(imrdex::IndexOptions{}.dictionary_samples);
    if (built.empty()) {
        // Parsed and judged as the pipeline does (letters without items or cut off are not
        // indexed there either), built by the project's own DocumentBuilder.
        const imrdex::LetterParser parser;
        imrdex::DocumentBuilder builder;
        for (std::size_t i = 0; i < c.texts.size(); ++i) {
            imrdex::Letter letter = parser.parse(c.texts[i], c.ids[i], c.ids[i]);
            if (letter.items.empty()) continue;
            const bool truncated = std::any_of(
                letter.warnings.begin(), letter.warnings.end(), [](const imrdex::Warning& w) {
                    return w.code == imrdex::WarningCode::truncated_item;
                });
            if (truncated) continue;
            imrdex::BuiltLetter b;
            b.docs = builder.build(letter);
            encoder.encode(b.docs);
            b.id = letter.id;
            b.text_bytes = c.texts[i].size();
            built.push_back(std::move(b));
        }
    }
    const auto threads = static_cast<unsigned>(state.range(0));
    const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::uint64_t letters = 0;
    std::uint64_t bytes = 0;
    double cpu = 0;
    int run = 0;
    for (auto _ : state) {
        const fs::path db =
            c.dir / ("floor-" + std::to_string(threads) + "-" + std::to_string(run++));
        imrdex::IndexOptions opts;
        opts.db = db.string();
        opts.threads = threads;
        opts.shards = 2;
        const double cpu0 = process_cpu_seconds();
        const auto stats = imrdex::run_write(
            built, opts, encoder.dictionary() != nullptr ? encoder.dictionary()->bytes() : "");
        cpu += process_cpu_seconds() - cpu0;
        letters += stats.letters;
        bytes += stats.text_bytes;
        state.PauseTiming();
        fs::remove_all(db);
        state.ResumeTiming();
    }
    set_rates(state, letters, bytes);
    set_cpu_rate(state, letters, cpu);
}
BENCHMARK(BM_WriterFloor)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

// Query latency by class over the fixture index. Each class runs a fixed list of queries.
const std::vector<std::vector<std::string>>& query_classes() {
    static const std::vector<std::vector<std::string>> classes{
        {"opioids", "tapering", "radiculopathy", "acupuncture", "compounded"},
        {"\"long term use\"", "\"functional improvement\"", "\"not medically necessary\"",
         "\"home exercise program\"", "\"red flag\""},
        {"\"long term use\" class:benzodiazepine decision:upheld",
         "\"functional improvement\" category:\"physical therapy\" sex:female",
         "\"not medically necessary\" decision:overturned guideline:odg",
         "\"home exercise program\" category:\"physical therapy\" age:40..60",
         "\"red flag\" category:imaging injured:2010..2014"},
    };
    return classes;
}

void run_queries(benchmark::State& state, std::size_t cls, std::vector<std::string> facets,
                 bool by_letter) {
    imrdex::Searcher searcher(corpus().index().string());
    const auto& queries = query_classes()[cls];
    std::uint64_t n = 0;
    std::uint64_t matches = 0;
    for (auto _ : state) {
        for (const auto& q : queries) {
            imrdex::SearchOptions opts;
            opts.query = q;
            opts.facets = facets;
            opts.by_letter = by_letter;
            const auto result = searcher.search(opts);
            matches += result.total;
            ++n;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    state.counters["queries/s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
    state.counters["matches/query"] = static_cast<double>(matches) / static_cast<double>(n ? n : 1);
}

void BM_QuerySingleTerm(benchmark::State& s) {
    run_queries(s, 0, {}, false);
}
void BM_QueryPhrase(benchmark::State& s) {
    run_queries(s, 1, {}, false);
}
void BM_QueryPhraseFilters(benchmark::State& s) {
    run_queries(s, 2, {}, false);
}
void BM_QueryFacetHeavy(benchmark::State& s) {
    run_queries(s, 2, {"decision", "class", "specialty", "state", "guideline"}, false);
}
void BM_QueryByLetter(benchmark::State& s) {
    run_queries(s, 1, {}, true);
}
BENCHMARK(BM_QuerySingleTerm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QueryPhrase)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QueryPhraseFilters)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QueryFacetHeavy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_QueryByLetter)->Unit(benchmark::kMillisecond);

// Research queries (issue 15) over the fixture index, one query per iteration (so the time
// per iteration is its latency); items/s is the matching items counted per second.
void run_pivot(benchmark::State& state, const std::string& query, const std::string& rows,
               const std::string& cols) {
    imrdex::Searcher searcher(corpus().index().string());
    std::uint64_t items = 0;
    for (auto _ : state) {
        imrdex::PivotOptions opts;
        opts.query = query;
        opts.rows = rows;
        opts.cols = cols;
        const imrdex::PivotResult result = searcher.pivot(opts);
        items += result.total;
        benchmark::DoNotOptimize(result.cells.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(items));
    state.counters["items/query"] = per_iteration(state, items);
}

// `imr-search --pivot decided:year,decision '*'`: every item, by decision year and decision.
void BM_PivotYearDecisionAll(benchmark::State& s) {
    run_pivot(s, "*", "decided:year", "decision");
}
// `imr-search --pivot class,decision 'category:pharmaceutical'`.
void BM_PivotClassDecisionPharma(benchmark::State& s) {
    run_pivot(s, "category:pharmaceutical", "class", "decision");
}
BENCHMARK(BM_PivotYearDecisionAll)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PivotClassDecisionPharma)->Unit(benchmark::kMillisecond);

// `imr-search --limit 0 --facets decided:year,class '*'`: a bucket and a facet counted over
// every item.
void BM_FacetsBucketedAll(benchmark::State& state) {
    imrdex::Searcher searcher(corpus().index().string());
    std::uint64_t items = 0;
    for (auto _ : state) {
        imrdex::SearchOptions opts;
        opts.query = "*";
        opts.limit = 0;
        opts.facets = {"decided:year", "class"};
        const imrdex::SearchResult result = searcher.search(opts);
        items += result.total;
        benchmark::DoNotOptimize(result.facets.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(items));
}
BENCHMARK(BM_FacetsBucketedAll)->Unit(benchmark::kMillisecond);

// `imr-search --limit all --csv '*'`: every item with every default field, as CSV; rows/s.
void BM_ExportCsvAll(benchmark::State& state) {
    imrdex::Searcher searcher(corpus().index().string());
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
    for (auto _ : state) {
        imrdex::ExportOptions opts;
        opts.query = "*";
        opts.format = imrdex::ExportFormat::csv;
        rows += searcher.export_items(opts, [&](std::string_view piece) { bytes += piece.size(); });
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(rows));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["rows/s"] =
        benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExportCsvAll)->Unit(benchmark::kMillisecond);

// `imr-search --significant 'class:opioid decision:overturned' --background 'class:opioid'`:
// what distinguishes overturned opioid rationales from upheld ones. The time per iteration is
// the answer's latency (exact foreground and background counts, the RSet sample and the expand
// set); items/s is the foreground items studied per second.
void BM_SignificantOpioidOverturned(benchmark::State& state) {
    imrdex::Searcher searcher(corpus().index().string());
    std::uint64_t items = 0;
    std::uint64_t rset = 0;
    for (auto _ : state) {
        imrdex::SignificantOptions opts;
        opts.query = "class:opioid decision:overturned";
        opts.background = "class:opioid";
        const imrdex::SignificantResult result = searcher.significant(opts);
        items += result.fg_size;
        rset += result.rset_size;
        benchmark::DoNotOptimize(result.terms.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(items));
    state.counters["items/query"] = per_iteration(state, items);
    state.counters["rset/query"] = per_iteration(state, rset);
}
BENCHMARK(BM_SignificantOpioidOverturned)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
