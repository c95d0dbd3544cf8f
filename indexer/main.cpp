// imr-index: index IMR letters into a sharded Xapian database, or print extraction records.
#include <CLI/CLI.hpp>
#include <tbb/global_control.h>
#include <unistd.h>
#include <xapian.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/index/merge.hpp"
#include "imrdex/index/pipeline.hpp"

namespace {

// Set by the signal handler, polled by the reader: in-flight work is finished and committed.
std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
    g_signal = sig;
    g_stop.store(true);
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

constexpr int kExitRejected = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFatal = 3;

const char* const kFooter = R"(
INPUTS
  Any mix of directories (walked recursively, symlinked directories followed once), and files:
    .txt        one letter per file, as pdftotext prints it
    .pdf        one letter per file, text extracted in-process
    .jsonl      one letter per line: {"id": "...", "text": "..."} ("id" optional)
    .jsonl.zst  the same, zstd-compressed (streamed)
  Files of other kinds inside directories are skipped; named on the command line they are rejected.

OUTPUT
  --db DIR is a directory holding the shard databases and a XAPIANDB stub file that lists them;
  Xapian (and imr-search) opens DIR as one database. Re-indexing a letter replaces its items.
  Each letter goes to shard fnv1a64(id) % shards; the shard count is fixed when DIR is created.
  --extract prints one JSON extraction record per letter to stdout and indexes nothing.

REJECTED INPUTS
  Unreadable, empty or too large files, bad JSON lines, records without text, bad zstd data, bad
  PDFs and letters without any disputed item are reported with a reason (summary, --rejects,
  --stats-json) and never stop the run: the good letters are still indexed and committed.
  Letters cut off mid-item are rejected (truncated); an id seen twice in one run keeps the first
  in input order (the other: duplicate_id). Text that is not UTF-8 is read as Latin-1.

CRASHES (docs/reliability.md)
  Killed or out of disk space, the database keeps its last commit, whole letters only. To
  resume, rerun the same command: re-indexing replaces letters, so each ends up present once.

SCALE-OUT (docs/scale-out.md)
  --shard K/N on each of N machines, all given the same inputs, indexes only the letters with
  (fnv1a64(id) >> 32) % N == K (K = 0..N-1; id from the cover block): N disjoint databases that
  together hold every letter once. Other letters are counted as skipped, not rejected. N is
  independent of --shards: each machine's database is split locally as usual. Serve them with
  xapian-tcpsrv and search them as one through a stub file, or merge them:
  --merge OUT SHARD... compacts the shard databases (imrdex directories or Xapian databases) into
  a new imrdex database OUT of one shard; refuses an existing OUT (unless --force) and shards
  that share a letter.

EXIT CODES
  0 everything indexed   1 some inputs rejected   2 usage error   3 fatal error (or --strict
  rejection)   130/143 interrupted by SIGINT/SIGTERM (what was read is committed first)
)";

std::string human_bytes(double b) {
    char buf[32];
    if (b >= 1e9) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    return buf;
}

std::string clock_text(double seconds) {
    const long s = static_cast<long>(seconds);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

void draw_progress(const imrdex::IndexProgress& p) {
    const double rate = p.seconds > 0 ? static_cast<double>(p.letters) / p.seconds : 0;
    std::string line = "\r" + std::to_string(p.letters) + " letters  " +
                       human_bytes(static_cast<double>(p.text_bytes));
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %.0f letters/s", rate);
    line += buf;
    if (p.total_input_bytes > 0 && p.input_bytes > 0) {
        const double frac =
            std::min(1.0, static_cast<double>(p.input_bytes) / static_cast<double>(p.total_input_bytes));
        const int width = 20;
        const int filled = static_cast<int>(frac * width);
        line += "  [" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(width - filled), ' ') + "]";
        std::snprintf(buf, sizeof buf, " %3.0f%%", frac * 100);
        line += buf;
        if (frac > 0.001) line += "  ETA " + clock_text(p.seconds * (1 - frac) / frac);
    }
    if (p.rejected > 0) line += "  rejected " + std::to_string(p.rejected);
    line += "\x1b[K";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

void print_summary(const imrdex::IndexStats& s, bool extract) {
    const double secs = s.seconds > 0 ? s.seconds : 1e-9;
    std::fprintf(stderr, "%s %llu letters, %llu items, %s of text in %.2f s: %.0f letters/s, %.2f MB/s\n",
                 extract ? "extracted" : "indexed", static_cast<unsigned long long>(s.letters),
                 static_cast<unsigned long long>(s.items),
                 human_bytes(static_cast<double>(s.text_bytes)).c_str(), s.seconds,
                 static_cast<double>(s.letters) / secs,
                 static_cast<double>(s.text_bytes) / 1e6 / secs);
    if (!extract) {
        std::fprintf(stderr, "%u shards%s, %u threads; final commit %.2f s%s; index %s\n",
                     s.shards, s.word_pairs ? " with word pairs" : "", s.threads, s.commit_seconds,
                     s.compact_seconds > 0
                         ? (", compaction " + std::to_string(s.compact_seconds).substr(0, 5) + " s").c_str()
                         : "",
                     human_bytes(static_cast<double>(s.index_bytes)).c_str());
    }
    if (s.rejected > 0) {
        std::fprintf(stderr, "rejected %llu inputs:", static_cast<unsigned long long>(s.rejected));
        for (const auto& [reason, n] : s.reasons) {
            std::fprintf(stderr, " %s %llu", reason.c_str(), static_cast<unsigned long long>(n));
        }
        std::fputc('\n', stderr);
        for (const imrdex::Rejection& r : s.first_rejections) {
            std::fprintf(stderr, "  %s: %s: %s\n", r.source.c_str(), r.reason.c_str(), r.detail.c_str());
        }
        if (s.rejected > s.first_rejections.size()) std::fprintf(stderr, "  ...\n");
    }
    if (s.interrupted) std::fprintf(stderr, "interrupted: stopped reading, committed what was read\n");
}

void write_stats_json(const std::string& path, const imrdex::IndexStats& s, bool extract) {
    std::string out;
    imrdex::JsonWriter w(out);
    const double secs = s.seconds > 0 ? s.seconds : 1e-9;
    w.begin_object();
    w.field("mode", extract ? "extract" : "index");
    w.field("letters", s.letters).field("items", s.items);
    w.field("text_bytes", s.text_bytes).field("input_bytes", s.input_bytes);
    w.field("seconds", s.seconds);
    w.field("letters_per_second", static_cast<double>(s.letters) / secs);
    w.field("mb_per_second", static_cast<double>(s.text_bytes) / 1e6 / secs);
    w.field("rejected", s.rejected);
    w.key("reasons").begin_object();
    for (const auto& [reason, n] : s.reasons) w.field(reason, n);
    w.end_object();
    w.field("threads", static_cast<std::uint64_t>(s.threads));
    if (!extract) {
        w.field("shards", static_cast<std::uint64_t>(s.shards));
        w.field("commit_seconds", s.commit_seconds).field("compact_seconds", s.compact_seconds);
        w.field("index_bytes", s.index_bytes);
        w.field("skipped_other_shard", s.skipped_other_shard);
        w.field("word_pairs", s.word_pairs);
    }
    w.field("interrupted", s.interrupted);
    w.end_object();
    out.push_back('\n');
    std::ofstream f(path, std::ios::trunc);
    f << out;
    if (!f) throw imrdex::IoError("cannot write " + path);
}

int run_merge(const std::string& out, const std::vector<std::string>& shards, bool force,
              bool sync, bool quiet, const std::string& stats_json) {
    imrdex::MergeOptions o;
    o.force = force;
    o.sync = sync;
    const imrdex::MergeStats s = imrdex::merge_databases(out, shards, o);
    if (!quiet) {
        std::fprintf(stderr, "merged %u shard databases into %s: %llu letters, %llu items in %.2f s; "
                     "index %s\n", s.sources, out.c_str(), static_cast<unsigned long long>(s.letters),
                     static_cast<unsigned long long>(s.documents), s.seconds,
                     human_bytes(static_cast<double>(s.index_bytes)).c_str());
    }
    if (!stats_json.empty()) {
        std::string text;
        imrdex::JsonWriter w(text);
        w.begin_object().field("mode", "merge");
        w.field("shards", static_cast<std::uint64_t>(s.sources));
        w.field("letters", s.letters).field("items", s.documents).field("seconds", s.seconds);
        w.field("index_bytes", s.index_bytes).end_object();
        std::ofstream f(stats_json, std::ios::trunc);
        f << text << '\n';
        if (!f) throw imrdex::IoError("cannot write " + stats_json);
    }
    return 0;
}

// A write that failed for lack of space deserves a plain explanation and the way out.
void explain_write_error(const std::string& what) {
    for (const char* cause : {"No space left", "File too large", "Disk quota"}) {
        if (what.find(cause) == std::string::npos) continue;
        std::fputs("imr-index: the disk is full (or a file size limit was reached). The database "
                   "keeps its last commit, whole letters only; free space and rerun the same "
                   "command to finish.\n",
                   stderr);
        return;
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"imr-index: index IMR determination letters into a sharded Xapian database"};
    app.footer(kFooter);
    std::string db;
    std::vector<std::string> inputs;
    unsigned threads = 0;
    unsigned shards = 0;
    bool quiet = false;
    bool extract = false;
    bool drug_stats = false;
    bool strict = false;
    bool no_compact = false;
    bool no_sync = false;
    bool word_pairs = false;
    double flush_mb = 2;
    std::string stats_json;
    std::string rejects_path;
    std::string shard_spec;
    unsigned shard_k = 0;
    unsigned shard_n = 0;
    std::string merge_out;
    bool force = false;
    app.add_option("--db", db, "database directory (created if missing)");
    app.add_option("inputs", inputs, "directories, .txt, .pdf, .jsonl, .jsonl.zst files")->required();
    app.add_option("--threads", threads, "worker threads (default: all cores)")->check(CLI::Range(1u, 1024u));
    app.add_option("--shards", shards, "shards of a new database (default: max(2, threads))")
        ->check(CLI::Range(1u, 999u));
    app.add_option("--flush-mb", flush_mb,
                   "MB of letter text each shard buffers before a commit (~10x that in memory; "
                   "small is faster: Xapian's buffers slow down as they grow)")
        ->check(CLI::Range(0.1, 1e6));
    app.add_flag("--no-compact", no_compact,
                 "skip compacting the shards at the end (faster for small additions)");
    app.add_flag("--no-sync", no_sync, "skip the final fsync of the database files");
    app.add_flag("--word-pairs", word_pairs,
                 "new database: also index word pairs, so phrase queries run several times "
                 "faster (indexing about 1.8x slower, index about 1.4x larger)");
    app.add_flag("--quiet,-q", quiet, "no progress bar and no summary");
    app.add_option("--stats-json", stats_json, "write the run's figures as JSON to FILE");
    app.add_option("--rejects", rejects_path, "write rejected inputs as JSON Lines to FILE");
    app.add_flag("--strict", strict, "stop at the first rejected input (exit 3)");
    app.add_flag("--extract", extract, "print extraction records (JSON Lines) instead of indexing");
    app.add_flag("--stats", drug_stats, "with --extract: report unrecognised drug-like words");
    app.add_option("--shard", shard_spec,
                   "K/N: index only the letters of shard K (0-based) of N (N machines, same inputs)");
    app.add_option("--merge", merge_out,
                   "OUT: compact the shard databases given as inputs into a new database OUT");
    app.add_flag("--force", force, "with --merge: replace an existing OUT");
    try {
        app.parse(argc, argv);
        if (!merge_out.empty()) {
            if (!db.empty() || extract || !shard_spec.empty()) {
                throw CLI::ValidationError("--merge", "excludes --db, --extract and --shard");
            }
        } else if (force) {
            throw CLI::ValidationError("--force", "needs --merge");
        }
        if (!shard_spec.empty()) {
            if (extract) throw CLI::ValidationError("--shard", "applies to indexing, not --extract");
            const std::size_t slash = shard_spec.find('/');
            const std::string k = shard_spec.substr(0, slash);
            const std::string n = slash == std::string::npos ? "" : shard_spec.substr(slash + 1);
            auto digits = [](const std::string& t) {
                return !t.empty() && t.size() <= 6 &&
                       t.find_first_not_of("0123456789") == std::string::npos;
            };
            if (!digits(k) || !digits(n) || std::stoul(n) == 0 || std::stoul(k) >= std::stoul(n)) {
                throw CLI::ValidationError("--shard", "expected K/N with 0 <= K < N, e.g. 0/3, got '" +
                                                          shard_spec + "'");
            }
            shard_k = static_cast<unsigned>(std::stoul(k));
            shard_n = static_cast<unsigned>(std::stoul(n));
        }
        if (!extract && merge_out.empty() && db.empty()) throw CLI::RequiredError("--db");
        if (drug_stats && !extract) throw CLI::ValidationError("--stats", "needs --extract");
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : kExitUsage;
    }

    try {
        std::optional<tbb::global_control> limit;
        if (threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, threads);
        if (!merge_out.empty()) return run_merge(merge_out, inputs, force, !no_sync, quiet, stats_json);
        install_signal_handlers();

        std::unique_ptr<std::ofstream> rejects;
        if (!rejects_path.empty()) {
            rejects = std::make_unique<std::ofstream>(rejects_path, std::ios::trunc);
            if (!*rejects) throw imrdex::IoError("cannot write " + rejects_path);
        }
        const bool bar = !quiet && ::isatty(STDERR_FILENO) == 1;
        auto configure = [&](imrdex::PipelineOptions& o) {
            o.threads = threads;
            o.strict = strict;
            o.stop = &g_stop;
            if (rejects) {
                o.on_reject = [&](const imrdex::Rejection& r) {
                    std::string line;
                    imrdex::JsonWriter w(line);
                    w.begin_object().field("source", r.source).field("reason", r.reason);
                    w.field("detail", r.detail).end_object();
                    *rejects << line << '\n';
                };
            }
            if (bar) o.on_progress = draw_progress;
        };

        imrdex::IndexStats stats;
        if (extract) {
            imrdex::ExtractOptions o;
            configure(o);
            o.drug_stats = drug_stats;
            std::ios::sync_with_stdio(false);
            imrdex::ExtractStats es = imrdex::run_extract(inputs, o, std::cout);
            if (bar) std::fputc('\n', stderr);
            if (drug_stats) {
                std::fprintf(stderr, "unrecognised drug-like request words (%zu):\n",
                             es.unknown_drugs.size());
                for (const auto& [word, n] : es.unknown_drugs) {
                    std::fprintf(stderr, "%8llu %s\n", static_cast<unsigned long long>(n), word.c_str());
                }
            }
            stats = es;
        } else {
            imrdex::IndexOptions o;
            configure(o);
            o.db = db;
            o.shards = shards;
            o.compact = !no_compact;
            o.sync = !no_sync;
            o.word_pairs = word_pairs;
            o.flush_bytes = static_cast<std::size_t>(flush_mb * (1 << 20));
            o.of_shards = shard_n;
            o.only_shard = shard_k;
            stats = imrdex::run_index(inputs, o);
            if (bar) std::fputc('\n', stderr);
        }
        if (rejects) {
            rejects->flush();
            if (!*rejects) throw imrdex::IoError("cannot write " + rejects_path);
        }
        if (!quiet) print_summary(stats, extract);
        if (!quiet && shard_n != 0) {
            std::fprintf(stderr, "--shard %u/%u: skipped %llu letters of the other shards\n", shard_k,
                         shard_n, static_cast<unsigned long long>(stats.skipped_other_shard));
        }
        if (!stats_json.empty()) write_stats_json(stats_json, stats, extract);
        if (g_signal != 0) return 128 + g_signal;
        return stats.rejected > 0 ? kExitRejected : 0;
    } catch (const Xapian::Error& e) {
        std::fprintf(stderr, "imr-index: %s\n", e.get_description().c_str());
        explain_write_error(e.get_description());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "imr-index: %s\n", e.what());
        explain_write_error(e.what());
    }
    return kExitFatal;
}
