// Query building: the user's query text to a Xapian::Query over the schema's prefixes and slots.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "imrdex/core/date.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/tokenizer.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/extract/facet_value.hpp"
#include "imrdex/search/search.hpp"

namespace imrdex {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// One boolean filter field: normalises the value to the index's form (filter_terms, as the
// indexer does) before making the term, so users need not know how values were stored. It never
// throws: an exception thrown through Xapian's query parser leaks the parser's state, so errors
// are left in `error` for parse(). Each filter is noted in `filters` for the database check.
class FacetProcessor : public Xapian::FieldProcessor {
public:
    FacetProcessor(const schema::Facet& facet, std::string* error,
                   std::vector<QueryBuilder::Filter>* filters)
        : facet_(facet), error_(error), filters_(filters) {}

    Xapian::Query operator()(const std::string& raw) override {
        std::string_view typed = raw;
        typed.remove_prefix(std::min(typed.size(), typed.find_first_not_of(" \t")));
        typed.remove_suffix(typed.size() -
                            std::min(typed.size(), typed.find_last_not_of(" \t") + 1));
        std::vector<std::string> terms = filter_terms(facet_, typed);
        if (terms.empty()) {
            if (error_->empty()) {
                const std::string field(facet_.name);
                *error_ = field + ": needs a value, e.g. " + field + ":x";
            }
            return Xapian::Query::MatchNothing;
        }
        filters_->push_back({&facet_, std::string(typed), terms, {}});
        if (terms.size() == 1) return Xapian::Query(terms.front());
        return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    }

private:
    const schema::Facet& facet_;
    std::string* error_;
    std::vector<QueryBuilder::Filter>* filters_;
};

[[noreturn]] void bad_range(std::string_view field, std::string_view why) {
    throw QueryError("bad range " + std::string(field) + ": " + std::string(why));
}

Xapian::Query value_range(Xapian::valueno slot, const std::string& begin, double lo,
                          const std::string& end, double hi) {
    if (begin.empty())
        return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, Xapian::sortable_serialise(hi));
    if (end.empty())
        return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, Xapian::sortable_serialise(lo));
    return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, Xapian::sortable_serialise(lo),
                         Xapian::sortable_serialise(hi));
}

// `age:40..60`: whole years, inclusive.
class AgeRange : public Xapian::RangeProcessor {
public:
    AgeRange() : RangeProcessor(schema::kSlotAge, "age:") {}

    Xapian::Query operator()(const std::string& begin, const std::string& end) override {
        auto number = [](const std::string& s) {
            int n = -1;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc() || p != s.data() + s.size() || n < 0 || n > 150)
                bad_range("age:", "'" + s + "' is not an age in years (0-150)");
            return n;
        };
        if (begin.empty() && end.empty()) bad_range("age:..", "give at least one end");
        double lo = begin.empty() ? 0 : number(begin);
        double hi = end.empty() ? 0 : number(end);
        if (!begin.empty() && !end.empty() && lo > hi)
            bad_range("age:" + begin + ".." + end, "the start is after the end");
        return value_range(slot, begin, lo, end, hi);
    }
};

// `decided:2016-12-01..2017-01-31`: each end a year, month or day (IsoDate); a year or month as
// the end covers all of it.
class DateRange : public Xapian::RangeProcessor {
public:
    DateRange(Xapian::valueno slot_, const std::string& field)
        : RangeProcessor(slot_, field + ":"), field_(field) {}

    Xapian::Query operator()(const std::string& begin, const std::string& end) override {
        const std::string whole = field_ + ":" + (begin == end ? begin : begin + ".." + end);
        if (begin.empty() && end.empty()) bad_range(whole, "give at least one end");
        auto date = [&](const std::string& text) {
            std::string why;
            const std::optional<IsoDate> d = IsoDate::parse(text, &why);
            if (d) return *d;
            bad_range(whole, "'" + text + "' is not a date (" + why + ")");
        };
        const double lo = begin.empty() ? 0 : date(begin).first();
        const double hi = end.empty() ? 0 : date(end).last();
        if (!begin.empty() && !end.empty() && lo > hi)
            bad_range(whole, "the start is after the end");
        return value_range(slot, begin, lo, end, hi);
    }

private:
    std::string field_;
};

bool is_range_field(std::string_view name) {
    return std::any_of(schema::kRangeFields.begin(), schema::kRangeFields.end(),
                       [&](const schema::RangeField& f) { return f.name == name; });
}

bool is_known_field(std::string_view name) {
    if (is_range_field(name) || schema::find_facet(name) != nullptr) return true;
    return std::any_of(schema::kTextFields.begin(), schema::kTextFields.end(),
                       [&](const schema::TextField& f) { return f.name == name; });
}

std::string known_fields() {
    std::string s;
    for (const auto& f : schema::kTextFields) s += std::string(f.name) + ": ";
    for (const auto& f : schema::kFacets) s += std::string(f.name) + ": ";
    for (const auto& f : schema::kRangeFields) s += std::string(f.name) + ": ";
    s.pop_back();
    return s;
}

// AgeRange has its field and slot built in: the table's one number range must be it.
constexpr bool number_range_is_age() {
    int n = 0;
    for (const auto& f : schema::kRangeFields) {
        if (f.kind != schema::RangeKind::number) continue;
        if (f.name != "age" || f.slot != schema::kSlotAge) return false;
        ++n;
    }
    return n == 1;
}
static_assert(number_range_is_age(), "a new number range field needs its own RangeProcessor");

// Xapian silently reads an unknown `foo:bar` as two words, and `age:45` (no "..") as text that
// matches nothing: both would give plausible but wrong answers. This pass rejects unknown fields
// and empty values, and turns a single range value into a one-value range ("v..v").
std::string check_fields(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    bool quoted = false;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '"') {
            quoted = !quoted;
            out += c;
            ++i;
            continue;
        }
        bool at_start = i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])) ||
                        text[i - 1] == '(' || text[i - 1] == '+' || text[i - 1] == '-';
        if (quoted || !at_start || !std::isalpha(static_cast<unsigned char>(c))) {
            out += c;
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() &&
               (std::isalpha(static_cast<unsigned char>(text[j])) || text[j] == '_'))
            ++j;
        if (j >= text.size() || text[j] != ':') {
            out.append(text.substr(i, j - i));
            i = j;
            continue;
        }
        std::string name = lower(text.substr(i, j - i));
        bool value_follows =
            j + 1 < text.size() && !std::isspace(static_cast<unsigned char>(text[j + 1]));
        if (!is_known_field(name)) {
            // "Note: ..." is prose; "foo:bar" is a field the user expects to exist.
            if (value_follows)
                throw QueryError("unknown field '" + std::string(text.substr(i, j - i)) +
                                 ":' (known fields: " + known_fields() + ")");
            out.append(text.substr(i, j + 1 - i));
            i = j + 1;
            continue;
        }
        if (!value_follows)
            throw QueryError("field '" + name + ":' needs a value right after the colon, e.g. " +
                             name + (is_range_field(name) ? ":2010..2014" : ":value"));
        out += name;  // Xapian's field names are case-sensitive; accept "Decision:".
        out += ':';
        i = j + 1;
        if (is_range_field(name)) {
            std::size_t k = i;
            while (k < text.size() && !std::isspace(static_cast<unsigned char>(text[k])) &&
                   text[k] != ')')
                ++k;
            std::string_view value = text.substr(i, k - i);
            out.append(value);
            if (value.find("..") == std::string_view::npos) {
                out += "..";
                out.append(value);
            }
            i = k;
        }
    }
    if (quoted) throw QueryError("unbalanced double quote in query");
    return out;
}

}  // namespace

std::vector<std::string> filter_terms(const schema::Facet& facet, std::string_view value) {
    const std::string v = schema::normalise(facet.norm, value);
    if (v.empty()) return {};
    const std::string prefix(facet.prefix);
    std::vector<std::string> terms{prefix + v};
    if (facet.norm == schema::Norm::exact) {
        // Case ids are stored as written ("CM16-..."); fallback ids (file stems) may not be
        // upper-case, so accept either form.
        std::string upper = v;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper != v) terms.push_back(prefix + upper);
    }
    if (facet.prefix == schema::kDrug) {
        // Brand names and synonyms are filed under their ingredients, as the indexer does.
        static const std::unordered_map<std::string, std::string> by_name = [] {
            std::unordered_map<std::string, std::string> m;
            for (const DrugEntry& e : DrugVocabulary::builtin().entries())
                m.emplace(e.name, e.drug);
            return m;
        }();
        const auto it = by_name.find(v);
        if (it != by_name.end() && it->second != v) terms.push_back(prefix + it->second);
    }
    return terms;
}

namespace {

// The query parser's stemmer, which also notes the first word longer than the indexer keeps
// (text::kMaxWordBytes): no document holds such a word, so a query for it would silently match
// nothing. The parser hands every free-text word, lower-cased, to its stemmer (STEM_ALL), and
// splits words as the indexer does, so this sees exactly the words the index would skip. Like
// FacetProcessor it never throws through the parser: parse() reports `long_word`.
class WordCheckingStemmer : public Xapian::StemImplementation {
public:
    explicit WordCheckingStemmer(std::string* long_word) : long_word_(long_word) {}

    std::string operator()(const std::string& word) override {
        if (word.size() > text::kMaxWordBytes && long_word_->empty()) *long_word_ = word;
        return stemmer_(word);
    }

    std::string get_description() const override { return stemmer_.get_description(); }

private:
    Xapian::Stem stemmer_{text::kStemLanguage};
    std::string* long_word_;
};

}  // namespace

struct QueryBuilder::Impl {
    Xapian::QueryParser parser;
    std::string field_error;                    // set by a FacetProcessor during parse_query
    std::string long_word;                      // set by WordCheckingStemmer during parse_query
    std::vector<QueryBuilder::Filter> filters;  // noted by the FacetProcessors
};

QueryBuilder::QueryBuilder() : impl_(std::make_shared<Impl>()) {
    Xapian::QueryParser& qp = impl_->parser;
    qp.set_stemmer(Xapian::Stem(new WordCheckingStemmer(&impl_->long_word)));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
    qp.set_default_op(Xapian::Query::OP_AND);
    for (const auto& f : schema::kTextFields) {
        qp.add_prefix("", std::string(f.prefix));
        qp.add_prefix(std::string(f.name), std::string(f.prefix));
    }
    for (const auto& f : schema::kFacets) {
        // Several values of a single-valued field can only mean "any of" (OR); for fields a
        // document holds several of (specialty, state, guidelines), Xapian ANDs them: "both".
        auto* proc = new FacetProcessor(f, &impl_->field_error, &impl_->filters);
        qp.add_boolean_prefix(std::string(f.name), proc->release(), !f.multi_valued);
    }
    // AgeRange is the one number range (number_range_is_age).
    for (const auto& f : schema::kRangeFields) {
        if (f.kind == schema::RangeKind::number)
            qp.add_rangeprocessor((new AgeRange())->release());
        else
            qp.add_rangeprocessor((new DateRange(f.slot, std::string(f.name)))->release());
    }
}

Xapian::Query QueryBuilder::parse(std::string_view text) const {
    std::vector<Filter> filters;
    return parse(text, filters);
}

namespace {

// The word after `field:value` in the checked query text, when the value was unquoted and a
// plain word follows (not an operator, a field or a phrase): `class:muscle relaxant` ->
// "relaxant".
std::string word_after(std::string_view checked, const QueryBuilder::Filter& f) {
    const std::string needle = std::string(f.facet->name) + ":" + f.typed;
    for (std::size_t at = checked.find(needle); at != std::string_view::npos;
         at = checked.find(needle, at + 1)) {
        if (at > 0 && !std::isspace(static_cast<unsigned char>(checked[at - 1])) &&
            checked[at - 1] != '(' && checked[at - 1] != '+' && checked[at - 1] != '-')
            continue;
        std::size_t i = at + needle.size();
        if (i >= checked.size() || !std::isspace(static_cast<unsigned char>(checked[i]))) continue;
        while (i < checked.size() && std::isspace(static_cast<unsigned char>(checked[i]))) ++i;
        std::size_t j = i;
        while (j < checked.size() && !std::isspace(static_cast<unsigned char>(checked[j])) &&
               checked[j] != ')' && checked[j] != '(' && checked[j] != '"')
            ++j;
        std::string word(checked.substr(i, j - i));
        const bool is_operator = word == "AND" || word == "OR" || word == "NOT" || word == "XOR" ||
                                 word.rfind("NEAR", 0) == 0 || word.rfind("ADJ", 0) == 0;
        if (word.empty() || is_operator || word.find(':') != std::string::npos) return {};
        return word;
    }
    return {};
}

}  // namespace

namespace {

// `text` without its standalone `*` words (outside quotes); `found` says whether it had one.
// `*` means every item: alone it is the whole database, beside filters or words it adds nothing.
std::string drop_match_all(const std::string& text, bool& found) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') quoted = !quoted;
        auto space = [&](std::size_t k) {
            return k >= text.size() || std::isspace(static_cast<unsigned char>(text[k])) != 0;
        };
        if (!quoted && c == '*' && (i == 0 || space(i - 1)) && space(i + 1)) {
            found = true;
            out += ' ';
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

Xapian::Query QueryBuilder::parse(std::string_view text, std::vector<Filter>& filters) const {
    filters.clear();
    bool match_all = false;
    std::string checked = drop_match_all(check_fields(text), match_all);
    if (match_all && checked.find_first_not_of(" \t\r\n") == std::string::npos)
        return Xapian::Query::MatchAll;
    if (checked.find_first_not_of(" \t\r\n") == std::string::npos)
        throw QueryError(
            "empty query (use a word, a \"phrase\", a filter such as decision:upheld, or * for "
            "every item)");
    constexpr unsigned kFlags =
        Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
        Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
        Xapian::QueryParser::FLAG_PURE_NOT;
    impl_->field_error.clear();
    impl_->long_word.clear();
    impl_->filters.clear();
    try {
        Xapian::Query q = impl_->parser.parse_query(checked, kFlags);
        filters = std::move(impl_->filters);
        impl_->filters.clear();
        for (Filter& f : filters) f.next_word = word_after(checked, f);
        if (!impl_->field_error.empty()) throw QueryError(impl_->field_error);
        if (!impl_->long_word.empty())
            throw QueryError("word '" + impl_->long_word + "' is longer than " +
                             std::to_string(text::kMaxWordBytes) +
                             " bytes: the index keeps no word that long, so leave it out");
        if (q.empty()) throw QueryError("query '" + std::string(text) + "' has no searchable term");
        return q;
    } catch (const Xapian::QueryParserError& e) {
        throw QueryError("cannot parse query '" + std::string(text) + "': " + e.get_msg());
    } catch (const Xapian::RangeError& e) {
        throw QueryError("bad range in query '" + std::string(text) + "': " + e.get_msg());
    }
}

namespace {

// The exact phrase `q` narrowed by its word pairs, or `q` itself when it is not an exact phrase
// over one free-text field. The QueryParser makes OP_PHRASE for "quotes", hyphenated words and
// ADJ; Query has no accessor for the window, so it is read from the description, where an exact
// phrase of n terms shows as "(a PHRASE n b ...)" (ADJ/3 over two terms shows "PHRASE 4").
Xapian::Query narrow_phrase(const Xapian::Query& q) {
    const std::size_t n = q.get_num_subqueries();
    if (n < 2 ||
        q.get_description().find(" PHRASE " + std::to_string(n) + " ") == std::string::npos)
        return q;
    std::string_view text_prefix;
    std::vector<std::string> stems;
    std::vector<Xapian::Query> words;
    for (std::size_t i = 0; i < n; ++i) {
        Xapian::Query sub = q.get_subquery(i);
        if (sub.get_type() != Xapian::Query::LEAF_TERM) return q;
        const std::string term = *sub.get_terms_begin();
        if (i == 0) {
            for (const auto& f : schema::kTextFields)
                if (term.compare(0, f.prefix.size(), f.prefix) == 0) text_prefix = f.prefix;
            if (text_prefix.empty()) return q;
        } else if (term.compare(0, text_prefix.size(), text_prefix) != 0) {
            return q;
        }
        stems.push_back(term.substr(text_prefix.size()));
        words.push_back(std::move(sub));
    }
    std::vector<Xapian::Query> pairs;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        pairs.emplace_back(std::string(schema::pair_prefix(text_prefix)) + stems[i] + ' ' +
                           stems[i + 1]);
    }
    // Two words are exactly their pair. Longer phrases are weighed by their pairs and checked
    // by the phrase, whose words then only filter (no weights to compute for common words).
    if (n == 2) return pairs.front();
    return Xapian::Query(Xapian::Query::OP_FILTER,
                         Xapian::Query(Xapian::Query::OP_AND, pairs.begin(), pairs.end()), q);
}

}  // namespace

std::optional<Xapian::Query> map_subqueries(
    const Xapian::Query& q, const std::function<Xapian::Query(const Xapian::Query&)>& f,
    std::optional<Xapian::Query::op> as) {
    using Q = Xapian::Query;
    switch (q.get_type()) {
        // Operators whose meaning is their subqueries alone, so rebuilding from mapped
        // subqueries keeps it. Others (NEAR, PHRASE, ELITE_SET, SCALE_WEIGHT, ...) carry a
        // parameter Query cannot give back.
        case Q::OP_AND:
        case Q::OP_OR:
        case Q::OP_AND_NOT:
        case Q::OP_XOR:
        case Q::OP_AND_MAYBE:
        case Q::OP_FILTER:
        case Q::OP_SYNONYM:
        case Q::OP_MAX: {
            std::vector<Q> subs;
            for (std::size_t i = 0; i < q.get_num_subqueries(); ++i)
                subs.push_back(f(q.get_subquery(i)));
            return Q(as.value_or(q.get_type()), subs.begin(), subs.end());
        }
        default:
            return std::nullopt;
    }
}

Xapian::Query narrow_phrases(const Xapian::Query& q) {
    if (q.get_type() == Xapian::Query::OP_PHRASE) return narrow_phrase(q);
    return map_subqueries(q, narrow_phrases).value_or(q);
}

namespace {

// Words laid out in lines of at most `width` characters after `indent`.
std::string wrap(const std::vector<std::string>& words, std::size_t width,
                 std::string_view indent) {
    std::string out;
    std::size_t line = 0;
    for (const std::string& w : words) {
        if (line > 0 && line + 2 + w.size() > width) {
            out += '\n';
            line = 0;
        }
        if (line == 0) {
            out += indent;
        } else {
            out += "  ";
            line += 2;
        }
        out += w;
        line += w.size();
    }
    return out + '\n';
}

std::string make_syntax_help() {
    std::string fields;
    for (const auto& f : schema::kTextFields) fields += std::string(f.name) + ":  ";
    std::vector<std::string> filters;
    std::string both;
    for (const auto& f : schema::kFacets) {
        filters.emplace_back(f.example);
        if (f.multi_valued) both += (both.empty() ? "" : "/") + std::string(f.name);
    }
    return R"(Query syntax (Xapian QueryParser over the IMR index):
  words             all must match, in rationale, request or summary; stemmed
                    (opioid = opioids); AND OR NOT XOR NEAR only in CAPITALS, so
                    "risks and benefits" is ordinary text
  "a phrase"        exact word sequence:  "long-term use"
  +word -word       must / must not contain
  benzodiazepin*    trailing wildcard
  a NEAR b          within 10 words (NEAR/3: within 3)
  *                 every item: alone, or beside filters (* decision:upheld); a
                    query of filters or ranges alone also selects all it matches
Fields:
  )" + fields +
           R"(    e.g.  rationale:"not medically necessary"
Filters (exact, case-insensitive; quote several words):
)" + wrap(filters, 78, "  ") +
           R"(  The same filter twice means either value (decision:upheld decision:overturned),
  except )" +
           both + R"(, where it means both.
  A value no item has is an error (exit 2) that lists the values held
  (--allow-empty: it matches nothing). drug: also takes brand names (drug:Norco).
  Facet counts end with (none): the matching items without a value.
Ranges (inclusive; years, months or days; open ends allowed):
  age:40..60  age:45  injured:2010..2014  injured:..2005  decided:2016-12-01..2017-01-31
  assigned:2016-11  denied:2016..  received:2016-10..2016-12
Examples:
  imr-search --db idx 'rationale:"long-term use" class:benzodiazepine'
  imr-search --db idx --facets decision,specialty 'class:opioid decided:2016'
  imr-search --db idx --count 'request:MRI lumbar guideline:odg'
)";
}

}  // namespace

std::string_view query_syntax_help() {
    static const std::string help = make_syntax_help();
    return help;
}

}  // namespace imrdex
