// Snippets: what a query looks for in each free-text field, the highlighted window of a text,
// and which field of a hit to show.
#include "snippet.hpp"

#include <algorithm>
#include <regex>

#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/tokenizer.hpp"

namespace imrdex {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// The index into schema::kTextFields of the field whose term prefix (or, with `pair`, word-pair
// prefix) begins `term`, with `prefix_len` set; kNone for any other term.
std::size_t text_field(const std::string& term, bool pair, std::size_t& prefix_len) {
    for (std::size_t f = 0; f < schema::kTextFields.size(); ++f) {
        const std::string_view p =
            pair ? schema::kTextFields[f].pair_prefix : schema::kTextFields[f].prefix;
        if (term.size() > p.size() && term.compare(0, p.size(), p) == 0) {
            prefix_len = p.size();
            return f;
        }
    }
    return kNone;
}

constexpr std::size_t field_index(std::string_view name) {
    std::size_t f = 0;
    while (schema::kTextFields[f].name != name) ++f;
    return f;
}

// Whether `q` is an exact phrase over one free-text field: its terms are leaves of that field
// and its window is their number. Query has no accessor for the window; its description shows
// an exact phrase of n terms as "(a PHRASE n b ...)", as narrow_phrases reads it too.
bool exact_phrase(const Xapian::Query& q, std::size_t& field, std::vector<std::string>& stems) {
    const std::size_t n = q.get_num_subqueries();
    if (n < 2 ||
        q.get_description().find(" PHRASE " + std::to_string(n) + " ") == std::string::npos)
        return false;
    for (std::size_t i = 0; i < n; ++i) {
        const Xapian::Query sub = q.get_subquery(i);
        if (sub.get_type() != Xapian::Query::LEAF_TERM) return false;
        const std::string term = *sub.get_terms_begin();
        std::size_t len = 0;
        const std::size_t f = text_field(term, false, len);
        if (f == kNone || (i > 0 && f != field)) return false;
        field = f;
        stems.push_back(term.substr(len));
    }
    return true;
}

// Whether every term of `q` is a word pair: narrow_phrases filters a longer phrase by its pairs,
// which are then parts of that phrase, not phrases of their own.
bool only_pairs(const Xapian::Query& q) {
    std::size_t len = 0;
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
        if (text_field(*t, true, len) == kNone) return false;
    return q.get_unique_terms_begin() != q.get_unique_terms_end();
}

void collect(const Xapian::Query& q, FieldSnippetTerms& out) {
    using Q = Xapian::Query;
    switch (q.get_type()) {
        case Q::LEAF_TERM: {
            const std::string term = *q.get_terms_begin();
            std::size_t len = 0;
            if (const std::size_t f = text_field(term, false, len); f != kNone) {
                out[f].stems.push_back(term.substr(len));
            } else if (const std::size_t p = text_field(term, true, len); p != kNone) {
                // "prefix stem stem": the two-word phrase narrow_phrases made it of.
                const std::size_t space = term.find(' ', len);
                if (space != std::string::npos)
                    out[p].phrases.push_back(
                        {term.substr(len, space - len), term.substr(space + 1)});
            }
            return;
        }
        case Q::OP_WILDCARD: {
            // No accessor for the pattern either: the description shows "WILDCARD OR XRbenzo".
            static const std::regex kPattern("WILDCARD [A-Z_]+ ([^ )]+)");
            const std::string desc = q.get_description();
            std::smatch m;
            std::size_t len = 0;
            if (!std::regex_search(desc, m, kPattern)) return;
            const std::string term = m[1].str();
            if (const std::size_t f = text_field(term, false, len); f != kNone)
                out[f].wildcards.push_back(term.substr(len));
            return;
        }
        case Q::OP_PHRASE: {
            std::size_t f = 0;
            std::vector<std::string> stems;
            if (exact_phrase(q, f, stems)) {
                out[f].phrases.push_back(std::move(stems));
                return;
            }
            break;  // ADJ: its words singly, like NEAR
        }
        case Q::OP_AND_NOT:
            // What the hit must not have is not what it matched.
            if (q.get_num_subqueries() > 0) collect(q.get_subquery(0), out);
            return;
        case Q::OP_FILTER:
            if (q.get_num_subqueries() == 2 && only_pairs(q.get_subquery(0))) {
                collect(q.get_subquery(1), out);
                return;
            }
            break;
        default:
            break;
    }
    for (std::size_t i = 0; i < q.get_num_subqueries(); ++i) collect(q.get_subquery(i), out);
}

template <class T>
void sort_unique(std::vector<T>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool has_match(const std::vector<SnippetPart>& parts) {
    return std::any_of(parts.begin(), parts.end(), [](const SnippetPart& p) { return p.match; });
}

std::string string_field(const simdjson::dom::element& doc, const char* key) {
    std::string_view s;
    if (doc[key].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    return {};
}

}  // namespace

FieldSnippetTerms snippet_terms(const Xapian::Query& q) {
    FieldSnippetTerms out;
    collect(q, out);
    for (SnippetTerms& t : out) {
        sort_unique(t.stems);
        sort_unique(t.wildcards);
        sort_unique(t.phrases);
    }
    return out;
}

std::vector<SnippetPart> make_snippet(std::string_view text, const SnippetTerms& terms,
                                      std::size_t chars) {
    // The words are the indexed words (text::Tokenizer), so exactly those the query matched
    // light up, accents and all. Stemming every word of every shown rationale dominates large
    // result pages; rationales reuse a small vocabulary, so cache stems (bounded).
    static thread_local text::Tokenizer tokenizer;
    static thread_local text::StemCache stem(100000);
    // Phrases are compared as numbers: each word's stem looked up once among the phrases' stems.
    std::vector<std::string> vocabulary;
    for (const auto& p : terms.phrases) vocabulary.insert(vocabulary.end(), p.begin(), p.end());
    sort_unique(vocabulary);
    std::vector<std::vector<std::size_t>> phrases;
    for (const auto& p : terms.phrases) {
        auto& ids = phrases.emplace_back();
        for (const auto& s : p)
            ids.push_back(static_cast<std::size_t>(
                std::lower_bound(vocabulary.begin(), vocabulary.end(), s) - vocabulary.begin()));
    }
    struct Word {
        std::size_t begin;
        std::size_t end;
        std::size_t id;          // of its stem in `vocabulary`, or kNone
        bool single;             // a query word on its own
        bool marked = false;     // highlighted
        bool join_next = false;  // in one phrase occurrence with the next word
    };
    std::vector<Word> words;
    tokenizer.split(text, [&](const text::Word& w) {
        const std::string& s = stem(w.term);
        bool single = std::binary_search(terms.stems.begin(), terms.stems.end(), s);
        for (const auto& p : terms.wildcards)
            if (!single && (w.term.compare(0, p.size(), p) == 0 || s.compare(0, p.size(), p) == 0))
                single = true;
        std::size_t id = kNone;
        const auto v = std::lower_bound(vocabulary.begin(), vocabulary.end(), s);
        if (v != vocabulary.end() && *v == s) id = static_cast<std::size_t>(v - vocabulary.begin());
        words.push_back({w.begin, w.end, id, single});
    });
    // The occurrences of what the query looks for, [first, last] word, in order of first word:
    // a phrase only where all its words follow one another, as the index matched it.
    struct Unit {
        std::size_t first;
        std::size_t last;
    };
    std::vector<Unit> units;
    for (std::size_t i = 0; i < words.size(); ++i) {
        for (const auto& p : phrases) {
            if (i + p.size() > words.size()) continue;
            std::size_t k = 0;
            while (k < p.size() && words[i + k].id == p[k]) ++k;
            if (k < p.size()) continue;
            units.push_back({i, i + p.size() - 1});
            for (k = 0; k < p.size(); ++k) {
                words[i + k].marked = true;
                if (k + 1 < p.size()) words[i + k].join_next = true;
            }
        }
        if (words[i].single) {
            units.push_back({i, i});
            words[i].marked = true;
        }
    }
    // Window: the start that covers most whole occurrences within `chars`, earliest first.
    std::size_t best_unit = 0, best = 0;
    for (std::size_t k = 0; k < units.size(); ++k) {
        const std::size_t limit = words[units[k].first].begin + chars;
        std::size_t n = 0;
        for (std::size_t m = k; m < units.size() && words[units[m].first].begin < limit; ++m)
            n += words[units[m].last].end <= limit ? 1 : 0;
        if (n > best) {
            best = n;
            best_unit = k;
        }
    }
    const std::size_t start = units.empty() ? 0 : units[best_unit].first;
    // A little context before the first occurrence, snapped to a word start, and not starting
    // inside an earlier phrase occurrence (its tail alone would look like a match of its own).
    std::size_t first = start;
    while (first > 0 && words[start].begin - words[first - 1].begin < chars / 5) --first;
    while (first > 0 && words[first - 1].join_next) --first;
    const std::size_t begin = words.empty() ? 0 : words[first].begin;
    const std::size_t limit = begin + chars;
    std::vector<SnippetPart> parts;
    auto add = [&](std::string_view s, bool match) {
        if (s.empty()) return;
        if (!parts.empty() && parts.back().match == match)
            parts.back().text += s;
        else
            parts.push_back({std::string(s), match});
    };
    if (begin > 0) add("...", false);
    std::size_t pos = begin;
    std::size_t k = first;
    for (; k < words.size(); ++k) {
        const Word& w = words[k];
        const bool in_phrase = k > first && words[k - 1].join_next;
        if (w.end > limit && !in_phrase) break;  // a phrase occurrence is shown whole
        std::string_view gap = text.substr(pos, w.begin - pos);
        // Join the gap into the highlight inside a phrase occurrence and between two matched
        // words close together ("long-term use" as three words).
        const bool inner =
            k > first && w.marked && words[k - 1].marked && (in_phrase || gap.size() <= 2);
        add(gap, inner);
        add(text.substr(w.begin, w.end - w.begin), w.marked);
        pos = w.end;
    }
    if (k < words.size())
        add("...", false);
    else
        add(text.substr(pos), false);  // the closing punctuation
    return parts;
}

std::vector<SnippetPart> make_snippet(std::string_view text, const std::vector<std::string>& stems,
                                      const std::vector<std::string>& wildcard_stems,
                                      std::size_t chars) {
    return make_snippet(text, SnippetTerms{stems, wildcard_stems, {}}, chars);
}

namespace {

constexpr std::size_t kSummaryField = field_index("summary");

// The texts a hit can show in the order preferred, with the field whose terms find them.
struct Source {
    const char* key;  // in the document data
    std::size_t field;
};
constexpr Source kSources[] = {{"rationale", field_index("rationale")},
                               {"request", field_index("request")},
                               {"original_request", field_index("request")},
                               {"summary", kSummaryField}};

// The `id:` facet: its terms find a letter's items.
const schema::Facet& letter_id_facet() {
    for (const schema::Facet& f : schema::kFacets)
        if (f.slot == schema::kSlotLetterId) return f;
    throw std::logic_error("schema has no letter id facet");
}

}  // namespace

HitSnippets::HitSnippets(const Xapian::Database& db, const Xapian::Query& query, std::size_t chars)
    : db_(db), terms_(snippet_terms(query)), chars_(chars) {}

void HitSnippets::fill(Hit& hit, const simdjson::dom::element& data) {
    bool shown = false;
    for (const Source& s : kSources) {
        const SnippetTerms& terms = terms_[s.field];
        if (shown && terms.empty()) continue;  // only a match replaces what is shown
        std::string text = string_field(data, s.key);
        // The summary is written on the letter's first item only, yet a hit on another item
        // may have matched through it: show it from the first item.
        if (s.field == kSummaryField && !terms.empty() &&
            data["summary"].error() == simdjson::NO_SUCH_FIELD)
            text = letter_summary(hit.id);
        if (text.empty()) continue;
        std::vector<SnippetPart> parts = make_snippet(text, terms, chars_);
        const bool match = has_match(parts);
        if (!shown || match) {
            hit.snippet = std::move(parts);
            hit.snippet_field = s.key;
            shown = true;
        }
        if (match) return;
    }
}

const std::string& HitSnippets::letter_summary(const std::string& id) {
    if (auto it = summaries_.find(id); it != summaries_.end()) return it->second;
    std::string summary;
    const std::vector<std::string> ids = filter_terms(letter_id_facet(), id);
    if (!ids.empty()) {
        // Terms, not a document id: the same query finds it on local and remote shards.
        Xapian::Enquire enquire(db_);
        enquire.set_query(Xapian::Query(Xapian::Query::OP_AND,
                                        Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end()),
                                        Xapian::Query(std::string(schema::kFirstItem) + "1")));
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        const Xapian::MSet first = enquire.get_mset(0, 1);
        const std::string json =
            first.empty() ? std::string()
                          : decode_document_data(first.begin().get_document().get_data());
        simdjson::dom::element data;
        if (!json.empty() && parser_.parse(json).get(data) == simdjson::SUCCESS && data.is_object())
            summary = string_field(data, "summary");
    }
    return summaries_.emplace(id, std::move(summary)).first->second;
}

}  // namespace imrdex
