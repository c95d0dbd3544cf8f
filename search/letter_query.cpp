// Letter-level conditions (the case summary, written on each letter's first item) lifted to
// every item of the letters they match: by a PostingSource per local shard, or by letter-id terms.
#include "imrdex/search/letter_query.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/search/search.hpp"

namespace imrdex {

namespace {

namespace s = schema;
using Q = Xapian::Query;

// The term prefix: Xapian convention, the leading capitals ("XS" of "XSladder", "XWS" of a pair).
std::string_view prefix_of(std::string_view term) {
    std::size_t n = 0;
    while (n < term.size() && std::isupper(static_cast<unsigned char>(term[n]))) ++n;
    return term.substr(0, n);
}

// The pattern of a wildcard leaf: Query has no accessor for it, its description shows it as
// "WILDCARD SYNONYM XSladd" (possibly inside "Query(...)").
std::string wildcard_pattern(const Q& q) {
    const std::string d = q.get_description();
    std::size_t at = d.find("WILDCARD ");
    if (at == std::string::npos) return {};
    at = d.find(' ', at + 9);  // past the expansion operator's name
    if (at == std::string::npos) return {};
    const std::size_t end = d.find_first_of(" )", at + 1);
    return d.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
}

// What a query part holds: letter-level terms, item-level terms, both, or neither (ranges,
// <alldocuments>, <nothing>: the same on every item of a letter).
struct Scope {
    bool letter = false;
    bool item = false;
};

Scope scope_of(const Q& q) {
    Scope sc;
    if (q.get_type() == Q::OP_WILDCARD) {
        (is_letter_term(wildcard_pattern(q)) ? sc.letter : sc.item) = true;
        return sc;
    }
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) {
        if ((*t).empty()) continue;  // <alldocuments>
        (is_letter_term(*t) ? sc.letter : sc.item) = true;
    }
    // get_unique_terms does not see inside wildcards: look at the subqueries for them.
    if (q.get_type() != Q::LEAF_TERM) {
        for (std::size_t i = 0; i < q.get_num_subqueries(); ++i) {
            const Scope sub = scope_of(q.get_subquery(i));
            sc.letter = sc.letter || sub.letter;
            sc.item = sc.item || sub.item;
        }
    }
    return sc;
}

// Every item of the letters whose first item matches `condition` in one shard (see
// LetterLift::items_of_matching_letters); a boolean source, its weight is 0.
class ItemsOfLetters : public Xapian::PostingSource {
public:
    explicit ItemsOfLetters(Q condition) : condition_(std::move(condition)) {}

    Xapian::PostingSource* clone() const override { return new ItemsOfLetters(condition_); }
    std::string name() const override { return "imrdex::ItemsOfLetters"; }
    // serialise() stays Xapian's default, which throws UnimplementedError: a remote shard is
    // found out before anything is sent, and the searcher lifts by letter-id terms instead.

    void init(const Xapian::Database& db) override {
        items_.clear();
        pos_ = 0;
        started_ = false;
        // The first items matching the condition, in docid order. A match spy sees every match
        // without an MSet being kept and sorted; no weights are computed (see lift_whole).
        struct Collect : Xapian::MatchSpy {
            std::vector<Xapian::docid>* out;
            explicit Collect(std::vector<Xapian::docid>* o) : out(o) {}
            void operator()(const Xapian::Document& doc, double /*wt*/) override {
                out->push_back(doc.get_docid());
            }
        };
        std::vector<Xapian::docid> firsts;
        Collect collect(&firsts);
        Xapian::Enquire enquire(db);
        enquire.set_query(Q(Q::OP_FILTER, condition_, Q(std::string(s::kFirstItem) + "1")));
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        enquire.add_matchspy(&collect);
        (void)enquire.get_mset(0, 0, std::max<Xapian::doccount>(db.get_doccount(), 1));
        std::sort(firsts.begin(), firsts.end());

        // Each letter's items: its first item and the documents right after it that carry the
        // same letter id, read from the id slot's value stream in one forward pass.
        Xapian::ValueIterator v = db.valuestream_begin(s::kSlotLetterId);
        const Xapian::ValueIterator end = db.valuestream_end(s::kSlotLetterId);
        for (const Xapian::docid first : firsts) {
            if (v != end && v.get_docid() < first) v.skip_to(first);
            if (v == end || v.get_docid() != first) {
                items_.push_back(first);  // no id value: the letter is this item alone
                continue;
            }
            const std::string id = *v;
            Xapian::docid next = first;
            while (v != end && v.get_docid() == next && *v == id) {
                items_.push_back(next++);
                ++v;
            }
        }
    }

    Xapian::doccount get_termfreq_min() const override { return count(); }
    Xapian::doccount get_termfreq_est() const override { return count(); }
    Xapian::doccount get_termfreq_max() const override { return count(); }

    void next(double /*min_wt*/) override {
        if (started_)
            ++pos_;
        else
            started_ = true;
    }

    void skip_to(Xapian::docid did, double /*min_wt*/) override {
        started_ = true;
        pos_ = static_cast<std::size_t>(
            std::lower_bound(items_.begin() + static_cast<std::ptrdiff_t>(pos_), items_.end(),
                             did) -
            items_.begin());
    }

    bool at_end() const override { return started_ && pos_ >= items_.size(); }
    Xapian::docid get_docid() const override { return items_[pos_]; }

    std::string get_description() const override {
        return "imrdex::ItemsOfLetters(" + condition_.get_description() + ")";
    }

private:
    Xapian::doccount count() const { return static_cast<Xapian::doccount>(items_.size()); }

    Q condition_;
    std::vector<Xapian::docid> items_;  // docid order
    std::size_t pos_ = 0;
    bool started_ = false;
};

// The condition as an OR of the letter-id terms of the letters matching it (see
// LetterLift::letter_id_terms).
Q letter_id_terms(const Q& condition, const Xapian::Database& db) {
    Xapian::Enquire enquire(db);
    enquire.set_query(Q(Q::OP_FILTER, condition, Q(std::string(s::kFirstItem) + "1")));
    Xapian::ValueCountMatchSpy ids(s::kSlotLetterId);
    enquire.add_matchspy(&ids);
    (void)enquire.get_mset(0, 0, std::max<Xapian::doccount>(db.get_doccount(), 1));
    std::vector<std::string> terms;
    for (auto v = ids.values_begin(); v != ids.values_end(); ++v)
        terms.push_back(std::string(s::kLetterId) + *v);
    if (terms.empty()) return Q::MatchNothing;
    return Q(Q::OP_SCALE_WEIGHT, Q(Q::OP_OR, terms.begin(), terms.end()), 0.0);
}

class Lifter {
public:
    Lifter(const Xapian::Database& db, LetterLift how) : db_(db), how_(how) {}

    Q lift(const Q& q) {
        const Scope sc = scope_of(q);
        if (!sc.letter) return q;
        if (!sc.item) return lift_whole(q);
        // A synonym over a lifted part becomes an OR: the part is no longer a term whose
        // frequencies a synonym could add up (wildcards over every field: `ladd*`); the
        // matches are the same. Parts map_subqueries cannot rebuild (a NEAR or phrase across
        // fields, SCALE_WEIGHT) stay as the parser made them.
        std::optional<Q::op> as;
        if (q.get_type() == Q::OP_SYNONYM) as = Q::OP_OR;
        return map_subqueries(
                   q, [this](const Q& sub) { return lift(sub); }, as)
            .value_or(q);
    }

private:
    // A lifted condition selects items but adds no weight, whichever way it is lifted: the
    // remote way (letter-id terms) cannot carry the summary's BM25 weight to the items, and a
    // hit must rank the same on a local and a remote shard. Items rank by their own text.
    Q lift_whole(const Q& condition) {
        check_first_items();
        if (how_ == LetterLift::letter_id_terms) return letter_id_terms(condition, db_);
        return Q((new ItemsOfLetters(condition))->release());
    }

    void check_first_items() {
        if (checked_) return;
        checked_ = true;
        if (db_.get_doccount() == 0 || db_.term_exists(std::string(s::kFirstItem) + "1")) return;
        throw QueryError(
            "this database marks no letter's first item (indexed by an older imr-index), so a "
            "summary condition cannot be applied to each item of its letter: re-index it");
    }

    const Xapian::Database& db_;
    LetterLift how_;
    bool checked_ = false;
};

}  // namespace

bool is_letter_term(std::string_view term) {
    const std::string_view p = prefix_of(term);
    if (p.empty()) return false;
    return std::any_of(s::kTextFields.begin(), s::kTextFields.end(), [&](const s::TextField& f) {
        return f.first_item_only && (p == f.prefix || p == f.pair_prefix);
    });
}

Xapian::Query lift_letter_conditions(const Xapian::Query& q, const Xapian::Database& db,
                                     LetterLift how) {
    Lifter lifter(db, how);
    return lifter.lift(q);
}

}  // namespace imrdex
