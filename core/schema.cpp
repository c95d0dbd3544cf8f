// What follows from the schema tables without Xapian: the version text, facet name lists and
// README's schema table.
#include "imrdex/core/schema.hpp"

#include <algorithm>

#include "imrdex/core/date.hpp"

namespace imrdex::schema {

namespace {

// A Markdown table cell: '|' would end the cell, even inside a code span.
std::string cell(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

std::string code(std::string_view s) {
    return "`" + std::string(s) + "`";
}

void row(std::string& out, std::string_view field, std::string_view kind, std::string_view prefix,
         std::string_view slot, std::string_view about) {
    const std::string values = cell(about);
    out += '|';
    for (const std::string_view c : {field, kind, prefix, slot, std::string_view(values)}) {
        if (!c.empty()) {
            out += ' ';
            out += c;
        }
        out += " |";
    }
    out += '\n';
}

}  // namespace

std::string letter_year(const Letter& letter) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (const auto date = IsoDate::parse(letter.decision_date))
        return std::to_string(date->year());
    const std::string_view id = letter.id;
    if (id.size() >= 5 && (id[0] == 'C' || id[0] == 'c') && (id[1] == 'M' || id[1] == 'm') &&
        digit(id[2]) && digit(id[3]) && id[4] == '-')
        return "20" + std::string(id.substr(2, 2));
    return {};
}

std::string version_text() {
    return std::to_string(kVersion);
}

std::string facet_names(std::string_view sep) {
    std::string out;
    for (const Facet& f : kFacets) {
        if (!out.empty()) out += sep;
        out += f.name;
    }
    return out;
}

std::string markdown_table() {
    std::string out =
        "| query field | kind | term prefix | value slot | values |\n"
        "|---|---|---|---|---|\n";
    for (const TextField& f : kTextFields) {
        row(out, code(std::string(f.name) + ":"), "text",
            code(f.prefix) + ", pairs " + code(f.pair_prefix), "", f.about);
    }
    for (const Facet& f : kFacets) {
        std::string slot = std::to_string(f.slot);
        if (f.multi_valued) slot += " (sorted, `\\|`-joined)";
        std::string about(f.about);
        if (!f.none.empty()) about += "; " + code(f.none) + " when there is none";
        row(out, code(std::string(f.name) + ":"),
            f.multi_valued ? "filter, facet; several per item" : "filter, facet", code(f.prefix),
            slot, about);
    }
    for (const RangeField& f : kRangeFields) {
        const std::string slot = std::to_string(f.slot) + (f.kind == RangeKind::date
                                                               ? " (`sortable_serialise(yyyymmdd)`)"
                                                               : " (`sortable_serialise(n)`)");
        row(out, code(std::string(f.name) + ":"), "range", "", slot, f.about);
    }
    row(out, "", "unique item id", code(kUnique), "", "`Q<id>/<n>`, n the 1-based item number");
    row(out, "", "first item", code(kFirstItem), "", "`XF1` on each letter's first item");
    row(out, "", "item number", "", std::to_string(kSlotItemNumber) + " (`sortable_serialise(n)`)",
        "1-based");
    row(out, "", "(retired)", "", std::to_string(kSlotRetiredFacets),
        "every facet joined, in databases of schema version 2 and earlier; unused since");
    out += "\nSchema version " + version_text() + " (metadata `" + std::string(kVersionKey) +
           "` on every shard).\n";
    return out;
}

}  // namespace imrdex::schema
