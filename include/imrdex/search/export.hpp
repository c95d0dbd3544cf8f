// Full exports and whole letters read back from an index: what `imr-search --limit all` with
// --csv or --jsonl, `--fields` and `--show` print, callable without the CLI.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "imrdex/core/letter.hpp"

namespace imrdex {

enum class ExportFormat { csv, jsonl };

struct ExportOptions {
    std::string query;
    // Export field names (parse_export_fields), in column order; empty: default_export_fields().
    std::vector<std::string> fields;
    ExportFormat format = ExportFormat::csv;
    Xapian::doccount offset = 0;  // matching items skipped before the first row
    bool allow_empty = false;     // as SearchOptions::allow_empty
};

// Receives an export piece by piece (the CSV header, then rows; or JSON lines), each piece whole
// lines. It may throw to stop the export (a closed pipe): the exception reaches the caller.
using ExportSink = std::function<void(std::string_view)>;

// Every field an exported item can carry, in their default column order: the extraction
// record's keys (README "Extraction record") plus `item`, the 1-based item number. A guideline
// (`ca_guideline`, `maximus_guideline`) is one {"text", "sources"} object in JSON Lines and two
// CSV columns, NAME and NAME_sources.
const std::vector<std::string_view>& export_field_names();
// What an export carries without --fields: every field but `summary` (the letter's, so the same
// long text on each of its items; ask for it by name).
std::vector<std::string> default_export_fields();
// Checks a comma-separated list of field names; throws QueryError naming an unknown one and
// listing the known ones. Order is kept, repeats dropped; an empty list gives the defaults.
std::vector<std::string> parse_export_fields(std::string_view list);

// The CSV header row of `fields` (CRLF-terminated).
std::string export_csv_header(const std::vector<std::string>& fields);
// One exported item: a CSV row (RFC 4180, lists '|'-joined, an unknown age empty) or one JSON
// object line (absent text as "", an unknown age null). `item_number` is 1-based.
std::string export_row(const Letter& letter, const Item& item, int item_number,
                       const std::vector<std::string>& fields, ExportFormat format);

// A letter read back from the index (Searcher::letter) as one JSON object line in the shape of
// the extraction record (`imr-index --extract`), without "warnings", which the index does not
// keep.
std::string format_letter_json(const Letter& letter);
// The same as readable text: the letter's fields, its summary, then each item.
std::string format_letter_text(const Letter& letter);

}  // namespace imrdex
