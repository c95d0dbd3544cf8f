// Significant terms: Xapian's expand set over the matching items picks the rationale terms they
// hold more often than the database; each is then counted exactly in the foreground and the
// background, scored, and shown in the form rationales write it.
#include "imrdex/search/significant.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include <simdjson.h>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/tokenizer.hpp"

namespace imrdex {

namespace {

// The rationale's prefix and its word pairs' (schema table): a term is prefix + stem, or pair
// prefix + stem + ' ' + stem.
const schema::TextField& rationale_field() {
    for (const schema::TextField& f : schema::kTextFields)
        if (f.prefix == schema::kRationale) return f;
    throw Error("schema: no rationale field");
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// A term of this field: the prefix followed by a lower-case stem (prefixes are capitals, so
// "XR" + "x..." is never another field's prefix).
std::string_view stem_of(std::string_view term, std::string_view prefix) {
    if (!starts_with(term, prefix) || term.size() == prefix.size()) return {};
    const auto next = static_cast<unsigned char>(term[prefix.size()]);
    if (next >= 'A' && next <= 'Z') return {};
    return term.substr(prefix.size());
}

// Only rationale words (and, on --word-pairs databases, rationale pairs) worth reporting.
class RationaleTerms : public Xapian::ExpandDecider {
public:
    explicit RationaleTerms(bool pairs) : pairs_(pairs) {}
    bool operator()(const std::string& term) const override {
        const schema::TextField& f = rationale_field();
        if (const auto stem = stem_of(term, f.prefix); !stem.empty()) return significant_word(stem);
        if (!pairs_) return false;
        const auto pair = stem_of(term, f.pair_prefix);
        const std::size_t space = pair.find(' ');
        return space != std::string_view::npos && significant_word(pair.substr(0, space)) &&
               significant_word(pair.substr(space + 1));
    }

private:
    bool pairs_;
};

// 64-bit FNV-1a: a fixed hash, so the sample is the same on every run and platform.
std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

// Accepts an item when the hash of its letter id and item number falls in the lowest
// `keep`/`of` of the range: about `keep` of `of` matching items, chosen by what the item is,
// not where it sits in the index, so a re-index, a merge or another sharding picks the same.
class HashSample : public Xapian::MatchDecider {
public:
    HashSample(Xapian::doccount keep, Xapian::doccount of)
        : limit_(static_cast<double>(keep) / static_cast<double>(of)) {}
    bool operator()(const Xapian::Document& doc) const override {
        const std::string key =
            doc.get_value(schema::kSlotLetterId) + '/' + doc.get_value(schema::kSlotItemNumber);
        // The top 53 bits as a fraction in [0, 1).
        return static_cast<double>(fnv1a(key) >> 11) / 9007199254740992.0 < limit_;
    }

private:
    double limit_;
};

// Items matching `q`, exact: the match runs over every document.
Xapian::doccount count(const Xapian::Database& db, const Xapian::Query& q) {
    Xapian::Enquire e(db);
    e.set_query(q);
    e.set_weighting_scheme(Xapian::BoolWeight());
    return e.get_mset(0, 0, std::max<Xapian::doccount>(db.get_doccount(), 1))
        .get_matches_estimated();
}

// JLH, as Elasticsearch's significant_terms: (fg - bg) * (fg / bg) of the two rates when the
// foreground rate is the higher, else 0. A term the background lacks altogether (possible
// only when the background does not hold the foreground) counts as once there, so the score
// stays finite.
double jlh(Xapian::doccount fg, Xapian::doccount fg_size, Xapian::doccount bg,
           Xapian::doccount bg_size) {
    if (fg_size == 0 || bg_size == 0) return 0;
    const double f = static_cast<double>(fg) / fg_size;
    const double b = static_cast<double>(std::max<Xapian::doccount>(bg, 1)) / bg_size;
    return f > b ? (f - b) * (f / b) : 0;
}

// Whether `pair` is "a b".
bool is_pair(std::string_view pair, std::string_view a, std::string_view b) {
    return pair.size() == a.size() + 1 + b.size() && starts_with(pair, a) &&
           pair[a.size()] == ' ' && pair.substr(a.size() + 1) == b;
}

// The written forms of `terms`' stems (words, or pairs "a b") in the rationales of up to
// `per_term` foreground items holding each: the most frequent form, ties by text.
void find_words(const Xapian::Database& db, const Xapian::Query& fg,
                std::vector<SignificantTerm>& terms, const schema::TextField& field) {
    constexpr Xapian::doccount kPerTerm = 5;
    text::Tokenizer tokenizer;
    text::StemCache stem;
    simdjson::dom::parser parser;
    for (SignificantTerm& t : terms) {
        const std::string term = std::string(t.pair ? field.pair_prefix : field.prefix) + t.stem;
        Xapian::Enquire e(db);
        e.set_query(Xapian::Query(Xapian::Query::OP_FILTER, fg, Xapian::Query(term)));
        e.set_weighting_scheme(Xapian::BoolWeight());
        const Xapian::MSet m = e.get_mset(0, kPerTerm);
        std::map<std::string, std::size_t> forms;
        for (auto it = m.begin(); it != m.end(); ++it) {
            simdjson::dom::element data;
            std::string_view rationale;
            const std::string json = it.get_document().get_data();
            if (parser.parse(json).get(data) != simdjson::SUCCESS ||
                data["rationale"].get_string().get(rationale) != simdjson::SUCCESS)
                continue;
            std::string prev_word, prev_stem;
            tokenizer.split(rationale, [&](const text::Word& w) {
                const std::string word(w.term);
                const std::string s = stem(w.term);
                if (!t.pair) {
                    if (s == t.stem) ++forms[word];
                } else if (!prev_stem.empty() && is_pair(t.stem, prev_stem, s)) {
                    std::string form = prev_word;
                    form += ' ';
                    form += word;
                    ++forms[form];
                }
                prev_word = word;
                prev_stem = s;
            });
        }
        t.word = t.stem;
        std::size_t best = 0;
        for (const auto& [form, n] : forms) {
            if (n > best) {
                best = n;
                t.word = form;
            }
        }
    }
}

}  // namespace

bool significant_word(std::string_view stem) {
    if (stem.size() < 3) return false;
    // English function words (stemmed as the index stems): frequent everywhere, they carry no
    // finding but can still edge ahead by a point or two of rate. "not" is kept: "not
    // medically necessary" is what an upheld item says.
    static const std::set<std::string, std::less<>> function_words = [] {
        static constexpr std::string_view kWords[] = {
            "about",   "above",   "after",  "again", "all",  "also",   "and",   "any",   "are",
            "because", "been",    "before", "but",   "can",  "could",  "did",   "does",  "during",
            "each",    "for",     "from",   "had",   "has",  "have",   "her",   "his",   "how",
            "into",    "its",     "may",    "more",  "most", "must",   "only",  "other", "our",
            "out",     "over",    "own",    "same",  "she",  "should", "some",  "such",  "than",
            "that",    "the",     "their",  "them",  "then", "there",  "these", "they",  "this",
            "those",   "through", "under",  "until", "upon", "very",   "was",   "were",  "what",
            "when",    "where",   "which",  "while", "who",  "whom",   "why",   "will",  "with",
            "would",   "you",     "your"};
        const Xapian::Stem stemmer(text::kStemLanguage);
        std::set<std::string, std::less<>> out;
        for (const auto w : kWords) out.insert(stemmer(std::string(w)));
        return out;
    }();
    if (function_words.find(stem) != function_words.end()) return false;
    // Numbers and number-like tokens ("2016", "3.5", "1,000", "10mg" is kept): no letter.
    return std::any_of(stem.begin(), stem.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u >= 'a' && u <= 'z') || u >= 0x80;
    });
}

std::string_view significant_help() {
    return "  Candidates: Xapian's expand set (Enquire::get_eset, TradEWeight) of the matching\n"
           "  items' rationale words (and word pairs on --word-pairs databases) against the whole\n"
           "  database; left out: words under 3 letters, numbers, English function words (and,\n"
           "  with, ...; \"not\" is kept), the query's own terms. The expand set gets every\n"
           "  matching item, or above 5000 about 5000 chosen by a hash of letter id and item\n"
           "  number (on remote shards the first 5000 in index order).\n"
           "  Counts are exact: foreground items whose rationale holds the term, out of all\n"
           "  matching items; background items holding it, out of the background (the whole\n"
           "  database, or the items --background matches).\n"
           "  Ranking: without --background by eset weight; with it by the JLH score\n"
           "  (fg rate - bg rate) x (fg rate / bg rate), Elasticsearch's significant_terms\n"
           "  default, over the best 100 (or 5 x --limit) eset candidates. A term whose\n"
           "  foreground rate is not above its background rate is left out.\n"
           "  Terms are English stems as indexed, shown with their commonest written form.\n";
}

SignificantResult Searcher::significant(const SignificantOptions& options) {
    SignificantResult result;
    with_retries(options.query, options.allow_empty, [&](const Xapian::Query& query) {
        if (options.background.empty()) {
            result = significant_once(options, query, nullptr);
            return;
        }
        std::vector<QueryBuilder::Filter> filters;
        const Xapian::Query background = builder_.parse(options.background, filters);
        if (!options.allow_empty) check_filters(filters);
        result = significant_once(options, query, &background);
    });
    return result;
}

SignificantResult Searcher::significant_once(const SignificantOptions& options,
                                             const Xapian::Query& query,
                                             const Xapian::Query* background) {
    const schema::TextField& field = rationale_field();
    SignificantResult r;
    r.query = options.query;
    r.background = background != nullptr ? options.background : "";
    r.word_pairs = db_.get_metadata(std::string(schema::kWordPairsKey)) == "1";
    r.by_score = background != nullptr;
    const Xapian::Query fg = prepared(query);
    r.fg_size = count(db_, fg);
    const Xapian::Query bg = background != nullptr ? prepared(*background) : Xapian::Query();
    r.bg_size = background != nullptr ? count(db_, bg) : db_.get_doccount();
    if (r.fg_size == 0) return r;

    // The RSet: every matching item, or a hash sample of them. Remote shards cannot run the
    // MatchDecider (with_retries then sets remote_): there the first items in index order.
    Xapian::Enquire enquire(db_);
    enquire.set_query(fg);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    Xapian::MSet members;
    if (r.fg_size <= options.sample || remote_) {
        members = enquire.get_mset(0, std::min(r.fg_size, options.sample));
    } else {
        const HashSample sample(options.sample, r.fg_size);
        members = enquire.get_mset(0, r.fg_size, 0, nullptr, &sample);
    }
    Xapian::RSet rset;
    for (auto it = members.begin(); it != members.end(); ++it) rset.add_document(*it);
    r.rset_size = static_cast<Xapian::doccount>(rset.size());
    r.sampled = r.rset_size < r.fg_size;

    const RationaleTerms decider(r.word_pairs);
    const auto candidates = static_cast<Xapian::termcount>(
        background != nullptr ? std::max<std::size_t>(100, 5 * options.limit) : 2 * options.limit);
    Xapian::ESet eset;
    try {
        eset = enquire.get_eset(candidates, rset, Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
    } catch (const Xapian::FeatureUnavailableError& e) {
        throw UnsupportedError(
            "--significant reads the matching items' term lists, which this database was built "
            "without (Xapian's DB_NO_TERMLIST, an archive build): run it on a normal "
            "(non-archive) build from imr-index (" +
            e.get_description() + ")");
    }

    for (auto it = eset.begin(); it != eset.end(); ++it) {
        const std::string& term = *it;
        SignificantTerm t;
        t.pair = !stem_of(term, field.pair_prefix).empty();
        t.stem = std::string(stem_of(term, t.pair ? field.pair_prefix : field.prefix));
        t.weight = it.get_weight();
        const Xapian::Query with(term);
        t.fg_count = count(db_, Xapian::Query(Xapian::Query::OP_FILTER, fg, with));
        t.bg_count = background != nullptr
                         ? count(db_, Xapian::Query(Xapian::Query::OP_FILTER, bg, with))
                         : db_.get_termfreq(term);
        t.score = jlh(t.fg_count, r.fg_size, t.bg_count, r.bg_size);
        // Over-represented only: a higher rate in the foreground than in the background.
        if (static_cast<double>(t.fg_count) * r.bg_size <=
            static_cast<double>(t.bg_count) * r.fg_size)
            continue;
        r.terms.push_back(std::move(t));
    }
    if (r.by_score) {
        std::stable_sort(r.terms.begin(), r.terms.end(),
                         [](const auto& a, const auto& b) { return a.score > b.score; });
    }
    if (r.terms.size() > options.limit) r.terms.resize(options.limit);
    find_words(db_, fg, r.terms, field);
    return r;
}

namespace {

std::string fixed(double v, int decimals) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string percent(Xapian::doccount n, Xapian::doccount of) {
    return of == 0 ? "-" : fixed(100.0 * n / of, 1) + "%";
}

std::string pad(const std::string& s, std::size_t width, bool left) {
    const std::string fill(width > s.size() ? width - s.size() : 0, ' ');
    return left ? fill + s : s + fill;
}

std::string background_name(const SignificantResult& r) {
    return r.background.empty() ? std::string("the whole database") : r.background;
}

std::string format_text(const SignificantResult& r) {
    std::string out = std::to_string(r.fg_size) + " matching item" + (r.fg_size == 1 ? "" : "s") +
                      " for: " + r.query + "\n";
    out += "significant rationale " + std::string(r.word_pairs ? "words and word pairs" : "words") +
           " against " + background_name(r) + " (" + std::to_string(r.bg_size) + " items); ";
    out += r.sampled ? "expand set over a sample of " + std::to_string(r.rset_size) + " items"
                     : "expand set over all matching items";
    out += "; ranked by " + std::string(r.by_score ? "JLH score" : "eset weight") +
           "; stems as indexed\n\n";
    if (r.terms.empty()) return out + "(no term is over-represented)\n";
    const std::vector<std::string> heads{"rank",       "word",         "stem",
                                         "weight",     "matches",      "match %",
                                         "background", "background %", "JLH score"};
    std::vector<std::vector<std::string>> rows;
    std::size_t rank = 0;
    for (const auto& t : r.terms) {
        rows.push_back({std::to_string(++rank), t.word, t.stem, fixed(t.weight, 2),
                        std::to_string(t.fg_count), percent(t.fg_count, r.fg_size),
                        std::to_string(t.bg_count), percent(t.bg_count, r.bg_size),
                        fixed(t.score, 4)});
    }
    std::vector<std::size_t> widths(heads.size());
    for (std::size_t k = 0; k < heads.size(); ++k) {
        widths[k] = heads[k].size();
        for (const auto& row : rows) widths[k] = std::max(widths[k], row[k].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (std::size_t k = 0; k < cells.size(); ++k) {
            // Words left-aligned, numbers right-aligned.
            s += (k == 0 ? "" : "  ") + pad(cells[k], widths[k], k != 1 && k != 2);
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return s + "\n";
    };
    out += line(heads);
    for (const auto& row : rows) out += line(row);
    return out;
}

std::string format_csv(const SignificantResult& r) {
    std::string out = "rank,word,stem,pair,weight,score,fg_count,fg_size,bg_count,bg_size\r\n";
    std::size_t rank = 0;
    for (const auto& t : r.terms) {
        out += std::to_string(++rank) + "," + csv_field(t.word) + "," + csv_field(t.stem) + "," +
               (t.pair ? "1" : "0") + "," + fixed(t.weight, 6) + "," + fixed(t.score, 6) + "," +
               std::to_string(t.fg_count) + "," + std::to_string(r.fg_size) + "," +
               std::to_string(t.bg_count) + "," + std::to_string(r.bg_size) + "\r\n";
    }
    return out;
}

std::string format_json(const SignificantResult& r) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("query", r.query).key("background");
    if (r.background.empty())
        w.null();
    else
        w.value(r.background);
    w.field("fg_size", std::uint64_t{r.fg_size}).field("bg_size", std::uint64_t{r.bg_size});
    w.field("rset_size", std::uint64_t{r.rset_size}).field("sampled", r.sampled);
    w.field("word_pairs", r.word_pairs);
    w.field("ranked_by", std::string_view(r.by_score ? "score" : "weight"));
    w.key("terms").begin_array();
    for (const auto& t : r.terms) {
        w.begin_object().field("word", t.word).field("stem", t.stem).field("pair", t.pair);
        w.field("weight", t.weight).field("score", t.score);
        w.field("fg_count", std::uint64_t{t.fg_count}).field("bg_count", std::uint64_t{t.bg_count});
        w.end_object();
    }
    w.end_array().end_object();
    return out + "\n";
}

}  // namespace

std::string format_significant(const SignificantResult& result, OutputFormat format) {
    switch (format) {
        case OutputFormat::json:
            return format_json(result);
        case OutputFormat::csv:
            return format_csv(result);
        case OutputFormat::text:
            break;
    }
    return format_text(result);
}

}  // namespace imrdex
