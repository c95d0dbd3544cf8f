// imr-search: query an imrdex index (one database or a stub of shards) from the command line.
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "imrdex/cli/program.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/search/pivot.hpp"
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
    std::string pivot;
    Xapian::doccount min_count = 0;
    bool json = false, csv = false, full_text = false, no_color = false, marks = false;
    app.add_option("--db", db,
                   "index directory; a directory with a XAPIANDB stub file searches its shards "
                   "(local paths, `remote HOST:PORT`) as one")
        ->required();
    app.add_option("query", query, "the query (see above); quote it for the shell")->required();
    auto* by_letter = app.add_flag(
        "--by-letter", options.by_letter,
        "one hit per letter instead of per item; the total counts letters, facet counts "
        "stay per item");
    auto* sort_opt =
        app.add_option("--sort", sort,
                       "hits: relevance | decided | injured (dates newest first); --pivot rows: "
                       "count | rate | name (default: name for a bucket, count for a facet)")
            ->check(CLI::IsMember({"relevance", "decided", "injured", "count", "rate", "name"}));
    auto* limit = app.add_option("--limit", options.limit, "hits to show")->capture_default_str();
    auto* offset =
        app.add_option("--offset", options.offset, "hits to skip")->capture_default_str();
    auto* facets_opt = app.add_option(
        "--facets", facets,
        "comma-separated facets or buckets whose matching items to count exactly, or `all`: " +
            imrdex::dimension_names());
    auto* count = app.add_flag("--count", options.count_only, "print only the number of matches");
    auto* pivot_opt = app.add_option(
        "--pivot", pivot,
        "ROWS[,COLS]: matching items cross-tabulated by two facets or buckets (`class,decision`, "
        "`decided:year,decision`), exact; with decision as one of them, the overturn rate and its "
        "95% Wilson interval per value of the other");
    app.add_option("--min-count", min_count, "--pivot: leave out rows of fewer items (and say so)")
        ->needs(pivot_opt);
    pivot_opt->excludes(facets_opt)->excludes(count)->excludes(limit)->excludes(offset);
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
    pivot_opt->excludes(by_letter);
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
        auto format = json  ? imrdex::OutputFormat::json
                      : csv ? imrdex::OutputFormat::csv
                            : imrdex::OutputFormat::text;
        const bool row_sort = sort == "count" || sort == "rate" || sort == "name";
        if (!pivot.empty()) {
            if (sort_opt->count() > 0 && !row_sort)
                throw imrdex::QueryError("--pivot sorts rows by count, rate or name, not " + sort);
            imrdex::PivotOptions p;
            p.query = query;
            const std::size_t comma = pivot.find(',');
            p.rows = pivot.substr(0, comma);
            if (comma != std::string::npos) p.cols = pivot.substr(comma + 1);
            if (p.cols.find(',') != std::string::npos)
                throw imrdex::QueryError("--pivot takes ROWS or ROWS,COLS, not '" + pivot + "'");
            p.sort = sort == "count"  ? imrdex::PivotSort::count
                     : sort == "rate" ? imrdex::PivotSort::rate
                     : sort == "name" ? imrdex::PivotSort::name
                                      : imrdex::PivotSort::automatic;
            p.min_count = min_count;
            p.allow_empty = options.allow_empty;
            imrdex::Searcher searcher(db);
            std::cout << imrdex::format_pivot(searcher.pivot(p), format);
            std::cout.flush();
            return std::cout ? imrdex::cli::kExitOk : imrdex::cli::kExitFatal;
        }
        if (row_sort) throw imrdex::QueryError("--sort " + sort + " sorts --pivot rows");
        options.query = query;
        options.facets = imrdex::parse_facet_list(facets);
        options.sort = sort == "decided"   ? imrdex::SortOrder::decided
                       : sort == "injured" ? imrdex::SortOrder::injured
                                           : imrdex::SortOrder::relevance;
        imrdex::Searcher searcher(db);
        imrdex::SearchResult result = searcher.search(options);
        bool ansi = format == imrdex::OutputFormat::text && !no_color && isatty(STDOUT_FILENO);
        std::cout << imrdex::format_result(result, format, ansi, full_text, options.count_only,
                                           marks);
        std::cout.flush();
        return std::cout ? imrdex::cli::kExitOk : imrdex::cli::kExitFatal;
    });
}
