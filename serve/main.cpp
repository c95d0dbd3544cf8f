// imr-serve: the search service: a JSON API and the web page over an imrdex index.
#include <csignal>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "imrdex/cli/program.hpp"
#include "imrdex/search/search.hpp"
#include "imrdex/serve/server.hpp"

namespace {

volatile int g_stop_flag = 0;  // set by SIGINT/SIGTERM, polled by the server

void on_signal(int /*sig*/) {
    g_stop_flag = 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "imr-serve: a search service over an imrdex index: the JSON API (/api/search, "
        "/api/pivot, /api/letter/ID, /api/export.csv, /api/health) and the web page at /.\n"
        "Read-only; binds to loopback unless --bind says otherwise; follows the indexer's "
        "commits."};
    app.get_formatter()->column_width(28);
    imrdex::serve::ServerOptions options;
    options.threads = std::max(8U, std::thread::hardware_concurrency());
    long long match_ms = options.api.limits.match_time.count();
    bool no_columns = false;
    app.add_option("--db", options.api.db_path,
                   "index directory (a XAPIANDB stub of local and remote shards is searched as "
                   "one)")
        ->required();
    app.add_option("--bind", options.bind,
                   "address to listen on (0.0.0.0 exposes it to the network: it has no "
                   "authentication)")
        ->capture_default_str();
    app.add_option("--port", options.port, "TCP port; 0 picks a free one (printed)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    app.add_option("--threads", options.threads, "requests served at once")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    app.add_option("--match-ms", match_ms,
                   "stop a search whose match runs longer (503); 0: no bound")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_flag("--no-columns", no_columns,
                 "count facets with Xapian's match spies instead of in-memory columns");
    app.footer(imrdex::cli::exit_codes_help(
        "  0 stopped by SIGINT or SIGTERM   2 usage error\n"
        "  3 fatal: the database is missing or unreadable, or the address cannot be bound\n"));
    if (auto code = imrdex::cli::parse_command_line(app, argc, argv)) return *code;
    options.api.limits.match_time = std::chrono::milliseconds(match_ms);
    options.api.facet_columns = !no_columns;

    const imrdex::cli::ErrorStyle style{
        "imr-serve", imrdex::cli::kExitFatal, options.api.db_path, {}};
    return imrdex::cli::run_guarded(style, [&] {
        std::signal(SIGINT, on_signal);
        std::signal(SIGTERM, on_signal);
        std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-answer is an error return, not death
        // Opening once up front turns a missing or foreign database into exit 3 at start.
        { imrdex::Searcher check(options.api.db_path); }
        imrdex::serve::run_server(
            options,
            [&](const std::string& url) {
                std::cout << "imr-serve: listening on " << url << " (database "
                          << options.api.db_path << ")" << std::endl;
            },
            &g_stop_flag);
        return imrdex::cli::kExitOk;
    });
}
