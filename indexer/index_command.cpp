// imr-index's runs: the index and extraction pipelines with signals, --rejects, progress and
// summaries wired to them, and --merge.
#include "index_command.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "imrdex/cli/program.hpp"
#include "imrdex/cli/report.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/index/merge.hpp"
#include "imrdex/index/pipeline.hpp"

namespace imrdex {
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

int run_merge(const IndexCommand& cmd) {
    MergeOptions o;
    o.force = cmd.force;
    o.sync = cmd.sync;
    const MergeStats s = merge_databases(cmd.merge_out, cmd.inputs, o);
    if (!cmd.quiet) cli::print_merge_summary(s, cmd.merge_out);
    if (!cmd.stats_json.empty()) cli::write_merge_stats_json(cmd.stats_json, s);
    return cli::kExitOk;
}

// --rejects FILE: one JSON line per rejection, as it happens.
class RejectsFile {
public:
    explicit RejectsFile(const std::string& path) : path_(path), out_(path, std::ios::trunc) {
        if (!out_) throw IoError("cannot write " + path_);
    }

    void add(const Rejection& r) { out_ << cli::rejection_json(r) << '\n'; }

    void close() {
        out_.flush();
        if (!out_) throw IoError("cannot write " + path_);
    }

private:
    std::string path_;
    std::ofstream out_;
};

}  // namespace

int run_index_command(const IndexCommand& cmd) {
    if (!cmd.merge_out.empty()) return run_merge(cmd);
    install_signal_handlers();

    std::unique_ptr<RejectsFile> rejects;
    if (!cmd.rejects_path.empty()) rejects = std::make_unique<RejectsFile>(cmd.rejects_path);
    const bool bar = !cmd.quiet && ::isatty(STDERR_FILENO) == 1;
    // A log (nohup, a file, CI) gets a plain line every few seconds instead of the bar.
    const bool log = !cmd.quiet && !bar;
    auto configure = [&](PipelineOptions& o) {
        o.threads = cmd.threads;
        o.save_text = cmd.save_text;
        o.strict = cmd.strict;
        o.stop = &g_stop;
        if (rejects) o.on_reject = [&](const Rejection& r) { rejects->add(r); };
        if (bar) o.on_progress = cli::draw_progress;
        if (log) {
            // The pipeline also reports once at the end: the summary says that, so a run shorter
            // than the interval logs no progress line.
            o.progress_interval = cli::log_progress_interval();
            o.on_progress = [interval = o.progress_interval](const IndexProgress& p) {
                if (p.seconds >= interval) cli::log_progress(p);
            };
        }
    };

    IndexStats stats;
    if (cmd.extract) {
        ExtractOptions o;
        configure(o);
        o.drug_stats = cmd.drug_stats;
        std::ios::sync_with_stdio(false);
        const ExtractStats es = run_extract(cmd.inputs, o, std::cout);
        if (bar) std::fputc('\n', stderr);
        if (cmd.drug_stats) cli::print_unknown_drugs(es);
        stats = es;
    } else {
        IndexOptions o;
        configure(o);
        o.db = cmd.db;
        o.shards = cmd.shards;
        o.compact = cmd.compact;
        o.sync = cmd.sync;
        o.word_pairs = cmd.word_pairs;
        o.archive = cmd.archive;
        o.flush_bytes = static_cast<std::size_t>(cmd.flush_mb * (1 << 20));
        o.of_shards = cmd.shard_n;
        o.only_shard = cmd.shard_k;
        stats = run_index(cmd.inputs, o);
        if (bar) std::fputc('\n', stderr);
    }
    if (rejects) rejects->close();
    if (!cmd.quiet) cli::print_summary(stats, cmd.extract);
    if (!cmd.quiet && !cmd.save_text.empty()) {
        std::fprintf(stderr, "--save-text: the text of %llu letters saved to %s\n",
                     static_cast<unsigned long long>(stats.saved_letters), cmd.save_text.c_str());
    }
    if (!cmd.quiet && cmd.shard_n != 0) {
        std::fprintf(stderr, "--shard %u/%u: skipped %llu letters of the other shards\n",
                     cmd.shard_k, cmd.shard_n,
                     static_cast<unsigned long long>(stats.skipped_other_shard));
    }
    if (!cmd.stats_json.empty()) cli::write_stats_json(cmd.stats_json, stats, cmd.extract);
    if (g_signal != 0) return 128 + g_signal;
    return stats.rejected > 0 ? cli::kExitRejected : cli::kExitOk;
}

void explain_write_error(const std::string& message) {
    for (const char* cause : {"No space left", "File too large", "Disk quota"}) {
        if (message.find(cause) == std::string::npos) continue;
        std::fputs(
            "imr-index: the disk is full (or a file size limit was reached). The database "
            "keeps its last commit, whole letters only; free space and rerun the same "
            "command to finish.\n",
            stderr);
        return;
    }
}

}  // namespace imrdex
