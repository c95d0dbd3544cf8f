// imr-search: query an imrdex index (one database or a stub of shards) from the command line.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "imrdex/cli/program.hpp"
#include "imrdex/search/search.hpp"

int main(int argc, char** argv) {
    CLI::App app{"imr-search: search IMR determination letters indexed by imr-index.\n\n" +
                 std::string(imrdex::query_syntax_help())};
    app.get_formatter()->column_width(28);
    std::string db;
    std::string query;
    std::string facets;
    std::string sort = "relevance";
    imrdex::SearchOptions options;
    bool json = false, csv = false, full_text = false, no_color = false, marks = false;
    app.add_option("--db", db,
                   "index directory; a directory with a XAPIANDB stub file searches its shards "
                   "(local paths, `remote HOST:PORT`) as one")
        ->required();
    app.add_option("query", query, "the query (see above); quote it for the shell")->required();
    app.add_flag("--by-letter", options.by_letter,
                 "one hit per letter instead of per item; the total counts letters, facet counts "
                 "stay per item");
    app.add_option("--sort", sort, "relevance | decided | injured (dates newest first)")
        ->check(CLI::IsMember({"relevance", "decided", "injured"}));
    app.add_option("--limit", options.limit, "hits to show")->capture_default_str();
    app.add_option("--offset", options.offset, "hits to skip")->capture_default_str();
    app.add_option("--facets", facets,
                   "comma-separated facets whose matching items to count exactly, or `all`: " +
                       imrdex::schema::facet_names());
    app.add_flag("--count", options.count_only, "print only the number of matches");
    app.add_flag("--allow-empty", options.allow_empty,
                 "a filter value no item has (class:opiod) matches nothing instead of being an "
                 "error (exit 2, with the nearest values held)");
    auto* json_flag = app.add_flag(
        "--json", json,
        "one JSON object: query, total, hits, facets; a hit's snippet is {\"field\", \"text\", "
        "\"highlights\": [[start, length], ...]}, plain text and the highlighted words' byte "
        "offsets into its UTF-8 (null without a snippet)");
    app.add_flag("--csv", csv,
                 "CSV, one row per hit (RFC 4180), snippet_field and a plain snippet after the "
                 "letter's fields; with --facets, then an empty line and a facet,value,count table")
        ->excludes(json_flag);
    app.add_flag("--marks", marks,
                 "CSV's snippet marks highlights \u00ablike this\u00bb; JSON's snippet adds "
                 "\"marked\", its text so marked (text output always marks them so in a pipe, "
                 "bold on a terminal)");
    app.add_flag("--full-text", full_text, "JSON/CSV hits carry the whole rationale and summary");
    app.add_flag("--no-color", no_color, "no bold highlighting even on a terminal");
    app.footer(imrdex::cli::exit_codes_help(
        "  0 the search ran (also with 0 matches)   2 usage error: a bad option or query\n"
        "  3 fatal: the database is missing or unreadable, was not built by imr-index, or a\n"
        "  shard is down\n"));
    if (auto code = imrdex::cli::parse_command_line(app, argc, argv)) return *code;

    const imrdex::cli::ErrorStyle style{"imr-search", imrdex::cli::kExitFatal, db, {}};
    return imrdex::cli::run_guarded(style, [&] {
        options.query = query;
        options.facets = imrdex::parse_facet_list(facets);
        options.sort = sort == "decided"   ? imrdex::SortOrder::decided
                       : sort == "injured" ? imrdex::SortOrder::injured
                                           : imrdex::SortOrder::relevance;
        imrdex::Searcher searcher(db);
        imrdex::SearchResult result = searcher.search(options);
        auto format = json  ? imrdex::OutputFormat::json
                      : csv ? imrdex::OutputFormat::csv
                            : imrdex::OutputFormat::text;
        bool ansi = format == imrdex::OutputFormat::text && !no_color && isatty(STDOUT_FILENO);
        std::cout << imrdex::format_result(result, format, ansi, full_text, options.count_only,
                                           marks);
        std::cout.flush();
        return std::cout ? imrdex::cli::kExitOk : imrdex::cli::kExitFatal;
    });
}
