// The progress bar, summaries and JSON records of index, extraction and merge runs.
#include "imrdex/cli/report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"

namespace imrdex::cli {
namespace {

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
    if (!f) throw IoError("cannot write " + path);
}

// What both progress forms show: letters/s, and the share of the input read with the time left
// (share < 0 while the input's size is unknown).
struct ProgressFigures {
    double rate = 0;
    double share = -1;
    std::string eta;  // empty until a thousandth of the input is read
};

ProgressFigures progress_figures(const IndexProgress& p) {
    ProgressFigures f;
    f.rate = p.seconds > 0 ? static_cast<double>(p.letters) / p.seconds : 0;
    if (p.total_input_bytes > 0 && p.input_bytes > 0) {
        f.share = std::min(
            1.0, static_cast<double>(p.input_bytes) / static_cast<double>(p.total_input_bytes));
        if (f.share > 0.001) f.eta = clock_text(p.seconds * (1 - f.share) / f.share);
    }
    return f;
}

}  // namespace

std::string human_bytes(double b) {
    char buf[32];
    if (b >= 1e9)
        std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else
        std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    return buf;
}

std::string clock_text(double seconds) {
    const long s = static_cast<long>(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

void draw_progress(const IndexProgress& p) {
    const ProgressFigures f = progress_figures(p);
    std::string line = "\r" + std::to_string(p.letters) + " letters  " +
                       human_bytes(static_cast<double>(p.text_bytes));
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %.0f letters/s", f.rate);
    line += buf;
    if (f.share >= 0) {
        const int width = 20;
        const int filled = static_cast<int>(f.share * width);
        line += "  [" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(width - filled), ' ') + "]";
        std::snprintf(buf, sizeof buf, " %3.0f%%", f.share * 100);
        line += buf;
        if (!f.eta.empty()) line += "  ETA " + f.eta;
    }
    if (p.rejected > 0) line += "  rejected " + std::to_string(p.rejected);
    line += "\x1b[K";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

void log_progress(const IndexProgress& p) {
    const ProgressFigures f = progress_figures(p);
    std::string line = "imr-index: " + std::to_string(p.letters) + " letters, " +
                       human_bytes(static_cast<double>(p.text_bytes)) + " of text";
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.0f letters/s", f.rate);
    line += buf;
    if (f.share >= 0) {
        std::snprintf(buf, sizeof buf, ", %.0f%% of the input", f.share * 100);
        line += buf;
        if (!f.eta.empty()) line += ", ETA " + f.eta;
    }
    if (p.rejected > 0) line += ", rejected " + std::to_string(p.rejected);
    line += ", " + clock_text(p.seconds) + " elapsed\n";
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

double log_progress_interval() {
    if (const char* env = std::getenv("IMRDEX_PROGRESS_SECONDS")) {
        char* end = nullptr;
        const double s = std::strtod(env, &end);
        if (end != env && *end == '\0' && s > 0) return s;
    }
    return 5;
}

void print_summary(const IndexStats& s, bool extract) {
    const double secs = s.seconds > 0 ? s.seconds : 1e-9;
    std::fprintf(
        stderr, "%s %llu letters, %llu items, %s of text in %.2f s: %.0f letters/s, %.2f MB/s\n",
        extract ? "extracted" : "indexed", static_cast<unsigned long long>(s.letters),
        static_cast<unsigned long long>(s.items),
        human_bytes(static_cast<double>(s.text_bytes)).c_str(), s.seconds,
        static_cast<double>(s.letters) / secs, static_cast<double>(s.text_bytes) / 1e6 / secs);
    if (!extract) {
        const std::string compaction =
            s.compact_seconds > 0
                ? ", compaction " + std::to_string(s.compact_seconds).substr(0, 5) + " s"
                : "";
        std::fprintf(stderr, "%u shards%s%s, %u threads; final commit %.2f s%s; index %s\n",
                     s.shards, s.word_pairs ? " with word pairs" : "",
                     s.archive ? " (archive: no termlists)" : "", s.threads, s.commit_seconds,
                     compaction.c_str(), human_bytes(static_cast<double>(s.index_bytes)).c_str());
        std::fprintf(stderr, "letters: %llu new, %llu re-indexed (their earlier items replaced)\n",
                     static_cast<unsigned long long>(s.letters - s.replaced_letters),
                     static_cast<unsigned long long>(s.replaced_letters));
        if (!s.warnings.empty()) {
            std::string line = "warnings:";
            for (const auto& [code, n] : s.warnings) line += " " + code + " " + std::to_string(n);
            std::fprintf(stderr, "%s\n", line.c_str());
        }
    }
    if (s.rejected > 0) {
        std::fprintf(stderr, "rejected %llu inputs:", static_cast<unsigned long long>(s.rejected));
        for (const auto& [reason, n] : s.reasons) {
            const std::string code(to_string(reason));
            std::fprintf(stderr, " %s %llu", code.c_str(), static_cast<unsigned long long>(n));
        }
        std::fputc('\n', stderr);
        for (const Rejection& r : s.first_rejections) {
            const std::string code(to_string(r.reason));
            std::fprintf(stderr, "  %s: %s: %s\n", r.source.c_str(), code.c_str(),
                         r.detail.c_str());
        }
        if (s.rejected > s.first_rejections.size()) std::fprintf(stderr, "  ...\n");
    }
    if (s.interrupted) {
        std::fprintf(stderr, "interrupted: stopped reading, committed what was read\n");
    }
}

void write_stats_json(const std::string& path, const IndexStats& s, bool extract) {
    std::string out;
    JsonWriter w(out);
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
    for (const auto& [reason, n] : s.reasons) w.field(to_string(reason), n);
    w.end_object();
    w.field("threads", static_cast<std::uint64_t>(s.threads));
    if (!extract) {
        w.field("shards", static_cast<std::uint64_t>(s.shards));
        w.field("commit_seconds", s.commit_seconds).field("compact_seconds", s.compact_seconds);
        w.field("index_bytes", s.index_bytes);
        w.field("skipped_other_shard", s.skipped_other_shard);
        w.field("word_pairs", s.word_pairs);
        w.field("archive", s.archive);
        w.field("new_letters", s.letters - s.replaced_letters);
        w.field("replaced_letters", s.replaced_letters);
        w.key("warnings").begin_object();
        for (const auto& [code, n] : s.warnings) w.field(code, n);
        w.end_object();
    }
    w.field("interrupted", s.interrupted);
    w.field("saved_letters", s.saved_letters);
    w.end_object();
    out.push_back('\n');
    write_file(path, out);
}

std::string rejection_json(const Rejection& r) {
    std::string line;
    JsonWriter w(line);
    w.begin_object().field("source", r.source).field("reason", to_string(r.reason));
    w.field("detail", r.detail).end_object();
    return line;
}

void print_unknown_drugs(const ExtractStats& s) {
    std::fprintf(stderr, "unrecognised drug-like request words (%zu):\n", s.unknown_drugs.size());
    for (const auto& [word, n] : s.unknown_drugs) {
        std::fprintf(stderr, "%8llu %s\n", static_cast<unsigned long long>(n), word.c_str());
    }
}

void print_merge_summary(const MergeStats& s, const std::string& out) {
    std::fprintf(stderr,
                 "merged %u shard databases into %s: %llu letters, %llu items in %.2f s; "
                 "index %s\n",
                 s.sources, out.c_str(), static_cast<unsigned long long>(s.letters),
                 static_cast<unsigned long long>(s.documents), s.seconds,
                 human_bytes(static_cast<double>(s.index_bytes)).c_str());
}

void write_merge_stats_json(const std::string& path, const MergeStats& s) {
    std::string text;
    JsonWriter w(text);
    w.begin_object().field("mode", "merge");
    w.field("shards", static_cast<std::uint64_t>(s.sources));
    w.field("letters", s.letters).field("items", s.documents).field("seconds", s.seconds);
    w.field("index_bytes", s.index_bytes).end_object();
    write_file(path, text + '\n');
}

}  // namespace imrdex::cli
