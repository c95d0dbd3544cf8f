// The search library: query parsing, searching with exact facet counts, and result output.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xapian.h>

#include "imrdex/core/schema.hpp"

namespace imrdex {

// ---- Queries ---------------------------------------------------------------------------------

// Turns the user's query text into a Xapian::Query following imrdex/schema.hpp:
//  * unprefixed words and "phrases" search rationale, request and summary (XR, XQ, XS);
//    `rationale:`, `request:`, `summary:` restrict to one field;
//  * AND, OR, NOT, XOR, NEAR, ADJ only in upper case: "and"/"or" are ordinary words of
//    rationales ("risks and benefits"), so FLAG_BOOLEAN_ANY_CASE is deliberately off;
//  * +word / -word, trailing wildcards (`benzodiazepin*`);
//  * facet filters `decision:`, `drug:`, ... (schema::kFacets names), values normalised to the
//    index form (lower-case, whitespace collapsed; `state:California` = `state:CA`; `id:` as
//    typed or upper-cased), quoted for several words: `specialty:"internal medicine"`;
//  * ranges `age:40..60`, `injured:2010..2014`, `decided:2016-12-01..2017-01-31`,
//    `assigned:2016-11..`, `denied:`, `received:`; years, months or days; open ends; a single
//    value (`age:45`, `decided:2016-12`) means that whole year, month or day.
//  * `*` alone matches every item (Query::MatchAll); beside other parts it adds nothing.
// Throws QueryError with a message naming the offending part.
class QueryBuilder {
public:
    // One facet filter of a parsed query: the field, the value as typed, the terms it looks for
    // (any of them), and the query's next word when the value was followed by one unquoted
    // (`class:muscle relaxant`), for a hint when the value alone is unknown.
    struct Filter {
        const schema::Facet* facet = nullptr;
        std::string typed;
        std::vector<std::string> terms;
        std::string next_word;
    };

    QueryBuilder();
    [[nodiscard]] Xapian::Query parse(std::string_view text) const;
    // As parse(), also giving the query's facet filters (for checking them against a database).
    [[nodiscard]] Xapian::Query parse(std::string_view text, std::vector<Filter>& filters) const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// The terms a filter value looks for, any of which matches: prefix + the value in index form
// (schema::normalise); for `id:` also upper-cased; for `drug:` also the ingredients the drug
// vocabulary gives a name (DrugVocabulary::builtin(), as the indexer: `norco` ->
// `acetaminophen/hydrocodone`). Empty when the value normalises to nothing.
[[nodiscard]] std::vector<std::string> filter_terms(const schema::Facet& facet,
                                                    std::string_view value);

// `q` with each exact phrase over one free-text field narrowed by the phrase's word pairs
// (schema::kRationalePair, ...): the same matches and weights, but Xapian reads positions only
// for documents holding every pair, and a two-word phrase needs no positions at all. Only for
// databases whose metadata has schema::kWordPairsKey = "1".
[[nodiscard]] Xapian::Query narrow_phrases(const Xapian::Query& q);

// `q` rebuilt with `f` applied to each subquery (and `as` for its operator, if given), when its
// operator means its subqueries alone (AND, OR, AND_NOT, XOR, AND_MAYBE, FILTER, SYNONYM, MAX);
// nullopt for leaves and for operators with a parameter Query cannot give back (NEAR, PHRASE,
// ELITE_SET, SCALE_WEIGHT, ...). The one way the search side rewrites parsed queries.
[[nodiscard]] std::optional<Xapian::Query> map_subqueries(
    const Xapian::Query& q, const std::function<Xapian::Query(const Xapian::Query&)>& f,
    std::optional<Xapian::Query::op> as = std::nullopt);

// Query help shown by `imr-search --help`.
std::string_view query_syntax_help();

// ---- Searching -------------------------------------------------------------------------------

enum class SortOrder { relevance, decided, injured };

struct SearchOptions {
    std::string query;
    Xapian::doccount offset = 0;
    Xapian::doccount limit = 10;
    bool by_letter = false;  // one hit per letter (collapse on the letter id slot)
    SortOrder sort = SortOrder::relevance;
    std::vector<std::string> facets;  // facet names of schema::kFacets; "all" expands
    bool count_only = false;          // only `total`; no hits, no facets
    std::size_t snippet_chars = 300;  // 0: no snippets
    // A filter value the database holds no item with (`class:opiod`) is a QueryError naming the
    // field and the nearest values it holds, unless this is set: then it matches nothing.
    bool allow_empty = false;
};

// A snippet as alternating plain/highlighted pieces so each output format marks them its own way.
struct SnippetPart {
    std::string text;
    bool match = false;
};

struct Hit {
    Xapian::doccount rank = 0;  // 1-based, counting from the first result (offset included)
    Xapian::docid docid = 0;
    double score = 0;  // BM25 weight
    std::string id;    // letter id
    int item = 0;      // 1-based item number
    std::string decision;
    std::string request;
    std::string decision_date;  // ISO, from document data
    std::string injury_date;
    Xapian::doccount collapsed = 0;  // --by-letter: further matching items of this letter
    std::vector<SnippetPart> snippet;
    // The document-data key the snippet comes from: "rationale", "request", "original_request"
    // or "summary" (the letter's, also for a hit on another item); empty without a snippet.
    std::string snippet_field;
    std::string data;  // the document data (a JSON object), for the letter's fields
};

// The facet bucket of the matching items that have no value for the facet (no drug, no
// category); last in FacetCount::values, and only when there are such items. Facet values are
// lower-case text in index form, so no value is spelt like this.
inline constexpr std::string_view kNoValue = "(none)";

struct FacetCount {
    std::string name;  // facet name
    // Top first, ties by name; then kNoValue with the items that have no value, if any: the
    // counts of a single-valued facet add up to the items matched.
    std::vector<std::pair<std::string, Xapian::doccount>> values;
};

struct SearchResult {
    std::string query;           // as typed
    std::string parsed;          // Xapian's description of the parsed query
    Xapian::doccount total = 0;  // exact: items, or letters with --by-letter
    bool by_letter = false;
    std::vector<Hit> hits;
    std::vector<FacetCount> facets;  // item counts, exact over all matches
};

struct PivotOptions;  // imrdex/search/pivot.hpp
struct PivotResult;
struct SignificantOptions;  // imrdex/search/significant.hpp
struct SignificantResult;

// The names of a comma-separated list (--facets, --fields), trimmed of spaces, empty ones and
// repeats dropped, in order.
std::vector<std::string> split_name_list(std::string_view list);

// Expands and checks facet names ("all", "decision,class") and buckets of range fields
// ("decided:year", "age:5", see imrdex/search/pivot.hpp); throws QueryError for unknown ones.
std::vector<std::string> parse_facet_list(std::string_view list);

struct ExportOptions;  // imrdex/search/export.hpp
using ExportSink = std::function<void(std::string_view)>;

class FacetColumns;  // imrdex/search/facet_columns.hpp

// What a database holds, for a service's health report.
struct DatabaseInfo {
    Xapian::doccount documents = 0;           // items
    std::optional<Xapian::doccount> letters;  // letters (first-item marks); none if unmarked
    std::size_t shards = 1;                   // stub lines, or 1 for a lone database
    bool remote = false;                      // a shard is served by xapian-tcpsrv
    std::string schema_version;               // metadata schema::kVersionKey ("" if none)
    // Changes whenever a commit changes the database: each local shard's revision, or (where a
    // shard is remote) the document count and last document id.
    std::string revision;
};

// Searches one database: a Xapian database directory, or a directory whose XAPIANDB stub file
// lists local and remote shards (`auto /path/shard`, `remote host:port`), searched as one.
class Searcher {
public:
    // Throws IoError naming the path when it does not exist or cannot be opened.
    explicit Searcher(std::string db_path);
    [[nodiscard]] SearchResult search(const SearchOptions& options);
    // Cross-tabulates the matching items (imrdex/search/pivot.hpp); throws QueryError for an
    // unknown dimension.
    [[nodiscard]] PivotResult pivot(const PivotOptions& options);
    // The rationale terms over-represented in the matching items against the background
    // (imrdex/search/significant.hpp); throws QueryError for a bad query, UnsupportedError for a
    // database without termlists.
    [[nodiscard]] SignificantResult significant(const SignificantOptions& options);
    [[nodiscard]] Xapian::doccount doc_count() const;
    // Writes every matching item to `sink` (search/export.cpp), in index order, holding one
    // row at a time: constant memory however many match. Returns the rows written. Throws
    // QueryError as search() does.
    Xapian::doccount export_items(const ExportOptions& options, const ExportSink& sink);
    // The letter `id` (as typed, or upper-cased) as the index holds it: its fields, every item
    // in item order, and the summary from its first item; no warnings. Throws QueryError,
    // with the nearest ids held, when no item has that id.
    [[nodiscard]] Letter letter(std::string_view id);
    // Reads the database's latest commit, then what it holds.
    [[nodiscard]] DatabaseInfo info();
    // Throws QueryError as search() would for `text` (parse errors, unknown filter values unless
    // `allow_empty`), without matching: for checks before a streamed answer starts.
    void validate(const std::string& text, bool allow_empty);
    // Stops any later match that runs longer than `bound` with TimeoutError (zero: no bound).
    // Local shards only: xapian-tcpsrv runs no custom spy, so remote matches are not bounded.
    void set_match_time(std::chrono::milliseconds bound) { match_time_ = bound; }
    // Counts facets, buckets and pivots from these in-memory columns whenever they were built
    // at the revision each shard is at (else as without them); null: never.
    void set_facet_columns(std::shared_ptr<const FacetColumns> columns) {
        columns_ = std::move(columns);
    }
    // Whether the last search() or pivot() counted from the columns (else Xapian's spies).
    [[nodiscard]] bool used_columns() const { return used_columns_; }
    // Columns of every local shard at its current revision, reusing those of `previous` whose
    // shard has not changed; null when a shard is remote (Xapian's spies count there).
    [[nodiscard]] std::shared_ptr<const FacetColumns> build_facet_columns(
        const std::shared_ptr<const FacetColumns>& previous);

private:
    // Parses `text`, then runs `run` with the parsed query, reopening and retrying as the
    // database's state requires (see searcher.cpp); names unreachable shard servers.
    void with_retries(const std::string& text, bool allow_empty,
                      const std::function<void(const Xapian::Query&)>& run);
    SearchResult search_once(const SearchOptions& options, const Xapian::Query& query);
    PivotResult pivot_once(const PivotOptions& options, const Xapian::Query& query);
    // `background`: nullptr for the whole database.
    SignificantResult significant_once(const SignificantOptions& options,
                                       const Xapian::Query& query, const Xapian::Query* background);
    // The query as an Enquire runs it: phrases narrowed where the database has word pairs,
    // summary conditions lifted to every item of their letters.
    Xapian::Query prepared(const Xapian::Query& query);
    // Whether every shard is local, so that counts can run per shard with imrdex's own match
    // spies (a remote server runs only Xapian's).
    [[nodiscard]] bool local() const;
    // Throws QueryError for the first filter none of whose terms the database holds.
    void check_filters(const std::vector<QueryBuilder::Filter>& filters) const;
    // Says once on stderr when the database's schema version (schema::kVersionKey) is not this
    // build's: a field added since is missing there (counted as no value). Called where each
    // search and pivot starts.
    void warn_old_schema();
    // Adds a spy to `enquire` that stops the match past match_time_ (none when remote or
    // unbounded); keep the returned object alive for the match.
    std::unique_ptr<Xapian::MatchSpy> add_deadline(Xapian::Enquire& enquire);
    // Runs `run` on each local shard in parallel (oneTBB), with an Enquire over that shard alone
    // set to `query` as prepared() would: for counts, which add up over shards.
    void match_shards(const Xapian::Query& query,
                      const std::function<void(std::size_t, Xapian::Enquire&)>& run);
    // Moves to the database's latest commit: Database::reopen(), or a fresh open when a shard
    // was replaced whole (imr-index swaps in a compacted copy, whose revisions start again, so
    // reopen() alone would keep the old tables under the new version file): its UUID changed.
    void refresh();
    // The columns when they match every shard's current revision, else null.
    const FacetColumns* current_columns();
    std::string path_;
    Xapian::Database db_;
    std::string uuid_;  // db_'s at its last full open: every shard's UUID
    // The local shards db_ is made of, opened one by one (they share db_'s state: a reopen of
    // db_ moves them too), for their revisions; empty when a shard is remote.
    std::vector<Xapian::Database> shards_;
    std::chrono::milliseconds match_time_{0};
    std::shared_ptr<const FacetColumns> columns_;
    bool used_columns_ = false;
    bool remote_ = false;  // a shard is remote: facets counted by Xapian's own spies
    bool schema_warned_ = false;
    QueryBuilder builder_;
};

// ---- Snippets --------------------------------------------------------------------------------

// What a query looks for in one free-text field, for highlighting: single words, word
// beginnings, and exact phrases, each as the index matched them (stems).
struct SnippetTerms {
    std::vector<std::string> stems;                 // single words, sorted, unique
    std::vector<std::string> wildcards;             // `benzo` of `benzo*`
    std::vector<std::vector<std::string>> phrases;  // stems of consecutive words, 2 or more
    [[nodiscard]] bool empty() const noexcept {
        return stems.empty() && wildcards.empty() && phrases.empty();
    }
};

// SnippetTerms of each free-text field, in the order of schema::kTextFields.
using FieldSnippetTerms = std::array<SnippetTerms, schema::kTextFields.size()>;

// What `q` looks for in each free-text field, by term prefix: exact phrases (OP_PHRASE whose
// window is its length, as the query parser makes for "quotes" and hyphenated words, and the
// word-pair terms of narrow_phrases) as phrases; other words (NEAR, ADJ included) singly.
// Words under the NOT side of AND_NOT are left out: they are not what a hit matched.
[[nodiscard]] FieldSnippetTerms snippet_terms(const Xapian::Query& q);

// Splits `text` into the words the indexer made of it (text::Tokenizer) and highlights each
// whole occurrence of a phrase of `terms` (consecutive words, by stem) and each word whose stem
// is one of its stems or starts with one of its wildcards; returns a window of about `chars`
// bytes around the densest run of these occurrences ("..." where text is cut off).
std::vector<SnippetPart> make_snippet(std::string_view text, const SnippetTerms& terms,
                                      std::size_t chars);
// As above for single words only: `stems` sorted.
std::vector<SnippetPart> make_snippet(std::string_view text, const std::vector<std::string>& stems,
                                      const std::vector<std::string>& wildcard_stems,
                                      std::size_t chars);

// ---- Output ----------------------------------------------------------------------------------

enum class OutputFormat { text, json, csv };

// Text: highlights in bold escape codes when `ansi` (a terminal), else marked «like this».
// JSON: each hit's snippet is {"field", "text", "highlights": [[start, length], ...]}, plain
// text with byte offsets into it (null without a snippet); CSV: snippet_field and a plain
// snippet. `marks`: CSV's snippet keeps «» and JSON's snippet adds "marked", the text with «».
// `full_text`: hits carry the whole rationale and summary too. `count_only`: the total alone
// (a bare number; JSON {"query","total"}).
std::string format_result(const SearchResult& result, OutputFormat format, bool ansi,
                          bool full_text = false, bool count_only = false, bool marks = false);

// RFC 4180 field quoting, exposed for tests.
std::string csv_field(std::string_view s);

}  // namespace imrdex
