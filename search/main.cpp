// imr-search: query an imrdex index (one database or a stub of shards) from the command line.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "imrdex/cli/program.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/search/export.hpp"
#include "imrdex/search/pivot.hpp"
#include "imrdex/search/plot.hpp"
#include "imrdex/search/search.hpp"
#include "imrdex/search/significant.hpp"

namespace {

int finish_output() {
    std::cout.flush();
    return std::cout ? imrdex::cli::kExitOk : imrdex::cli::kExitFatal;
}

imrdex::PivotSort pivot_sort(const std::string& sort) {
    if (sort == "count") return imrdex::PivotSort::count;
    if (sort == "rate") return imrdex::PivotSort::rate;
    if (sort == "name") return imrdex::PivotSort::name;
    return imrdex::PivotSort::automatic;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"imr-search: search IMR determination letters indexed by imr-index.\n\n" +
                 std::string(imrdex::query_syntax_help())};
    app.get_formatter()->column_width(28);
    std::string db;
    std::string query;
    std::string facets;
    std::string sort = "relevance";
    std::string limit = "10";
    imrdex::SearchOptions options;
    std::string pivot, plot;
    Xapian::doccount min_count = 0;
    bool json = false, csv = false, jsonl = false, full_text = false, no_color = false,
         marks = false;
    std::string fields, show, significant, background;
    app.add_option("--db", db,
                   "index directory; a directory with a XAPIANDB stub file searches its shards "
                   "(local paths, `remote HOST:PORT`) as one")
        ->required();
    auto* query_opt = app.add_option(
        "query", query, "the query (see above); quote it for the shell; required unless --show");
    auto* by_letter = app.add_flag(
        "--by-letter", options.by_letter,
        "one hit per letter instead of per item; the total counts letters, facet counts "
        "stay per item");
    auto* sort_opt =
        app.add_option("--sort", sort,
                       "hits: relevance | decided | injured (dates newest first); --pivot rows: "
                       "count | rate | name (default: name for a bucket, count for a facet)")
            ->check(CLI::IsMember({"relevance", "decided", "injured", "count", "rate", "name"}));
    auto* limit_opt =
        app.add_option("--limit", limit,
                       "hits to show, or `all`: with --csv or --jsonl, every matching item with "
                       "every field, streamed in index order (not ranked; no --sort, "
                       "--by-letter, --facets)")
            ->capture_default_str()
            ->check(CLI::NonNegativeNumber | CLI::IsMember({"all"}));
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
    auto* min_count_opt = app.add_option("--min-count", min_count,
                                         "--pivot: leave out rows of fewer items (and say so)")
                              ->needs(pivot_opt);
    app.add_option("--plot", plot,
                   "--pivot DATE-BUCKET[,COLS]: also draw the counts over time, one line per COLS "
                   "value (the 6 with most items, the rest as `other`), with decision as COLS the "
                   "overturn rate and its 95% CI on a second axis, by gnuplot (gnuplot-nox); the "
                   "table still goes to stdout")
        ->option_text("FILE.png|FILE.svg")
        ->needs(pivot_opt)
        ->excludes(min_count_opt);  // a trend draws every bucket
    pivot_opt->excludes(facets_opt)->excludes(count)->excludes(limit_opt)->excludes(offset);
    pivot_opt->excludes(by_letter);
    auto* significant_opt =
        app.add_option("--significant", significant,
                       "the rationale words (and word pairs on --word-pairs databases) "
                       "over-represented in the items QUERY matches, with exact counts; --limit "
                       "terms (default 10); how they are picked and scored: below")
            ->option_text("QUERY")
            ->excludes(query_opt)
            ->excludes(pivot_opt)
            ->excludes(facets_opt)
            ->excludes(count)
            ->excludes(by_letter)
            ->excludes(offset);
    app.add_option("--background", background,
                   "--significant: compare with the items this query matches instead of the "
                   "whole database, and rank by JLH score")
        ->option_text("QUERY")
        ->needs(significant_opt);
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
    auto* jsonl_flag =
        app.add_flag("--jsonl", jsonl, "with --limit all: one JSON object per matching item")
            ->excludes(json_flag);
    app.add_option(
        "--fields", fields,
        "with --limit all: the comma-separated columns to export (default all but "
        "summary): " +
            [] {
                std::string names;
                for (auto n : imrdex::export_field_names())
                    names += (names.empty() ? "" : ",") + std::string(n);
                return names;
            }());
    app.add_option("--show", show,
                   "print the whole record of letter ID, every item (text, or --json: the "
                   "`imr-index --extract` record as the index holds it, without warnings)")
        ->option_text("ID")
        ->excludes(query_opt)
        ->excludes(jsonl_flag)
        ->excludes(pivot_opt)
        ->excludes(significant_opt);
    app.add_flag("--marks", marks,
                 "CSV's snippet marks highlights \u00ablike this\u00bb; JSON's snippet adds "
                 "\"marked\", its text so marked (text output always marks them so in a pipe, "
                 "bold on a terminal)");
    app.add_flag("--full-text", full_text, "JSON/CSV hits carry the whole rationale and summary");
    app.add_flag("--no-color", no_color, "no bold highlighting even on a terminal");
    // Combinations CLI11's needs/excludes cannot state: they depend on an option's value.
    app.final_callback([&] {
        const bool all = limit == "all";
        if (show.empty() && significant_opt->count() == 0 && query_opt->count() == 0)
            throw CLI::RequiredError("a query (or --show ID, --significant QUERY)");
        if (significant_opt->count() > 0 && (all || jsonl || sort_opt->count() > 0))
            throw CLI::ValidationError("--significant",
                                       "takes --limit N, --background, --json or --csv");
        if (!show.empty() && (csv || all || !fields.empty() || !facets.empty()))
            throw CLI::ValidationError("--show", "prints one letter: --json or text only");
        if (all && !csv && !jsonl && !options.count_only)
            throw CLI::ValidationError("--limit all", "needs --csv or --jsonl");
        if ((jsonl || !fields.empty()) && !all)
            throw CLI::ValidationError(jsonl ? "--jsonl" : "--fields", "needs --limit all");
        if (all && (sort_opt->count() > 0 || options.by_letter || !facets.empty()))
            throw CLI::ValidationError("--limit all",
                                       "exports in index order: no --sort, --by-letter or "
                                       "--facets (sort the exported file instead)");
        const bool row_sort = sort == "count" || sort == "rate" || sort == "name";
        if (pivot_opt->count() > 0 && sort_opt->count() > 0 && !row_sort)
            throw CLI::ValidationError("--sort",
                                       "--pivot sorts rows by count, rate or name, not " + sort);
        if (pivot_opt->count() == 0 && row_sort)
            throw CLI::ValidationError("--sort", sort + " sorts --pivot rows");
    });
    app.footer(
        imrdex::cli::exit_codes_help(
            "  0 the search ran (also with 0 matches)   2 usage error: a bad option or query\n"
            "  3 fatal: the database is missing or unreadable, was not built by imr-index, or a\n"
            "  shard is down, gnuplot (--plot) is missing or failed, or the database has no\n"
            "  termlists (--significant)\n") +
        "\nSIGNIFICANT TERMS (--significant)\n" + std::string(imrdex::significant_help()));
    if (auto code = imrdex::cli::parse_command_line(app, argc, argv)) return *code;

    const imrdex::cli::ErrorStyle style{"imr-search", imrdex::cli::kExitFatal, db, {}};
    return imrdex::cli::run_guarded(style, [&] {
        const auto format = json  ? imrdex::OutputFormat::json
                            : csv ? imrdex::OutputFormat::csv
                                  : imrdex::OutputFormat::text;
        imrdex::Searcher searcher(db);
        if (!show.empty()) {
            const imrdex::Letter letter = searcher.letter(show);
            std::cout << (json ? imrdex::format_letter_json(letter)
                               : imrdex::format_letter_text(letter));
            return finish_output();
        }
        if (significant_opt->count() > 0) {
            imrdex::SignificantOptions sig;
            sig.query = significant;
            sig.background = background;
            sig.limit = limit_opt->count() > 0 ? std::stoul(limit) : 10;
            sig.allow_empty = options.allow_empty;
            std::cout << imrdex::format_significant(searcher.significant(sig), format);
            return finish_output();
        }
        if (!pivot.empty()) {
            imrdex::PivotOptions p;
            p.query = query;
            const std::size_t comma = pivot.find(',');
            p.rows = pivot.substr(0, comma);
            if (comma != std::string::npos) p.cols = pivot.substr(comma + 1);
            if (p.cols.find(',') != std::string::npos)
                throw imrdex::QueryError("--pivot takes ROWS or ROWS,COLS, not '" + pivot + "'");
            p.sort = pivot_sort(sort);
            p.min_count = min_count;
            p.allow_empty = options.allow_empty;
            if (!plot.empty()) imrdex::check_plot_request(plot, p.rows);
            const imrdex::PivotResult table = searcher.pivot(p);
            std::cout << imrdex::format_pivot(table, format);
            if (!plot.empty()) imrdex::plot_pivot(table, {.path = plot});
            return finish_output();
        }
        if (limit == "all" && !options.count_only) {
            imrdex::ExportOptions exported;
            exported.fields = imrdex::parse_export_fields(fields);
            exported.query = query;
            exported.format = jsonl ? imrdex::ExportFormat::jsonl : imrdex::ExportFormat::csv;
            exported.offset = options.offset;
            exported.allow_empty = options.allow_empty;
            (void)searcher.export_items(exported, [](std::string_view rows) {
                std::cout.write(rows.data(), static_cast<std::streamsize>(rows.size()));
                if (!std::cout) throw imrdex::IoError("cannot write the export to stdout");
            });
            return finish_output();
        }
        options.facets = imrdex::parse_facet_list(facets);
        // `all` reaches here only with --count, which shows no hits.
        options.limit = limit == "all" ? 0
                                       : static_cast<Xapian::doccount>(std::min<unsigned long>(
                                             std::stoul(limit), searcher.doc_count()));
        options.query = query;
        options.sort = sort == "decided"   ? imrdex::SortOrder::decided
                       : sort == "injured" ? imrdex::SortOrder::injured
                                           : imrdex::SortOrder::relevance;
        imrdex::SearchResult result = searcher.search(options);
        const bool ansi =
            format == imrdex::OutputFormat::text && !no_color && isatty(STDOUT_FILENO);
        std::cout << imrdex::format_result(result, format, ansi, full_text, options.count_only,
                                           marks);
        return finish_output();
    });
}
