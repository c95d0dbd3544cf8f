// imr-index: index IMR letters into a sharded Xapian database, or print extraction records.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "imrdex/cli/program.hpp"
#include "imrdex/index/formats.hpp"
#include "index_command.hpp"

namespace {

// The --help footer; its INPUTS list comes from the table of input formats.
std::string footer() {
    std::string out = R"(
INPUTS
  Any mix of directories (walked recursively, symlinked directories followed once), and files:
)";
    for (const imrdex::InputFormat& f : imrdex::input_formats()) {
        std::string row = "    " + std::string(f.suffix);
        row.resize(std::max<std::size_t>(row.size() + 2, 16), ' ');
        out += row + std::string(f.help) + "\n";
    }
    out +=
        R"(  Files of other kinds inside directories are skipped; named on the command line they are rejected.

OUTPUT
  --db DIR is a directory holding the shard databases and a XAPIANDB stub file that lists them;
  Xapian (and imr-search) opens DIR as one database. Re-indexing a letter replaces its items.
  Each letter goes to shard fnv1a64(id) % shards; the shard count is fixed when DIR is created.
  --extract prints one JSON extraction record per letter to stdout and indexes nothing.

SAVED TEXT
  --save-text FILE.jsonl.zst writes each letter's text once it is extracted (from a PDF, a .txt
  file or a JSON line), as JSON Lines {"id", "text", "source"} (and "warnings" of the text
  extraction, when there are any) in input order, one zstd frame per batch; also with --extract.
  A later `imr-index FILE.jsonl.zst` reads that text instead of the PDFs and makes the same
  index, each letter's source still its original file. Saved: every letter whose text could be
  made, also those then rejected as no_items, truncated or duplicate_id; not the inputs that
  could not be read or converted (bad_pdf, bad_json, ...), nor other machines' under --shard.
  Interrupted by SIGINT/SIGTERM, the file holds every letter read. Killed, it ends at the last
  frame written (it may hold letters the database had not committed yet); a frame cut off in
  the middle is rejected as bad_zstd by the run that reads it, after the letters before it.

REJECTED INPUTS
  Unreadable, empty or too large files, bad JSON lines, records without text, bad zstd data, bad
  PDFs and letters without any disputed item are reported with a reason (summary, --rejects,
  --stats-json) and never stop the run: the good letters are still indexed and committed.
  Letters cut off mid-item are rejected (truncated; --extract prints them but counts them the
  same); a letter whose last sentence lacks only its period is kept, warned no_final_period. An
  id seen twice in one run keeps the first in input order (the other: duplicate_id). Text that is
  not UTF-8 is read as Latin-1. An archive database (--archive) cannot replace a letter: one it
  holds already is rejected as in_archive, and of two with one id in a run the first written is
  kept.

PROGRESS
  On a terminal, a progress bar on stderr. Otherwise (nohup, a log file, CI) one plain line every
  5 seconds (IMRDEX_PROGRESS_SECONDS=S to change): letters, letters/s, share of the input, ETA.
  --quiet prints neither, nor the summary.

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
)";
    out += imrdex::cli::exit_codes_help(
        "  0 everything indexed   1 some inputs rejected   2 usage error (a bad option, an\n"
        "  input path that does not exist)   3 fatal error (or --strict rejection)   130/143\n"
        "  interrupted by SIGINT/SIGTERM (what was read is committed first)\n");
    return out;
}

// --save-text's file: named so that imr-index reads it back (.jsonl.zst), in a directory that
// exists, not a directory itself; a usage error before any work otherwise. (Whether it can be
// written, and is not an input, the run finds out first thing.)
void check_save_text_path(const std::string& path) {
    const imrdex::InputFormat* format = imrdex::input_format_of(path);
    if (format == nullptr || format->reader != imrdex::Reader::json_lines_zstd) {
        throw CLI::ValidationError("--save-text",
                                   "the file must end in .jsonl.zst (imr-index reads it back by "
                                   "that name), got '" +
                                       path + "'");
    }
    std::error_code ec;
    const std::filesystem::path p(path);
    if (std::filesystem::is_directory(p, ec)) {
        throw CLI::ValidationError("--save-text", "'" + path + "' is a directory");
    }
    const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : ".";
    if (!std::filesystem::is_directory(dir, ec)) {
        throw CLI::ValidationError(
            "--save-text", "no such directory: '" + dir.string() + "' (for '" + path + "')");
    }
}

// "K/N" with 0 <= K < N into k and n; false for anything else.
bool parse_shard_spec(const std::string& spec, unsigned& k, unsigned& n) {
    const std::size_t slash = spec.find('/');
    const std::string ks = spec.substr(0, slash);
    const std::string ns = slash == std::string::npos ? "" : spec.substr(slash + 1);
    auto digits = [](const std::string& t) {
        return !t.empty() && t.size() <= 6 &&
               t.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(ks) || !digits(ns) || std::stoul(ns) == 0 || std::stoul(ks) >= std::stoul(ns)) {
        return false;
    }
    k = static_cast<unsigned>(std::stoul(ks));
    n = static_cast<unsigned>(std::stoul(ns));
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"imr-index: index IMR determination letters into a sharded Xapian database"};
    app.footer(footer());
    imrdex::IndexCommand cmd;
    bool no_compact = false;
    bool no_sync = false;
    auto* db = app.add_option("--db", cmd.db, "database directory (created if missing)");
    app.add_option("inputs", cmd.inputs,
                   "directories, " + imrdex::suffix_list(", ", ", ") + " files")
        ->required();
    app.add_option("--threads", cmd.threads, "worker threads (default: all cores)")
        ->check(CLI::Range(1u, 1024u));
    app.add_option("--shards", cmd.shards, "shards of a new database (default: max(2, threads))")
        ->check(CLI::Range(1u, 999u));
    app.add_option("--flush-mb", cmd.flush_mb,
                   "MB of letter text each shard buffers before a commit (~10x that in memory; "
                   "small is faster: Xapian's buffers slow down as they grow)")
        ->check(CLI::Range(0.1, 1e6));
    app.add_flag("--no-compact", no_compact,
                 "skip compacting the shards at the end (faster for small additions)");
    app.add_flag("--no-sync", no_sync, "skip the final fsync of the database files");
    app.add_flag("--word-pairs", cmd.word_pairs,
                 "new database: also index word pairs, so phrase queries run several times "
                 "faster (indexing about 1.8x slower, index about 1.4x larger)");
    auto* archive = app.add_flag(
        "--archive", cmd.archive,
        "new database: no termlists (Xapian's DB_NO_TERMLIST), a smaller index that takes new "
        "letters but refuses to re-index one it holds (rejected as in_archive) and cannot "
        "give significant terms");
    app.add_flag("--quiet,-q", cmd.quiet, "no progress bar and no summary");
    app.add_option("--stats-json", cmd.stats_json, "write the run's figures as JSON to FILE");
    app.add_option("--rejects", cmd.rejects_path, "write rejected inputs as JSON Lines to FILE");
    app.add_flag("--strict", cmd.strict, "stop at the first rejected input (exit 3)");
    auto* save_text = app.add_option("--save-text", cmd.save_text,
                                     "write each letter's extracted text to FILE.jsonl.zst, "
                                     "which a later run reads instead of the PDFs");
    auto* extract = app.add_flag("--extract", cmd.extract,
                                 "print extraction records (JSON Lines) instead of indexing");
    app.add_flag("--stats", cmd.drug_stats, "with --extract: report unrecognised drug-like words")
        ->needs(extract);
    auto* shard =
        app.add_option_function<std::string>(
               "--shard",
               [&](const std::string& spec) {
                   if (parse_shard_spec(spec, cmd.shard_k, cmd.shard_n)) return;
                   throw CLI::ValidationError(
                       "--shard", "expected K/N with 0 <= K < N, e.g. 0/3, got '" + spec + "'");
               },
               "K/N: index only the letters of shard K (0-based) of N (N machines, same "
               "inputs)")
            ->excludes(extract);
    auto* merge = app.add_option("--merge", cmd.merge_out,
                                 "OUT: compact the shard databases given as inputs into a new "
                                 "database OUT")
                      ->excludes(db)
                      ->excludes(extract)
                      ->excludes(shard)
                      ->excludes(save_text);
    app.add_flag("--force", cmd.force, "with --merge: replace an existing OUT")->needs(merge);
    archive->excludes(extract)->excludes(merge);
    // --db is needed unless the run writes no database of its own.
    app.callback([&] {
        if (!cmd.extract && cmd.merge_out.empty() && cmd.db.empty()) {
            throw CLI::RequiredError("--db");
        }
        if (!cmd.save_text.empty()) check_save_text_path(cmd.save_text);
        // A mistyped path is the user's mistake, found before any database is created; --merge
        // names its shards itself (a missing one is its fatal error).
        if (cmd.merge_out.empty()) {
            for (const std::string& input : cmd.inputs) {
                std::error_code ec;
                if (std::filesystem::symlink_status(input, ec).type() ==
                    std::filesystem::file_type::not_found) {
                    throw CLI::ValidationError("inputs",
                                               "no such file or directory: '" + input + "'");
                }
            }
        }
    });
    if (auto code = imrdex::cli::parse_command_line(app, argc, argv)) return *code;
    cmd.compact = !no_compact;
    cmd.sync = !no_sync;

    const imrdex::cli::ThreadLimit limit(cmd.threads);
    const imrdex::cli::ErrorStyle style{"imr-index", imrdex::cli::kExitFatal, "",
                                        imrdex::explain_write_error};
    return imrdex::cli::run_guarded(style, [&] { return imrdex::run_index_command(cmd); });
}
