// Parser passes: item headers, then each item (request, decision, guidelines, rationale,
// details), then the check that the letter was not cut off.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "imrdex/extract/category.hpp"
#include "parse_util.hpp"
#include "passes.hpp"

namespace imrdex::parse {

namespace {

constexpr std::size_t kMaxHeaderLines = 10;  // a wrapped request, partial authorizations included

// ": Upheld" / ":  Overturned" at the end of the line; returns the decision and the length of
// the line without it.
Decision trailing_decision(std::string_view t, std::size_t& keep) {
    static constexpr std::pair<std::string_view, Decision> kDecisions[] = {
        {"Upheld", Decision::upheld}, {"Overturned", Decision::overturned}};
    for (const auto& [word, dec] : kDecisions) {
        if (!iends_with(t, word)) continue;
        std::size_t e = t.size() - word.size();
        while (e > 0 && is_space(t[e - 1])) --e;
        if (e > 0 && t[e - 1] == ':') {
            keep = e - 1;
            return dec;
        }
    }
    return Decision::unknown;
}

Decision whole_line_decision(std::string_view t) {
    if (iequals(t, "Upheld")) return Decision::upheld;
    if (iequals(t, "Overturned")) return Decision::overturned;
    return Decision::unknown;
}

enum class Label { none, ca, maximus, rationale };

Label label_of(std::string_view t, std::size_t& skip) {
    static constexpr std::pair<std::string_view, Label> kLabels[] = {
        {"Claims Administrator guideline:", Label::ca},
        {"MAXIMUS guideline:", Label::maximus},
        {"Decision rationale:", Label::rationale}};
    for (const auto& [text, label] : kLabels) {
        if (istarts_with(t, text)) {
            skip = text.size();
            return label;
        }
    }
    return Label::none;
}

// The last non-blank line before `i` and after `floor` (kNone: no floor).
std::size_t prev_nonblank(const Lines& lines, std::size_t i, std::size_t floor) {
    const std::size_t lo = floor == kNone ? 0 : floor + 1;
    while (i > lo) {
        --i;
        if (!lines[i].empty()) return i;
    }
    return kNone;
}

std::size_t next_nonblank(const Lines& lines, std::size_t i) {
    for (++i; i < lines.size(); ++i) {
        if (!lines[i].empty()) return i;
    }
    return kNone;
}

bool mentions_original(std::string_view t) {
    return ifind(t, "was the original request") != std::string_view::npos;
}

// A rationale that forgot its final period still ends "... medically necessary".
bool ends_previous(std::string_view t) {
    return ends_sentence(t) || iends_with(t, "medically necessary");
}

// The request starts at a line start right after a line that ends a sentence (the previous
// rationale) or after `floor` (intro line, previous header or label line).
std::size_t header_start(const Lines& lines, std::size_t last, std::size_t floor) {
    std::size_t start = last;
    std::size_t count = 1;
    bool has_original = mentions_original(lines[last]);
    for (;;) {
        const std::size_t p = prev_nonblank(lines, start, floor);
        if (p == kNone || count >= kMaxHeaderLines) break;
        if (ends_previous(lines[p])) break;
        start = p;
        ++count;
        has_original = has_original || mentions_original(lines[p]);
    }
    // A partial authorization wraps as whole sentences ("X was the original request.\nThe
    // Claims Administrator authorized ..."); reach back to its "was the original request".
    if (!has_original) {
        std::string joined;
        for (std::size_t i = start; i <= last; ++i) append_collapsed(joined, lines[i]);
        if (mentions_original(joined)) return start;
        if (ifind(joined, "remaining IMR eligible") != std::string::npos ||
            ifind(joined, "original request IMR eligible") != std::string::npos ||
            istarts_with(joined, "The original request")) {
            std::size_t s = start;
            for (std::size_t n = count; n < kMaxHeaderLines; ++n) {
                const std::size_t p = prev_nonblank(lines, s, floor);
                if (p == kNone) break;
                s = p;
                std::string back(lines[p]);
                back.push_back(' ');
                back += joined;
                joined = collapse(back);
                if (!mentions_original(joined)) continue;
                // The original request may itself have wrapped onto the lines before
                // ("... DOS:\n12-1-15 was the original request."): its sentence starts after the
                // previous sentence end.
                for (std::size_t m = n + 1; m < kMaxHeaderLines; ++m) {
                    const std::size_t q = prev_nonblank(lines, s, floor);
                    if (q == kNone || ends_previous(lines[q])) break;
                    s = q;
                }
                return s;
            }
        }
    }
    return start;
}

// The joined text of lines [b, e) of one item section, label prefix removed from line b.
std::string join(const Lines& lines, std::size_t b, std::size_t e, std::size_t skip) {
    std::string out;
    for (std::size_t i = b; i < e; ++i) {
        std::string_view t = lines[i];
        if (i == b) t = t.substr(std::min(skip, t.size()));
        append_collapsed(out, t);
    }
    return out;
}

// Where the items start, and the line at or before which nothing joins a header: after the
// issues heading (else the summary heading, else the top) and its "The Final Determination was
// based on ... set forth below:" intro, which may wrap over up to three lines.
std::pair<std::size_t, std::size_t> items_begin(const Lines& lines, const Sections& sections) {
    const std::size_t n = lines.size();
    std::size_t begin = sections.issues != kNone    ? sections.issues + 1
                        : sections.summary != kNone ? sections.summary + 1
                                                    : 0;
    std::size_t floor = begin == 0 ? kNone : begin - 1;
    for (std::size_t i = begin; i < std::min(n, begin + 4); ++i) {
        if (ifind(lines[i], "Final Determination was based") != std::string_view::npos) {
            std::size_t k = i;
            while (k < std::min(n, i + 3) && (lines[k].empty() || lines[k].back() != ':')) ++k;
            floor = k < n ? k : i;
            begin = floor + 1;
            break;
        }
    }
    return {begin, floor};
}

}  // namespace

std::vector<ItemHeader> find_item_headers(const Lines& lines, const Sections& sections,
                                          std::vector<Warning>& warnings) {
    if (sections.issues == kNone) {
        warn(warnings, WarningCode::no_issues_section, "no IMR ISSUES heading");
    }
    const std::size_t n = lines.size();
    const auto [begin, floor] = items_begin(lines, sections);

    std::vector<ItemHeader> headers;
    bool seen_rationale = true;  // the section intro counts as "previous item finished"
    // Lines at or before `lower` (intro, previous header, label lines) never join a header.
    std::size_t lower = floor;
    auto add_fallback_header = [&](std::size_t label_line) {
        const std::size_t p = prev_nonblank(lines, label_line, lower);
        if (p == kNone) return;
        ItemHeader h;
        h.end = p;
        h.text_end = p + 1;
        h.last_len = lines[p].size();
        h.start = header_start(lines, p, lower);
        headers.push_back(h);
    };
    for (std::size_t i = begin; i < n; ++i) {
        const std::string_view t = lines[i];
        if (t.empty()) continue;
        std::size_t skip = 0;
        const Label label = label_of(t, skip);
        if (label != Label::none) {
            // A new item began without a recognisable "REQUEST: decision" header.
            if (label == Label::ca && seen_rationale) add_fallback_header(i);
            seen_rationale = label == Label::rationale;
            lower = i;
            continue;
        }
        std::size_t keep = 0;
        Decision d = trailing_decision(t, keep);
        std::size_t text_last = i;
        std::size_t last_len = keep;
        if (d == Decision::unknown) {
            d = whole_line_decision(t);
            if (d == Decision::unknown) continue;
            const std::size_t p = prev_nonblank(lines, i, lower);
            if (p == kNone || lines[p].back() != ':') continue;
            text_last = p;
            last_len = lines[p].size() - 1;
        }
        const std::size_t nx = next_nonblank(lines, i);
        std::size_t nskip = 0;
        const bool label_follows = nx != kNone && label_of(lines[nx], nskip) != Label::none;
        if (!seen_rationale && !label_follows) continue;
        ItemHeader h;
        h.end = i;
        h.text_end = text_last + 1;
        h.last_len = last_len;
        h.decision = d;
        h.start = header_start(lines, text_last, lower);
        headers.push_back(h);
        seen_rationale = false;
        lower = i;
    }
    return headers;
}

std::string header_text(const Lines& lines, const ItemHeader& h) {
    std::string header;
    for (std::size_t i = h.start; i < h.text_end; ++i) {
        std::string_view t = lines[i];
        if (i + 1 == h.text_end) t = t.substr(0, h.last_len);
        append_collapsed(header, t);
    }
    return header;
}

void set_request(Item& item, std::string header, std::vector<Warning>& warnings) {
    // Partial authorization: "<ORIG> was the original request. ... the original request, <REQ>".
    const std::size_t orig = ifind(header, " was the original request");
    if (orig == std::string::npos) {
        item.request = std::move(header);
        return;
    }
    const std::string_view h(header);
    std::size_t rq = kNone;
    for (std::size_t p = ifind(h, "the original request,", orig + 1); p != std::string_view::npos;
         p = ifind(h, "the original request,", p + 1)) {
        rq = p + 21;
    }
    if (rq == kNone) {
        const std::size_t por = ifind(h, "eligible portion", orig);
        if (por != std::string_view::npos) {
            const std::size_t comma = h.find(',', por);
            if (comma != std::string_view::npos) rq = comma + 1;
        }
    }
    item.original_request = std::string(trim(h.substr(0, orig)));
    if (rq == kNone) {
        warn(warnings, WarningCode::partial_authorization_unparsed, excerpt(h));
        item.request = item.original_request;
        return;
    }
    std::string_view r = trim(h.substr(rq));
    if (iends_with(r, " is")) r = trim(r.substr(0, r.size() - 3));
    while (!r.empty() && r.back() == ',') r = trim(r.substr(0, r.size() - 1));
    item.request = std::string(r);
}

void parse_item_body(const Lines& lines, std::size_t begin, std::size_t end, Item& item) {
    Label current = Label::none;
    std::size_t section_start = begin;
    std::size_t section_skip = 0;
    auto flush = [&](std::size_t section_end) {
        if (current == Label::none) return;
        std::string text = join(lines, section_start, section_end, section_skip);
        switch (current) {
            case Label::ca:
                item.ca_guideline.text = std::move(text);
                break;
            case Label::maximus:
                item.maximus_guideline.text = std::move(text);
                break;
            case Label::rationale:
                item.rationale = std::move(text);
                break;
            case Label::none:
                break;
        }
    };
    for (std::size_t i = begin; i < end; ++i) {
        std::size_t skip = 0;
        const Label label = label_of(lines[i], skip);
        if (label == Label::none || (current == Label::rationale)) continue;
        flush(i);
        current = label;
        section_start = i;
        section_skip = skip;
    }
    flush(end);
    item.ca_guideline.sources = guideline_sources(item.ca_guideline.text);
    item.maximus_guideline.sources = guideline_sources(item.maximus_guideline.text);
}

void classify_item(Item& item, const DrugVocabulary& drugs) {
    const auto match = drugs.match(item.request);
    if (match && match->entry != nullptr) {
        item.drug = match->entry->drug;
        item.drug_class = match->entry->drug_class;
    }
    item.category = classify_category(item.request, !item.drug.empty());
    item.strength = find_strength(item.request);
    item.quantity = find_quantity(item.request);
}

Item parse_item(const Lines& lines, const std::vector<ItemHeader>& headers, std::size_t k,
                const DrugVocabulary& drugs, std::vector<Warning>& warnings) {
    const ItemHeader& h = headers[k];
    const std::string number = std::to_string(k + 1);
    Item item;
    std::string header = header_text(lines, h);
    if (h.decision == Decision::unknown) {
        // Fallback header: "REQUEST: <something we do not know>".
        const std::size_t c = header.rfind(':');
        const std::string what = c != std::string::npos ? collapse(header.substr(c + 1)) : "";
        if (c != std::string::npos) header.resize(c);
        while (!header.empty() && header.back() == ' ') header.pop_back();
        warn(warnings, WarningCode::decision_unrecognised,
             "item " + number + ": \"" + excerpt(what, 40) + "\"");
    }
    set_request(item, std::move(header), warnings);
    item.decision = h.decision;
    const std::size_t body_end = k + 1 < headers.size() ? headers[k + 1].start : lines.size();
    parse_item_body(lines, h.end + 1, body_end, item);
    if (item.request.empty()) warn(warnings, WarningCode::empty_request, "item " + number);
    if (item.rationale.empty()) {
        warn(warnings, WarningCode::truncated_item,
             "item " + number + " has no decision rationale");
    }
    classify_item(item, drugs);
    return item;
}

void parse_items(const Lines& lines, const std::vector<ItemHeader>& headers,
                 const DrugVocabulary& drugs, Letter& l) {
    l.items.reserve(l.items.size() + headers.size());
    for (std::size_t k = 0; k < headers.size(); ++k) {
        l.items.push_back(parse_item(lines, headers, k, drugs, l.warnings));
    }
}

namespace {

// Words a rationale's conclusion may close with after "necessary": "... is not medically
// necessary at this time", "... medically necessary per the guidelines".
constexpr std::string_view kConclusionTails[] = {
    " at this time", " per the guidelines", " per guidelines", " per mtus", " and appropriate"};

// Whether an unfinished last sentence is nonetheless the item's conclusion: IMR rationales end
// "... is (not) medically necessary" or "... is not a medical necessity", so a letter that stops
// there lacks only its period, while one cut off stops anywhere else ("It is not medically").
bool states_conclusion(std::string_view sentence) noexcept {
    std::string_view t = trim(sentence);
    while (!t.empty() && (t.back() == '"' || t.back() == ')' || t.back() == ',')) {
        t = trim(t.substr(0, t.size() - 1));
    }
    for (const std::string_view tail : kConclusionTails) {
        if (iends_with(t, tail)) {
            t = trim(t.substr(0, t.size() - tail.size()));
            if (iends_with(t, " as")) t = trim(t.substr(0, t.size() - 3));
            while (!t.empty() && t.back() == ',') t = trim(t.substr(0, t.size() - 1));
            break;
        }
    }
    return iends_with(t, " necessary") || iends_with(t, " necessity");
}

}  // namespace

void check_truncation(const Lines& lines, const std::vector<ItemHeader>& headers, Letter& l) {
    if (l.items.empty()) {
        warn(l.warnings, WarningCode::no_items, "no disputed item with a decision found");
        return;
    }
    if (headers.empty()) return;
    // A letter cut off mid-sentence probably lost the end of its last item.
    const std::size_t last = prev_nonblank(lines, lines.size(), kNone);
    if (last == kNone || last <= headers.back().end || ends_sentence(lines[last]) ||
        l.items.back().rationale.empty()) {
        return;
    }
    const std::string_view t = lines[last];
    const std::string quote = excerpt(t.substr(t.size() > 40 ? t.size() - 40 : 0));
    // The last sentence of the rationale: after its last sentence end, if any.
    const std::string_view rationale = l.items.back().rationale;
    std::size_t from = 0;
    for (std::size_t i = rationale.size(); i > 1; --i) {
        if (rationale[i - 1] == ' ' && ends_sentence(rationale.substr(0, i - 1))) {
            from = i;
            break;
        }
    }
    if (states_conclusion(rationale.substr(from))) {
        warn(l.warnings, WarningCode::no_final_period,
             "letter ends without a final period: \"" + quote + "\"");
        return;
    }
    warn(l.warnings, WarningCode::truncated_item, "letter ends mid-sentence: \"" + quote + "\"");
}

}  // namespace imrdex::parse
