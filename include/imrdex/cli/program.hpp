// What every imrdex program's main shares: exit codes, the thread limit, the catch ladder and a
// counting progress line (library imrdex_cli, indexer/cli/).
#pragma once

#include <tbb/global_control.h>
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace imrdex::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // imr-index: some inputs were rejected
inline constexpr int kExitUsage = 2;     // bad arguments or a bad query
inline constexpr int kExitFatal = 3;

// Parses the command line into `app`. Returns nothing when the program should go on, else the
// code to exit with at once: kExitOk after --help or --version, kExitUsage for any usage error
// (CLI11's own codes, 104-109 and so on, never reach the shell: scripts test for 2 alone).
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// The --help section "EXIT CODES" followed by `rows` (one "  N meaning" per line, each ending in
// a newline), so every program lists them in the same form.
std::string exit_codes_help(std::string_view rows);

// How a program reports the error that ends it.
struct ErrorStyle {
    std::string_view prefix;  // every message starts "<prefix>: "
    int exit_code = kExitFatal;
    // The database the program opens: a Xapian::DatabaseOpeningError then says
    // "cannot open database '<database>': ..." (empty: Xapian's description alone).
    std::string database;
    // Called with the message once printed, to add advice (e.g. what to do when the disk is full).
    std::function<void(const std::string& message)> explain;
};

// The catch ladder: runs `body` and returns its exit code. An exception it throws is printed to
// stderr as "<prefix>: <message>" (a Xapian::Error by its description, any other by what()) and
// the program ends with style.exit_code, or kExitUsage for a QueryError (the user's query).
// It also installs a terminate handler: an exception that gets past the ladder (through a
// noexcept frame, on any thread) is printed as "<prefix>: fatal: uncaught <message>" with the
// stack of its throw, and the program aborts.
int run_guarded(const ErrorStyle& style, const std::function<int()>& body);

// Limits oneTBB to `threads` worker threads (0: all cores) while it lives.
class ThreadLimit {
public:
    explicit ThreadLimit(unsigned threads) {
        if (threads > 0) limit_.emplace(tbb::global_control::max_allowed_parallelism, threads);
    }

private:
    std::optional<tbb::global_control> limit_;
};

// A progress line for a count with a known total, "\r<label>: DONE / TOTAL letters (P%)" on
// stderr, redrawn at most every 250 ms and ended with a newline once done == total.
std::function<void(std::uint64_t done, std::uint64_t total)> count_progress(std::string label);

}  // namespace imrdex::cli
