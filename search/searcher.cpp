// Searching: ranked hits, collapse per letter, sorting, snippets and exact facet counts.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include <simdjson.h>
#include <tbb/parallel_for.h>

#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/stub.hpp"
#include "imrdex/extract/facet_value.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/search/facet_columns.hpp"
#include "imrdex/search/letter_query.hpp"
#include "imrdex/search/pivot.hpp"
#include "imrdex/search/search.hpp"
#include "snippet.hpp"

namespace imrdex {

namespace {

std::string field(const simdjson::dom::element& doc, const char* key) {
    std::string_view s;
    if (doc[key].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    return {};
}

// The values of one slot over all matches with their counts.
using SlotCounts = std::vector<std::pair<std::string, Xapian::doccount>>;

// Facet counts from a slot's counts; multi-valued combinations ("a|b") are split so each
// document counts once per value.
FacetCount facet_counts(std::string name, const SlotCounts& slot_counts, bool multi_valued) {
    std::map<std::string, Xapian::doccount> counts;
    for (const auto& [v, n] : slot_counts) {
        if (!multi_valued) {
            counts[v] += n;
            continue;
        }
        std::set<std::string> seen;  // a value twice in one combination still counts once
        std::size_t start = 0;
        while (start <= v.size()) {
            std::size_t bar = v.find('|', start);
            if (bar == std::string::npos) bar = v.size();
            std::string part = v.substr(start, bar - start);
            if (!part.empty() && seen.insert(part).second) counts[part] += n;
            start = bar + 1;
        }
    }
    FacetCount out{std::move(name), {counts.begin(), counts.end()}};
    std::stable_sort(out.values.begin(), out.values.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

// The "id" facet: counting letter ids gives --by-letter the items of each letter.
constexpr std::size_t kLetterIdFacet = [] {
    std::size_t i = 0;
    while (schema::kFacets[i].slot != schema::kSlotLetterId) ++i;
    return i;
}();

// Stops a match that runs past its deadline: checks the clock every 256 matches, so the cost
// is nil, and throws TimeoutError through Xapian's matcher, which unwinds cleanly.
class DeadlineSpy : public Xapian::MatchSpy {
public:
    explicit DeadlineSpy(std::chrono::milliseconds bound)
        : bound_(bound), end_(std::chrono::steady_clock::now() + bound) {}
    void operator()(const Xapian::Document& /*doc*/, double /*wt*/) override {
        if ((++seen_ & 0xff) == 0 && std::chrono::steady_clock::now() > end_)
            throw TimeoutError("the search ran longer than its bound of " +
                               std::to_string(bound_.count()) + " ms and was stopped");
    }

private:
    std::chrono::milliseconds bound_;
    std::chrono::steady_clock::time_point end_;
    unsigned seen_ = 0;
};

// Counts the ordinals of some slots of one shard over the matches of an Enquire on that shard
// alone (a MatchSpy sees the shard's own docids): per match and slot, an array increment from
// an in-memory column, or a value read from the slot's stream and a hash lookup.
class OrdinalCountSpy : public Xapian::MatchSpy {
public:
    // `shard`: the shard's in-memory columns, or null to read the slots.
    OrdinalCountSpy(const FacetColumns::Shard* shard, const std::vector<unsigned>& slots) {
        for (unsigned slot : slots)
            ordinals_.emplace_back(shard != nullptr ? shard->column(slot) : nullptr, slot);
        counts_.resize(slots.size());
    }
    void operator()(const Xapian::Document& doc, double /*wt*/) override {
        ++matched_;
        for (std::size_t k = 0; k < ordinals_.size(); ++k) {
            const std::uint32_t o = ordinals_[k].of(doc);
            if (o >= counts_[k].size()) counts_[k].resize(ordinals_[k].size(), 0);
            ++counts_[k][o];
        }
    }
    [[nodiscard]] Xapian::doccount matched() const { return matched_; }
    // Adds the k-th slot's counts by value; no value is left out, as Xapian's spies do.
    void add_to(std::size_t k, std::unordered_map<std::string, Xapian::doccount>& out) const {
        for (std::uint32_t o = 0; o < counts_[k].size(); ++o) {
            const std::string& value = ordinals_[k].value(o);
            if (counts_[k][o] != 0 && !value.empty()) out[value] += counts_[k][o];
        }
    }

private:
    std::vector<SlotOrdinals> ordinals_;
    std::vector<std::vector<Xapian::doccount>> counts_;  // [slot][ordinal]
    Xapian::doccount matched_ = 0;
};

}  // namespace

std::vector<std::string> split_name_list(std::string_view list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string name(list.substr(start, comma - start));
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        start = comma + 1;
        if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end())
            out.push_back(std::move(name));
    }
    return out;
}

std::vector<std::string> parse_facet_list(std::string_view list) {
    std::vector<std::string> out;
    auto add = [&out](std::string_view name) {
        if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
    };
    for (const std::string& name : split_name_list(list)) {
        if (name.find(':') != std::string::npos) {  // a bucket: decided:year, age:5
            (void)parse_dimension(name);
            add(name);
        } else if (name == "all") {
            for (const auto& f : schema::kFacets) add(f.name);
        } else if (schema::find_facet(name) == nullptr) {
            throw QueryError("unknown facet '" + name + "' (known: " + dimension_names() + ",all)");
        } else {
            add(name);
        }
    }
    return out;
}

namespace {

// Opens the database once: through its stub as Xapian would, but with each local shard opened
// on its own and added in the stub's order (the same docids), so that `shards` can tell each
// shard's revision later; a stub with a remote or nested entry is opened whole (`shards` empty).
Xapian::Database open_once(const std::string& path, std::vector<Xapian::Database>& shards) {
    namespace fs = std::filesystem;
    shards.clear();
    const std::vector<StubEntry> entries = read_stub(path);
    if (entries.empty()) {
        Xapian::Database db(path);
        shards.push_back(db);
        return db;
    }
    bool local = true;
    for (const StubEntry& e : entries) {
        const fs::path where = fs::path(path) / e.location;  // an absolute location stays one
        if ((e.backend != "auto" && e.backend != "glass") || !fs::is_directory(where) ||
            fs::exists(where / schema::kStubFile))
            local = false;
    }
    if (!local) return Xapian::Database(path);
    Xapian::Database db;
    for (const StubEntry& e : entries) {
        Xapian::Database shard((fs::path(path) / e.location).string());
        db.add_database(shard);
        shards.push_back(shard);
    }
    return db;
}

// Opens the database afresh. An open that overlaps the indexer's commits (two of them can reuse
// blocks of the revision being read, which Xapian reports as corruption) or the swap of a
// compacted shard fails once; opening again reads the new revision, so retry a few times.
Xapian::Database open_database(const std::string& path, std::vector<Xapian::Database>& shards) {
    for (int attempt = 0;; ++attempt) {
        try {
            return open_once(path, shards);
        } catch (const Xapian::DatabaseError&) {
            if (attempt >= 4) throw;
        }
    }
}

// Whether imr-index built `db`, so that "0 matching items" is an answer and not a wrong
// database: it records the schema version, or (before versions existed) the word-pairs choice;
// older still, its documents carry letter-id terms. An empty database has nothing to misreport.
bool built_by_imrdex(const Xapian::Database& db) {
    if (!db.get_metadata(std::string(schema::kVersionKey)).empty()) return true;
    if (!db.get_metadata(std::string(schema::kWordPairsKey)).empty()) return true;
    if (db.get_doccount() == 0) return true;
    const std::string prefix(schema::kLetterId);
    return db.allterms_begin(prefix) != db.allterms_end(prefix);
}

}  // namespace

Searcher::Searcher(std::string db_path) : path_(std::move(db_path)) {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec))
        throw IoError("no database at '" + path_ + "' (build one with imr-index)");
    try {
        db_ = open_database(path_, shards_);
        uuid_ = db_.get_uuid();
    } catch (const Xapian::Error& e) {
        throw IoError("cannot open database '" + path_ + "': " + e.get_description());
    }
    if (shards_.empty()) schema::load_document_dictionaries(db_);
    for (const Xapian::Database& shard : shards_) schema::load_document_dictionaries(shard);
    if (!built_by_imrdex(db_)) {
        throw IoError("'" + path_ +
                      "' is a Xapian database that imr-index did not build (no imrdex schema "
                      "metadata, no imrdex terms): searching it would find nothing; build one "
                      "with imr-index");
    }
}

Xapian::doccount Searcher::doc_count() const {
    return db_.get_doccount();
}

void Searcher::refresh() {
    db_.reopen();
    // Only local glass shards are checked (a remote database's UUID costs a round trip and the
    // server reopens its own copy).
    if (!remote_ && !shards_.empty() && db_.get_uuid() != uuid_) {
        db_ = open_database(path_, shards_);
        uuid_ = db_.get_uuid();
    }
    // An indexer may have added a document data dictionary since the last open. Each local
    // shard's own: a run killed before its final commit may have written one to some only.
    if (shards_.empty()) schema::load_document_dictionaries(db_);
    for (const Xapian::Database& shard : shards_) schema::load_document_dictionaries(shard);
}

std::unique_ptr<Xapian::MatchSpy> Searcher::add_deadline(Xapian::Enquire& enquire) {
    if (match_time_.count() <= 0 || remote_) return nullptr;
    auto spy = std::make_unique<DeadlineSpy>(match_time_);
    enquire.add_matchspy(spy.get());
    return spy;
}

const FacetColumns* Searcher::current_columns() {
    if (!columns_ || remote_ || shards_.empty() || columns_->shards.size() != shards_.size())
        return nullptr;
    for (std::size_t i = 0; i < shards_.size(); ++i)
        if (columns_->shards[i]->revision != shards_[i].get_revision() ||
            columns_->shards[i]->uuid != shards_[i].get_uuid() ||
            columns_->shards[i]->documents != shards_[i].get_doccount())
            return nullptr;
    return columns_.get();
}

std::shared_ptr<const FacetColumns> Searcher::build_facet_columns(
    const std::shared_ptr<const FacetColumns>& previous) {
    refresh();
    if (shards_.empty()) return nullptr;
    auto out = std::make_shared<FacetColumns>();
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        const Xapian::rev rev = shards_[i].get_revision();
        if (previous && previous->shards.size() == shards_.size() &&
            previous->shards[i]->revision == rev &&
            previous->shards[i]->uuid == shards_[i].get_uuid() &&
            previous->shards[i]->documents == shards_[i].get_doccount()) {
            out->shards.push_back(previous->shards[i]);  // this shard has not changed
            continue;
        }
        out->shards.push_back(FacetColumns::load(shards_[i], rev));
    }
    return out;
}

void Searcher::match_shards(const Xapian::Query& query,
                            const std::function<void(std::size_t, Xapian::Enquire&)>& run) {
    // Xapian objects count references without atomics: each thread rebuilds the query from its
    // serialised form and touches only its own shard (whose state db_ shares, idle meanwhile).
    const std::string serialised = query.serialise();
    const bool word_pairs = db_.get_metadata(std::string(schema::kWordPairsKey)) == "1";
    tbb::parallel_for(std::size_t{0}, shards_.size(), [&](std::size_t i) {
        Xapian::Query q = Xapian::Query::unserialise(serialised);
        if (word_pairs) q = narrow_phrases(q);
        Xapian::Enquire enquire(shards_[i]);
        enquire.set_query(
            lift_letter_conditions(q, shards_[i], LetterLift::items_of_matching_letters));
        enquire.set_weighting_scheme(Xapian::BoolWeight());  // counts only: no ranking
        const auto deadline = add_deadline(enquire);
        run(i, enquire);
    });
}

DatabaseInfo Searcher::info() {
    try {
        refresh();
    } catch (const Xapian::NetworkError&) {
    }
    DatabaseInfo out;
    out.documents = db_.get_doccount();
    const std::string first = std::string(schema::kFirstItem) + "1";
    if (db_.term_exists(first))
        out.letters = db_.get_termfreq(first);
    else if (out.documents == 0)
        out.letters = 0;
    const std::vector<StubEntry> entries = read_stub(path_);
    out.shards = entries.empty() ? 1 : entries.size();
    out.remote = remote_ || std::any_of(entries.begin(), entries.end(),
                                        [](const StubEntry& e) { return e.backend == "remote"; });
    out.schema_version = db_.get_metadata(std::string(schema::kVersionKey));
    try {
        if (shards_.empty()) throw Xapian::InvalidOperationError("remote");
        // The revisions, and the UUIDs: a compacted copy swapped in starts its revisions again.
        for (const auto& shard : shards_)
            out.revision +=
                (out.revision.empty() ? "" : ".") + std::to_string(shard.get_revision());
        out.revision += "-" + std::to_string(std::hash<std::string>{}(db_.get_uuid()) % 1000000007);
    } catch (const Xapian::Error&) {
        // A remote shard tells no revision: count and last docid change with every commit that
        // adds or removes items.
        out.revision =
            "d" + std::to_string(db_.get_doccount()) + "-" + std::to_string(db_.get_lastdocid());
    }
    return out;
}

void Searcher::validate(const std::string& text, bool allow_empty) {
    with_retries(text, allow_empty, [](const Xapian::Query&) {});
}

namespace {

// When a remote shard fails, Xapian's message does not always say which one ("Connection closed
// unexpectedly"): probe each `remote HOST:PORT` line of the stub and name those that do not
// answer. Returns an empty string when the stub lists no unreachable remote.
std::string unreachable_remotes(const std::string& db_path) {
    std::string down;
    for (const StubEntry& e : read_stub(db_path)) {
        const std::string& where = e.location;
        const std::size_t colon = where.rfind(':');
        if (e.backend != "remote" || colon == std::string::npos) continue;
        const std::size_t from = where.front() == ':' ? 1 : 0;  // "remote :HOST:PORT" form
        const std::string host = where.substr(from, colon - from);
        bool answers = false;
        try {
            const auto port = static_cast<unsigned>(std::stoul(where.substr(colon + 1)));
            (void)Xapian::Remote::open(host, port, 2000);
            answers = true;
        } catch (const std::exception&) {
        } catch (const Xapian::Error&) {
        }
        if (!answers) down += (down.empty() ? "" : ", ") + host + ":" + where.substr(colon + 1);
    }
    return down;
}

}  // namespace

SearchResult Searcher::search(const SearchOptions& options) {
    SearchResult result;
    with_retries(options.query, options.allow_empty,
                 [&](const Xapian::Query& query) { result = search_once(options, query); });
    return result;
}

void Searcher::with_retries(const std::string& text, bool allow_empty,
                            const std::function<void(const Xapian::Query&)>& run) {
    std::vector<QueryBuilder::Filter> filters;
    Xapian::Query query = builder_.parse(text, filters);
    try {
        // Each search first reopens (cheap: reads each shard's version file), so a Searcher
        // kept open for many searches follows the indexer's commits.
        for (int attempt = 0;; ++attempt) {
            try {
                try {
                    refresh();
                } catch (const Xapian::NetworkError&) {
                    // A remote shard gone: the search itself reports it, naming the shard.
                }
                if (!allow_empty) check_filters(filters);
                run(query);
                return;
            } catch (const Xapian::UnimplementedError&) {
                // A remote shard, possibly behind nested stubs, cannot run imrdex's own match
                // spies or the PostingSource that lifts summary conditions (its server knows
                // only Xapian's own spies and sources); all are serialised before anything is
                // sent, so simply count with Xapian's spies and lift by letter-id terms from
                // now on.
                if (remote_) throw;
                remote_ = true;
            } catch (const Xapian::DatabaseModifiedError&) {
                // A commit meanwhile invalidated the revision we read: reopen and retry.
                if (attempt >= 4) throw;
            } catch (const Xapian::DatabaseError&) {
                // A shard opened in the instant the indexer swapped in its compacted copy can
                // mix the two copies' files: open the database afresh and retry.
                if (attempt >= 4) throw;
                db_ = open_database(path_, shards_);
                uuid_ = db_.get_uuid();
            }
        }
    } catch (const Xapian::NetworkError& e) {
        const std::string down = unreachable_remotes(path_);
        if (down.empty()) throw;
        throw IoError("shard server(s) " + down + " of '" + path_ +
                      "' unreachable: " + e.get_description());
    }
}

Xapian::Query Searcher::prepared(const Xapian::Query& query) {
    // Databases indexed before word pairs existed lack the key: their phrases run unnarrowed.
    const bool word_pairs = db_.get_metadata(std::string(schema::kWordPairsKey)) == "1";
    // A summary condition holds for every item of its letter (the summary is written on the
    // first item only); remote shards cannot run the PostingSource that does it locally.
    return lift_letter_conditions(
        word_pairs ? narrow_phrases(query) : query, db_,
        remote_ ? LetterLift::letter_id_terms : LetterLift::items_of_matching_letters);
}

bool Searcher::local() const {
    return !remote_ && !shards_.empty();
}

namespace {

// Levenshtein distance in bytes (facet values are lower-case ASCII in practice).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

bool holds_any(const Xapian::Database& db, const std::vector<std::string>& terms) {
    return std::any_of(terms.begin(), terms.end(),
                       [&](const std::string& t) { return db.term_exists(t); });
}

// A set of values this small is listed whole ("one of: ...") rather than by nearness.
constexpr std::size_t kListWhole = 12;
constexpr std::size_t kSuggestions = 5;

}  // namespace

void Searcher::check_filters(const std::vector<QueryBuilder::Filter>& filters) const {
    for (const QueryBuilder::Filter& f : filters) {
        if (holds_any(db_, f.terms)) continue;
        const std::string name(f.facet->name);
        std::string message = name + ": no item has the value '" + f.typed + "'";
        // `class:muscle relaxant`: the parser took only "muscle" as the value.
        if (!f.next_word.empty()) {
            const std::string joined = f.typed + " " + f.next_word;
            if (holds_any(db_, filter_terms(*f.facet, joined)))
                throw QueryError(message + "; did you mean " + name + ":\"" + joined +
                                 "\"? quote a value of several words: " + name + ":\"" + joined +
                                 "\"");
        }
        // The values the database holds: (distance, value), nearest first.
        const std::string prefix(f.facet->prefix);
        const std::string wanted = schema::normalise(f.facet->norm, f.typed);
        std::vector<std::pair<std::size_t, std::string>> held;
        for (auto t = db_.allterms_begin(prefix); t != db_.allterms_end(prefix); ++t) {
            std::string value = (*t).substr(prefix.size());
            held.emplace_back(edit_distance(wanted, value), std::move(value));
        }
        std::string list;
        auto add = [&](const std::string& v) { list += (list.empty() ? "" : ", ") + v; };
        if (held.empty()) {
            message += "; the database holds no " + name + ": values at all";
        } else if (held.size() <= kListWhole) {
            for (const auto& h : held) add(h.second);  // allterms come sorted
            message += "; did you mean one of: " + list + "?";
        } else {
            std::sort(held.begin(), held.end());
            for (std::size_t i = 0; i < std::min(kSuggestions, held.size()); ++i)
                add(held[i].second);
            message += "; did you mean: " + list + "? (" + std::to_string(held.size()) +
                       " values held; --facets " + name + " lists them)";
        }
        throw QueryError(message + " (--allow-empty: let it match nothing instead)");
    }
}

void Searcher::warn_old_schema() {
    const std::string found = db_.get_metadata(std::string(schema::kVersionKey));
    if (found == schema::version_text() || schema_warned_) return;
    schema_warned_ = true;
    std::cerr << "imrdex: database '" << path_ << "' "
              << (found.empty() ? "records no schema version (indexed by an older imr-index)"
                                : "has schema version " + found)
              << ", this program writes version " << schema::version_text()
              << ": it is searched as it is, with any field added since counted as no value; "
                 "re-index it with imr-index for this version's fields and layout\n";
}

SearchResult Searcher::search_once(const SearchOptions& options, const Xapian::Query& query) {
    SearchResult result;
    result.query = options.query;
    result.parsed = query.get_description();
    result.by_letter = options.by_letter;

    Xapian::Enquire enquire(db_);
    enquire.set_query(prepared(query));
    if (options.by_letter) enquire.set_collapse_key(schema::kSlotLetterId);
    if (options.sort == SortOrder::decided)
        enquire.set_sort_by_value_then_relevance(schema::kSlotDecisionDate, true);
    else if (options.sort == SortOrder::injured)
        enquire.set_sort_by_value_then_relevance(schema::kSlotInjuryDate, true);

    std::vector<std::size_t> wanted;  // indexes into schema::kFacets
    // Buckets are counted by their range slot's values, as facets are (one value per item; the
    // buckets are made from the distinct values afterwards).
    std::vector<Dimension> bucketed;
    if (!options.count_only) {
        for (const auto& name : options.facets) {
            Dimension d = parse_dimension(name);
            if (d.bucket()) {
                bucketed.push_back(std::move(d));
                continue;
            }
            wanted.push_back(static_cast<std::size_t>(d.facet - schema::kFacets.data()));
        }
    }
    const std::size_t nfacets = wanted.size();
    // Xapian's remote backend does not carry per-hit collapse counts (they arrive as 0), so the
    // other items of each letter come from counting the letter ids: exact on every backend. The
    // letters matched are those ids too: with a collapse key Xapian's match count is an estimate
    // even when every document is checked (30 letters for 27 items, seen on 1,500 letters).
    const bool per_letter = options.by_letter;
    if (per_letter) wanted.push_back(kLetterIdFacet);
    const Xapian::doccount limit = options.count_only ? 0 : options.limit;
    std::vector<SlotCounts> facet_raw(wanted.size()), bucket_raw(bucketed.size());
    Xapian::MSet mset;
    const bool counting = !wanted.empty() || !bucketed.empty();
    const FacetColumns* columns = counting ? current_columns() : nullptr;
    used_columns_ = columns != nullptr;
    warn_old_schema();
    if (counting && local()) {
        // Local shards: counted in parallel, each by its own match (counts add up), from the
        // in-memory columns or the slots; the hits ranked by one match over all shards, which
        // keeps the global statistics (scores equal a single search's) and may stop early: the
        // total is known.
        std::vector<unsigned> slots;
        for (std::size_t i : wanted) slots.push_back(schema::kFacets[i].slot);
        for (const Dimension& d : bucketed) slots.push_back(d.slot());
        std::vector<std::unordered_map<std::string, Xapian::doccount>> merged(slots.size());
        Xapian::doccount matched = 0;
        std::mutex merging;
        match_shards(query, [&](std::size_t shard, Xapian::Enquire& e) {
            OrdinalCountSpy spy(columns != nullptr ? columns->shards[shard].get() : nullptr, slots);
            e.add_matchspy(&spy);
            // check_at_least = every document: the match runs to the end, so counts are exact.
            (void)e.get_mset(0, 0, std::max<Xapian::doccount>(shards_[shard].get_doccount(), 1));
            const std::lock_guard<std::mutex> lock(merging);
            matched += spy.matched();
            for (std::size_t k = 0; k < slots.size(); ++k) spy.add_to(k, merged[k]);
        });
        result.total = matched;
        for (std::size_t k = 0; k < wanted.size(); ++k)
            facet_raw[k].assign(merged[k].begin(), merged[k].end());
        for (std::size_t k = 0; k < bucketed.size(); ++k)
            bucket_raw[k].assign(merged[wanted.size() + k].begin(),
                                 merged[wanted.size() + k].end());
        if (limit > 0) {
            const auto deadline = add_deadline(enquire);
            mset = enquire.get_mset(options.offset, limit);
        }
    } else {
        // Remote shards (their servers run only Xapian's own spies), or nothing to count: one
        // match, with a ValueCountMatchSpy per slot counted.
        std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
        for (std::size_t i : wanted)
            spies.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(schema::kFacets[i].slot));
        for (const Dimension& d : bucketed)
            spies.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(d.slot()));
        for (const auto& spy : spies) enquire.add_matchspy(spy.get());
        const auto deadline = add_deadline(enquire);
        // check_at_least = every document: the match runs to the end, so the total and every
        // match spy count are exact, not estimates (and on remote shards too).
        const Xapian::doccount all = std::max<Xapian::doccount>(db_.get_doccount(), 1);
        mset = enquire.get_mset(options.offset, limit, all);
        result.total = mset.get_matches_estimated();
        for (std::size_t k = 0; k < spies.size(); ++k) {
            SlotCounts& raw = k < wanted.size() ? facet_raw[k] : bucket_raw[k - wanted.size()];
            for (auto it = spies[k]->values_begin(); it != spies[k]->values_end(); ++it)
                raw.emplace_back(*it, it.get_termfreq());
        }
    }

    // The items matched: the total, or with --by-letter the items of the letters counted (every
    // item has its letter id), as the spies see every matching item, collapsed or not.
    Xapian::doccount items = result.total;
    if (per_letter) {
        const SlotCounts& ids = facet_raw[nfacets];
        items = 0;
        for (const auto& [id, n] : ids) items += n;
        result.total = static_cast<Xapian::doccount>(ids.size());
    }
    std::size_t next_facet = 0, next_bucket = 0;
    for (const auto& name : options.count_only ? std::vector<std::string>{} : options.facets) {
        Xapian::doccount valued = 0;
        if (schema::find_facet(name) != nullptr) {
            const schema::Facet& f = schema::kFacets[wanted[next_facet]];
            const SlotCounts& counts = facet_raw[next_facet++];
            result.facets.push_back(facet_counts(std::string(f.name), counts, f.multi_valued));
            // Items without any value, so that rates are not silently taken over a subset: each
            // item with a value has exactly one slot value (a multi-valued one's combination).
            for (const auto& [v, n] : counts) valued += n;
        } else {
            const Dimension& d = bucketed[next_bucket];
            std::map<std::string, Xapian::doccount> counts;
            for (const auto& [value, n] : bucket_raw[next_bucket++]) {
                counts[bucket_label(d, value)] += n;
                valued += n;
            }
            // Natural order (years ascending), not by count: buckets are a scale.
            FacetCount fc{d.name, {counts.begin(), counts.end()}};
            std::sort(fc.values.begin(), fc.values.end(), [&](const auto& a, const auto& b) {
                return natural_less(d, a.first, b.first);
            });
            result.facets.push_back(std::move(fc));
        }
        if (items > valued) result.facets.back().values.emplace_back(kNoValue, items - valued);
    }
    if (options.count_only) return result;

    std::unordered_map<std::string, Xapian::doccount> letter_items;
    if (per_letter) {
        for (const auto& [id, n] : facet_raw[nfacets]) letter_items.emplace(id, n);
    }
    HitSnippets snippets(db_, query, options.snippet_chars);
    simdjson::dom::parser json;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        Hit hit;
        Xapian::Document doc = it.get_document();
        hit.rank = it.get_rank() + 1;
        hit.docid = *it;
        hit.score = it.get_weight();
        hit.id = doc.get_value(schema::kSlotLetterId);
        if (per_letter) {
            const auto n = letter_items.find(hit.id);
            hit.collapsed = n != letter_items.end() && n->second > 0 ? n->second - 1 : 0;
        }
        hit.decision = doc.get_value(schema::kSlotDecision);
        std::string item = doc.get_value(schema::kSlotItemNumber);
        if (!item.empty()) hit.item = static_cast<int>(Xapian::sortable_unserialise(item));
        hit.data = decode_document_data(doc.get_data());
        simdjson::dom::element data;
        if (json.parse(hit.data).get(data) == simdjson::SUCCESS && data.is_object()) {
            hit.request = field(data, "request");
            hit.decision_date = field(data, "decision_date");
            hit.injury_date = field(data, "injury_date");
            if (options.snippet_chars > 0) snippets.fill(hit, data);
        }
        result.hits.push_back(std::move(hit));
    }
    return result;
}

}  // namespace imrdex
