// Output of search results: readable text, one JSON object, or CSV for pandas and R.
#include <algorithm>
#include <cstdio>
#include <string>

#include <simdjson.h>

#include "imrdex/core/json.hpp"
#include "imrdex/search/search.hpp"

namespace imrdex {

namespace {

// Text in a pipe (and CSV or JSON when asked) marks matches with guillemets: unambiguous in
// plain text (letters do not use them) and readable; HTML tags would need the rest escaped.
// Programs get plain text: JSON with the highlights as offsets, CSV without marks.
constexpr std::string_view kOpen = "\u00ab";
constexpr std::string_view kClose = "\u00bb";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

std::string snippet_text(const std::vector<SnippetPart>& parts, std::string_view open,
                         std::string_view close) {
    std::string out;
    for (const auto& p : parts) {
        if (p.match) out += open;
        out += p.text;
        if (p.match) out += close;
    }
    return out;
}

std::string plain_text(const std::vector<SnippetPart>& parts) {
    return snippet_text(parts, {}, {});
}

// The snippet as JSON: {"field", "text", "highlights": [[start, length], ...]}, byte offsets
// into the text (UTF-8, as stored); `marks` adds "marked", the text with «». Null without one.
void snippet_json(JsonWriter& w, const Hit& h, bool marks) {
    w.key("snippet");
    if (h.snippet.empty()) {
        w.null();
        return;
    }
    w.begin_object().field("field", h.snippet_field).field("text", plain_text(h.snippet));
    w.key("highlights").begin_array();
    std::size_t at = 0;
    for (const auto& p : h.snippet) {
        if (p.match) {
            w.begin_array().value(std::uint64_t{at}).value(std::uint64_t{p.text.size()});
            w.end_array();
        }
        at += p.text.size();
    }
    w.end_array();
    if (marks) w.field("marked", snippet_text(h.snippet, kOpen, kClose));
    w.end_object();
}

// The snippet's field as a short label for text output.
std::string field_label(const std::string& field) {
    std::string out = field;
    std::replace(out.begin(), out.end(), '_', ' ');  // "original request"
    return out;
}

std::string number(double d, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
    return buf;
}

// Copies a parsed document-data value into the writer, whatever its shape.
void copy_json(JsonWriter& w, const simdjson::dom::element& e) {
    using simdjson::dom::element_type;
    switch (e.type()) {
        case element_type::OBJECT: {
            simdjson::dom::object object = e;
            w.begin_object();
            for (auto [k, v] : object) {
                w.key(k);
                copy_json(w, v);
            }
            w.end_object();
            break;
        }
        case element_type::ARRAY: {
            simdjson::dom::array array = e;
            w.begin_array();
            for (auto v : array) copy_json(w, v);
            w.end_array();
            break;
        }
        case element_type::STRING: w.value(e.get_string().value_unsafe()); break;
        case element_type::INT64: w.value(e.get_int64().value_unsafe()); break;
        case element_type::UINT64: w.value(e.get_uint64().value_unsafe()); break;
        case element_type::DOUBLE: w.value(e.get_double().value_unsafe()); break;
        case element_type::BOOL: w.value(e.get_bool().value_unsafe()); break;
        case element_type::NULL_VALUE: w.null(); break;
    }
}

// A data value as one CSV/text cell: arrays '|'-joined, null empty.
std::string cell(const simdjson::dom::element& e) {
    using simdjson::dom::element_type;
    switch (e.type()) {
        case element_type::STRING: return std::string(e.get_string().value_unsafe());
        case element_type::INT64: return std::to_string(e.get_int64().value_unsafe());
        case element_type::UINT64: return std::to_string(e.get_uint64().value_unsafe());
        case element_type::DOUBLE: return number(e.get_double().value_unsafe(), 6);
        case element_type::BOOL: return e.get_bool().value_unsafe() ? "true" : "false";
        case element_type::NULL_VALUE: return {};
        case element_type::ARRAY: {
            std::string out;
            simdjson::dom::array array = e;
            for (auto v : array) {
                if (!out.empty()) out += '|';
                out += cell(v);
            }
            return out;
        }
        case element_type::OBJECT: {
            std::string out;
            JsonWriter w(out);
            copy_json(w, e);
            return out;
        }
    }
    return {};
}

constexpr std::string_view kCsvDataColumns[] = {
    "request",       "original_request", "category", "drug",  "drug_class", "decision_date",
    "injury_date",   "date_assigned",    "age",      "sex",   "states",     "specialties",
    "source"};

std::string format_count(const SearchResult& r, OutputFormat format) {
    if (format != OutputFormat::json) return std::to_string(r.total) + "\n";
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("query", r.query).field("total", std::uint64_t{r.total}).end_object();
    return out + "\n";
}

std::string format_json(const SearchResult& r, bool full_text, bool marks) {
    std::string out;
    JsonWriter w(out);
    simdjson::dom::parser parser;
    w.begin_object().field("query", r.query).field("parsed", r.parsed);
    w.field("total", std::uint64_t{r.total}).field("unit", r.by_letter ? "letter" : "item");
    w.key("hits").begin_array();
    for (const auto& h : r.hits) {
        w.begin_object();
        w.field("rank", std::uint64_t{h.rank}).field("id", h.id).field("item", h.item);
        w.field("request", h.request).field("decision", h.decision).field("score", h.score);
        snippet_json(w, h, marks);
        if (r.by_letter) w.field("more_items", std::uint64_t{h.collapsed});
        simdjson::dom::element data;
        simdjson::dom::object object;
        if (parser.parse(h.data).get(data) == simdjson::SUCCESS &&
            data.get_object().get(object) == simdjson::SUCCESS) {
            for (auto [k, v] : object) {
                if (k == "id" || k == "item" || k == "request" || k == "decision") continue;
                if (!full_text && (k == "rationale" || k == "summary")) continue;
                w.key(k);
                copy_json(w, v);
            }
        }
        w.end_object();
    }
    w.end_array();
    w.field("facet_unit", "item");  // a decision is what facets count, whatever the hits' unit
    w.key("facets").begin_object();
    for (const auto& f : r.facets) {
        w.key(f.name).begin_object();
        for (const auto& [value, count] : f.values) w.field(value, std::uint64_t{count});
        w.end_object();
    }
    w.end_object().end_object();
    return out + "\n";
}

std::string format_csv(const SearchResult& r, bool full_text, bool marks) {
    std::string out = "rank,id,item,decision,score";
    for (auto c : kCsvDataColumns) out += "," + std::string(c);
    out += ",snippet_field,snippet";
    if (full_text) out += ",rationale,summary";
    out += "\r\n";
    simdjson::dom::parser parser;
    for (const auto& h : r.hits) {
        out += std::to_string(h.rank) + "," + csv_field(h.id) + "," + std::to_string(h.item) +
               "," + csv_field(h.decision) + "," + number(h.score, 4);
        simdjson::dom::element data;
        bool ok = parser.parse(h.data).get(data) == simdjson::SUCCESS && data.is_object();
        auto column = [&](std::string_view key) {
            simdjson::dom::element v;
            out += ',';
            if (ok && data[key].get(v) == simdjson::SUCCESS) out += csv_field(cell(v));
        };
        for (auto c : kCsvDataColumns) column(c);
        out += "," + csv_field(h.snippet_field) + "," +
               csv_field(marks ? snippet_text(h.snippet, kOpen, kClose) : plain_text(h.snippet));
        if (full_text) {
            column("rationale");
            column("summary");
        }
        out += "\r\n";
    }
    // Facet counts, (none) buckets included, as a second table after an empty line: a CSV
    // reader that stops at the empty line still gets the hits alone.
    if (!r.facets.empty()) out += "\r\nfacet,value,count\r\n";
    for (const auto& f : r.facets) {
        for (const auto& [value, count] : f.values)
            out += csv_field(f.name) + "," + csv_field(value) + "," + std::to_string(count) +
                   "\r\n";
    }
    return out;
}

std::string format_text(const SearchResult& r, bool ansi) {
    std::string out;
    const char* unit = r.by_letter ? "letter" : "item";
    out += std::to_string(r.total) + " matching " + unit + (r.total == 1 ? "" : "s") +
           " for: " + r.query + "\n";
    if (!r.hits.empty())
        out += "showing " + std::to_string(r.hits.front().rank) + "-" +
               std::to_string(r.hits.back().rank) + "\n";
    for (const auto& h : r.hits) {
        out += "\n" + std::to_string(h.rank) + ". " + h.id + " #" + std::to_string(h.item) + "  " +
               h.decision + "  score " + number(h.score, 2);
        if (!h.decision_date.empty()) out += "  decided " + h.decision_date;
        if (!h.injury_date.empty()) out += "  injured " + h.injury_date;
        out += "\n   request: " + h.request + "\n";
        std::string snip = ansi ? snippet_text(h.snippet, kBold, kReset)
                                : snippet_text(h.snippet, kOpen, kClose);
        if (!snip.empty()) out += "   " + field_label(h.snippet_field) + ": " + snip + "\n";
        if (h.collapsed > 0)
            out += "   (+" + std::to_string(h.collapsed) + " more matching items in this letter)\n";
    }
    if (!r.facets.empty()) out += "\nFacets (matching items per value, exact):\n";
    for (const auto& f : r.facets) {
        out += "\n" + f.name + "\n";
        std::size_t width = 8;
        for (const auto& v : f.values) width = std::max(width, v.first.size());
        for (const auto& [value, count] : f.values) {
            std::string line = "  " + value;
            line.append(width + 4 - value.size(), ' ');
            std::string n = std::to_string(count);
            if (n.size() < 8) line.append(8 - n.size(), ' ');
            out += line + n + "\n";
        }
        if (f.values.empty()) out += "  (no matching items)\n";
    }
    return out;
}

}  // namespace

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string format_result(const SearchResult& result, OutputFormat format, bool ansi,
                          bool full_text, bool count_only, bool marks) {
    if (count_only) return format_count(result, format);
    switch (format) {
        case OutputFormat::json: return format_json(result, full_text, marks);
        case OutputFormat::csv: return format_csv(result, full_text, marks);
        case OutputFormat::text: break;
    }
    return format_text(result, ansi);
}

}  // namespace imrdex
