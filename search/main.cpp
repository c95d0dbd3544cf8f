// imr-search: query an imrdex index (one database or a stub of shards) from the command line.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>

#include "imrdex/cli/program.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/search/export.hpp"
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
    auto* query_opt = app.add_option(
        "query", query, "the query (see above); quote it for the shell; required unless --show");
    app.add_flag("--by-letter", options.by_letter,
                 "one hit per letter instead of per item; the total counts letters, facet counts "
                 "stay per item");
    app.add_option("--sort", sort, "relevance | decided | injured (dates newest first)")
        ->check(CLI::IsMember({"relevance", "decided", "injured"}));
    std::string limit = "10";
    app.add_option("--limit", limit,
                   "hits to show, or `all`: with --csv or --jsonl, every matching item with every "
                   "field, streamed in index order (not ranked; no --sort, --by-letter, --facets)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber | CLI::IsMember({"all"}));
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
    // Export and --show (search/export.cpp); `jsonl`, `fields`, `show` are this block's alone.
    bool jsonl = false;
    std::string fields, show;
    auto* jsonl_flag =
        app.add_flag("--jsonl", jsonl, "with --limit all: one JSON object per matching item")
            ->excludes(json_flag);
    app.add_option("--fields", fields,
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
        ->excludes(jsonl_flag);
    app.final_callback([&] {
        const bool all = limit == "all";
        if (show.empty() && query_opt->count() == 0)
            throw CLI::RequiredError("a query (or --show ID)");
        if (!show.empty() && (csv || all || !fields.empty() || !facets.empty()))
            throw CLI::ValidationError("--show", "prints one letter: --json or text only");
        if (all && !csv && !jsonl)
            throw CLI::ValidationError("--limit all", "needs --csv or --jsonl");
        if ((jsonl || !fields.empty()) && !all)
            throw CLI::ValidationError(jsonl ? "--jsonl" : "--fields", "needs --limit all");
        if (all && (sort != "relevance" || options.by_letter || !facets.empty()))
            throw CLI::ValidationError("--limit all",
                                       "exports in index order: no --sort, --by-letter or "
                                       "--facets (sort the exported file instead)");
    });
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
        options.facets = imrdex::parse_facet_list(facets);
        imrdex::ExportOptions exported;
        if (limit == "all") exported.fields = imrdex::parse_export_fields(fields);
        imrdex::Searcher searcher(db);
        if (!show.empty()) {
            const imrdex::Letter letter = searcher.letter(show);
            std::cout << (json ? imrdex::format_letter_json(letter)
                               : imrdex::format_letter_text(letter));
            std::cout.flush();
            return std::cout ? imrdex::cli::kExitOk : imrdex::cli::kExitFatal;
        }
        if (limit == "all" && !options.count_only) {
            exported.query = query;
            exported.format = jsonl ? imrdex::ExportFormat::jsonl : imrdex::ExportFormat::csv;
            exported.offset = options.offset;
            exported.allow_empty = options.allow_empty;
            (void)searcher.export_items(exported, [](std::string_view rows) {
                std::cout.write(rows.data(), static_cast<std::streamsize>(rows.size()));
                if (!std::cout) throw imrdex::IoError("cannot write the export to stdout");
            });
            std::cout.flush();
            return std::cout ? imrdex::cli::kExitOk : imrdex::cli::kExitFatal;
        }
        // `all` reaches here only with --count, which shows no hits.
        options.limit = limit == "all" ? 0
                                       : static_cast<Xapian::doccount>(std::min<unsigned long>(
                                             std::stoul(limit), searcher.doc_count()));
        options.query = query;
        options.sort = sort == "decided"   ? imrdex::SortOrder::decided
                       : sort == "injured" ? imrdex::SortOrder::injured
                                           : imrdex::SortOrder::relevance;
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
