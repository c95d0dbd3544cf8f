// The index schema: every field of an imrdex Xapian database declared once (term prefix, value
// slot, normalisation, where its value comes from). The indexer, the query parser, facet
// counting, the help texts and README "Index schema" all follow from these tables.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/letter.hpp"

namespace imrdex::schema {

// One Xapian document per disputed item. The letter's own fields are copied onto each of its
// item documents so that filters and facet counts are exact at the item level.

// ---- Version ---------------------------------------------------------------------------------
// Bump on any change to what the indexer writes (a field added, a slot retired, a value form
// changed). Each shard records the version it was created with under kVersionKey; the search
// tool reads a database of any version (a field added since counts as no value there) and says
// once that it wants re-indexing. Version 3 stopped writing kSlotRetiredFacets.
inline constexpr unsigned kVersion = 3;
inline constexpr std::string_view kVersionKey = "imrdex.schema_version";
std::string version_text();  // kVersion as the metadata stores it, in decimal

// ---- Term prefixes --------------------------------------------------------------------------
// Free-text fields: stemmed (English, STEM_ALL: every term stemmed, no Z prefix) and positional.
inline constexpr std::string_view kRationale = "XR";
inline constexpr std::string_view kRequest = "XQ";
inline constexpr std::string_view kSummary = "XS";
// Word pairs (only in databases built with `imr-index --word-pairs`): prefix + stem + ' ' + stem
// for each two consecutive words of one field (never across the request/original request gap),
// not positional, wdf = occurrences. A phrase query is weighed by its pairs and ANDs them before
// Xapian checks positions, so positions are read only for documents holding every pair, and a
// two-word phrase is its pair alone (imrdex::narrow_phrases). Pairs about double each
// document's length, evenly, so BM25's length normalisation (by the average) barely moves.
inline constexpr std::string_view kRationalePair = "XWR";
inline constexpr std::string_view kRequestPair = "XWQ";
inline constexpr std::string_view kSummaryPair = "XWS";
// Metadata key set to "1" on every shard whose documents all carry word pairs. The search tool
// narrows phrases only when the database says so (from its first shard).
inline constexpr std::string_view kWordPairsKey = "imrdex.word_pairs";
// Metadata key set to "1" on every shard of an archive database (`imr-index --archive`): built
// without termlists (Xapian's DB_NO_TERMLIST), about a sixth smaller. Such a database takes new
// letters but cannot delete or replace a document, nor compute an expand set (what significant
// terms need); schema::is_archive reads it.
inline constexpr std::string_view kArchiveKey = "imrdex.archive";
// Document data is zstd frames with a dictionary (imrdex/core/doc_data.hpp): every dictionary a
// shard's documents use is in its metadata under kDataDictionaryPrefix + its id (decimal), so
// merged shards keep each one; kDataDictionaryKey holds the id new documents are written with.
// Documents written before the dictionary was trained (a database's first ones) are plain JSON.
inline constexpr std::string_view kDataDictionaryPrefix = "imrdex.data_dictionary.";
inline constexpr std::string_view kDataDictionaryKey = "imrdex.data_dictionary";

// Boolean filter terms: prefix + value, in the form schema::normalise gives (see kFacets).
inline constexpr std::string_view kUnique = "Q";  // "Q" + case id + "/" + item number (1-based)
inline constexpr std::string_view kLetterId = "XL";
inline constexpr std::string_view kDecision = "XD";
inline constexpr std::string_view kDrug = "XG";
inline constexpr std::string_view kDrugClass = "XC";
inline constexpr std::string_view kCategory = "XK";
inline constexpr std::string_view kSpecialty = "XP";
inline constexpr std::string_view kState = "XT";
inline constexpr std::string_view kSex = "XX";
inline constexpr std::string_view kGuideline = "XM";
inline constexpr std::string_view kCaGuideline = "XN";
inline constexpr std::string_view kPriority = "XY";
inline constexpr std::string_view kYear = "XA";
inline constexpr std::string_view kFirstItem = "XF";  // "XF1" on each letter's first item document

// ---- Value slots -----------------------------------------------------------------------------
// String slots hold the facet value as in the boolean term. Multi-valued fields hold their
// values sorted and joined with '|', so a built-in ValueCountMatchSpy counts combinations and the
// search tool splits them back into exact per-value counts (works on remote shards too, which
// only run built-in match spies). Dates are sortable_serialise(yyyymmdd) as a double; reduced
// precision uses 00 for unknown month/day ("2001-12" -> 20011200), so ranges over years, months
// or days are one comparison. Slot numbers are Xapian::valueno (unsigned); this header includes
// no Xapian so the extraction library builds without it.
enum Slot : unsigned {
    kSlotLetterId = 0,
    kSlotDecision = 1,
    kSlotCategory = 2,
    kSlotDrug = 3,
    kSlotDrugClass = 4,
    kSlotSpecialties = 5,
    kSlotStates = 6,
    kSlotSex = 7,
    kSlotGuideline = 8,
    kSlotAge = 9,
    kSlotDateAssigned = 10,
    kSlotDecisionDate = 11,
    kSlotInjuryDate = 12,
    kSlotUrDenialDate = 13,
    kSlotReceivedDate = 14,
    kSlotItemNumber = 15,  // sortable_serialise(n), 1-based
    kSlotPriority = 16,
    kSlotCaGuideline = 17,
    // Every facet joined, for a count that read one value per match: written by versions 1 and 2
    // (and by some builds before versions were recorded). Version 3 counts each shard in parallel
    // from the facets' own slots instead (at 100,000 letters: the archive 3.3% smaller, the
    // researcher's query faster at p50 and p99) and neither writes nor reads it. Not to be
    // reused: older databases still hold it.
    kSlotRetiredFacets = 18,
    kSlotYear = 19,
};

// ---- Free-text fields ------------------------------------------------------------------------
// Each field has its own prefix and so its own position space. A field's text is one or two
// parts; the second (the original request of a partial authorization) starts kPartGap positions
// after the first, so no phrase or word pair spans the two.
struct TextParts {
    std::string_view first;
    std::string_view second;
};

struct TextField {
    std::string_view name;         // query field: `rationale:"..."`
    std::string_view prefix;       // term prefix of its stems
    std::string_view pair_prefix;  // term prefix of its word pairs
    bool first_item_only;          // written on each letter's first item document only
    TextParts (*text)(const Letter&, const Item&);
    std::string_view about;  // README
};

inline constexpr unsigned kPartGap = 100;

inline constexpr auto kTextFields = std::to_array<TextField>({
    {.name = "rationale",
     .prefix = kRationale,
     .pair_prefix = kRationalePair,
     .first_item_only = false,
     .text =
         [](const Letter&, const Item& i) {
             return TextParts{i.rationale, {}};
         },
     .about = "item rationale"},
    {.name = "request",
     .prefix = kRequest,
     .pair_prefix = kRequestPair,
     .first_item_only = false,
     .text =
         [](const Letter&, const Item& i) {
             return TextParts{i.request, i.original_request};
         },
     .about = "item request, and the original request of a partial authorization"},
    {.name = "summary",
     .prefix = kSummary,
     .pair_prefix = kSummaryPair,
     .first_item_only = true,
     .text =
         [](const Letter& l, const Item&) {
             return TextParts{l.summary, {}};
         },
     .about = "case summary, written on each letter's first item only; a query applies it to "
              "every item of the letter"},
});

// The pair prefix of a free-text prefix, or empty for any other prefix.
constexpr std::string_view pair_prefix(std::string_view text_prefix) {
    for (const TextField& f : kTextFields)
        if (f.prefix == text_prefix) return f.pair_prefix;
    return {};
}

// ---- Facets: boolean filters and counted values ----------------------------------------------
// How a facet's values are brought to the one form the index stores and the query parser looks
// up. The function doing it, schema::normalise, is in the extraction library (it needs the state
// names): imrdex/extract/facet_value.hpp.
enum class Norm : unsigned char {
    exact,  // as written (case ids "CM16-..."); a query also tries the value upper-cased
    text,   // ASCII lower-case, whitespace runs collapsed to one space, trimmed
    state,  // as text, and a state's name or code becomes its USPS code ("California" -> "ca")
};

// The letter's year: of its decision date, else the one in its case number ("CM13-..." -> "2013":
// older letters have no cover block, so no decision date); empty when neither has one.
std::string letter_year(const Letter& letter);

// Each facet: the `--facets` name and query filter field, the boolean term prefix, the value slot
// counted, whether a document holds several values (the slot then holds them sorted and
// '|'-joined, and a filter given twice means both values rather than either), and where its raw
// values come from: `one` for a single value (empty: none), `many` for a list. Exactly one of
// `one` and `many` is set, following `multi_valued`.
struct Facet {
    std::string_view name;
    std::string_view prefix;
    unsigned slot;
    bool multi_valued;
    Norm norm;
    std::string (*one)(const Letter&, const Item&) = nullptr;
    const std::vector<std::string>& (*many)(const Letter&, const Item&) = nullptr;
    std::string_view none = {};     // multi-valued: the value of a document that has none
    char parts = 0;                 // also a term for each part between these ('/': ingredients)
    std::string_view about = {};    // README: the values
    std::string_view example = {};  // query help: the filter as a user types it
};

using RawValues = const std::vector<std::string>&;  // lambdas below return a reference

inline constexpr auto kFacets = std::to_array<Facet>({
    {.name = "decision",
     .prefix = kDecision,
     .slot = kSlotDecision,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter&, const Item& i) { return std::string(to_string(i.decision)); },
     .about = "item decision: `upheld`, `overturned`, `unknown`",
     .example = "decision:upheld|overturned"},
    {.name = "category",
     .prefix = kCategory,
     .slot = kSlotCategory,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter&, const Item& i) { return std::string(to_string(i.category)); },
     .about = "item category: `pharmaceutical`, `imaging`, ...",
     .example = "category:imaging"},
    {.name = "drug",
     .prefix = kDrug,
     .slot = kSlotDrug,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter&, const Item& i) { return i.drug; },
     .parts = '/',
     .about = "combined drug (`acetaminophen/hydrocodone`); a term for each ingredient too",
     .example = "drug:hydrocodone"},
    {.name = "class",
     .prefix = kDrugClass,
     .slot = kSlotDrugClass,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter&, const Item& i) { return i.drug_class; },
     .about = "drug class: `opioid`, `benzodiazepine`, ...",
     .example = "class:opioid"},
    {.name = "specialty",
     .prefix = kSpecialty,
     .slot = kSlotSpecialties,
     .multi_valued = true,
     .norm = Norm::text,
     .many = [](const Letter& l, const Item&) -> RawValues { return l.specialties; },
     .about = "reviewer specialties",
     .example = "specialty:\"internal medicine\""},
    {.name = "state",
     .prefix = kState,
     .slot = kSlotStates,
     .multi_valued = true,
     .norm = Norm::state,
     .many = [](const Letter& l, const Item&) -> RawValues { return l.states; },
     .about = "reviewer licensure states, USPS codes: `ca`",
     .example = "state:CA (or state:California)"},
    {.name = "sex",
     .prefix = kSex,
     .slot = kSlotSex,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter& l, const Item&) { return l.sex; },
     .about = "worker's sex: `female`, `male`",
     .example = "sex:female"},
    {.name = "guideline",
     .prefix = kGuideline,
     .slot = kSlotGuideline,
     .multi_valued = true,
     .norm = Norm::text,
     .many = [](const Letter&, const Item& i) -> RawValues { return i.maximus_guideline.sources; },
     .none = "none",
     .about = "MAXIMUS citation sources: `mtus`, `acoem`, `odg`, `other`",
     .example = "guideline:odg|mtus|acoem|other|none (MAXIMUS)"},
    {.name = "caguideline",
     .prefix = kCaGuideline,
     .slot = kSlotCaGuideline,
     .multi_valued = true,
     .norm = Norm::text,
     .many = [](const Letter&, const Item& i) -> RawValues { return i.ca_guideline.sources; },
     .none = "none",
     .about = "claims administrator citation sources, as `guideline:`",
     .example = "caguideline:... (claims administrator)"},
    {.name = "priority",
     .prefix = kPriority,
     .slot = kSlotPriority,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter& l, const Item&) { return l.priority; },
     .about = "review priority: `standard`, `expedited`",
     .example = "priority:expedited"},
    {.name = "id",
     .prefix = kLetterId,
     .slot = kSlotLetterId,
     .multi_valued = false,
     .norm = Norm::exact,
     .one = [](const Letter& l, const Item&) { return l.id; },
     .about = "case id as written (`CM16-0123456`)",
     .example = "id:CM16-0123456"},
    {.name = "year",
     .prefix = kYear,
     .slot = kSlotYear,
     .multi_valued = false,
     .norm = Norm::text,
     .one = [](const Letter& l, const Item&) { return letter_year(l); },
     .about = "year of the decision date, else of the case number (`CM13-...`: `2013`)",
     .example = "year:2016"},
});

constexpr bool facets_well_formed() {
    for (const Facet& f : kFacets)
        if (f.multi_valued != (f.many != nullptr) || (f.one == nullptr) == (f.many == nullptr))
            return false;
    return true;
}
// Checked by test_schema, not static_assert: GCC 12 cannot compare a lambda's function pointer
// with null in a constant expression once sanitizers instrument it (the ASan+UBSan build).

// The facet named `name`, or nullptr.
constexpr const Facet* find_facet(std::string_view name) {
    for (const Facet& f : kFacets)
        if (f.name == name) return &f;
    return nullptr;
}

// The facet names joined by `sep` ("decision,category,...").
std::string facet_names(std::string_view sep = ",");

// ---- Range fields ----------------------------------------------------------------------------
enum class RangeKind : unsigned char {
    number,  // sortable_serialise(n); the query gives whole numbers
    date,    // sortable_serialise(yyyymmdd) of an ISO date at year, month or day precision
};

// How a range field's values are counted in buckets (`--facets decided:year`, `--pivot age:5`):
// `FIELD:UNIT` with a unit the field's kind allows.
enum class BucketKind : unsigned char {
    none,      // not bucketed
    calendar,  // dates: `year` (2016), `quarter` (2016-Q3), `month` (2016-07)
    bands,     // whole numbers: `N` for bands of N (`age:5`: 40-44), N one of bands
};

// Each range field: the query field (`age:40..60`, `decided:2016-12`), its slot, and the letter's
// value: `number` (negative: unknown) or `date` (ISO text, empty: unknown), following `kind`;
// how it is bucketed, and for `bands` the band widths offered.
struct RangeField {
    std::string_view name;
    unsigned slot;
    RangeKind kind;
    int (*number)(const Letter&) = nullptr;
    const std::string& (*date)(const Letter&) = nullptr;
    std::string_view about = {};
    BucketKind buckets = BucketKind::none;
    std::array<unsigned, 2> bands = {};
};

using DateText = const std::string&;

inline constexpr auto kRangeFields = std::to_array<RangeField>({
    {.name = "age",
     .slot = kSlotAge,
     .kind = RangeKind::number,
     .number = [](const Letter& l) { return l.age; },
     .about = "worker's age in years",
     .buckets = BucketKind::bands,
     .bands = {5, 10}},
    {.name = "decided",
     .slot = kSlotDecisionDate,
     .kind = RangeKind::date,
     .date = [](const Letter& l) -> DateText { return l.decision_date; },
     .about = "decision date",
     .buckets = BucketKind::calendar},
    {.name = "injured",
     .slot = kSlotInjuryDate,
     .kind = RangeKind::date,
     .date = [](const Letter& l) -> DateText { return l.injury_date; },
     .about = "date of injury",
     .buckets = BucketKind::calendar},
    {.name = "assigned",
     .slot = kSlotDateAssigned,
     .kind = RangeKind::date,
     .date = [](const Letter& l) -> DateText { return l.date_assigned; },
     .about = "date assigned to the reviewer",
     .buckets = BucketKind::calendar},
    {.name = "denied",
     .slot = kSlotUrDenialDate,
     .kind = RangeKind::date,
     .date = [](const Letter& l) -> DateText { return l.ur_denial_date; },
     .about = "utilization review denial date",
     .buckets = BucketKind::calendar},
    {.name = "received",
     .slot = kSlotReceivedDate,
     .kind = RangeKind::date,
     .date = [](const Letter& l) -> DateText { return l.received_date; },
     .about = "date the application was received",
     .buckets = BucketKind::calendar},
});

constexpr bool ranges_well_formed() {
    for (const RangeField& f : kRangeFields)
        if ((f.kind == RangeKind::number) != (f.number != nullptr) ||
            (f.kind == RangeKind::date) != (f.date != nullptr) ||
            (f.buckets == BucketKind::calendar && f.kind != RangeKind::date) ||
            (f.buckets == BucketKind::bands && (f.kind != RangeKind::number || f.bands[0] == 0)))
            return false;
    return true;
}
// Checked by test_schema, as facets_well_formed().

// The range field named `name`, or nullptr.
constexpr const RangeField* find_range(std::string_view name) {
    for (const RangeField& f : kRangeFields)
        if (f.name == name) return &f;
    return nullptr;
}

// ---- Document data -------------------------------------------------------------------------
// A JSON object with what a hit shows without touching the letter again, and the rest of the
// extraction record for exports and `imr-search --show`: "id", "item", "request",
// "original_request", "decision", "category", "drug", "drug_class", "strength", "quantity",
// "ca_guideline" and "maximus_guideline" ({"text", "sources"}), "date_assigned",
// "decision_date", "injury_date", "ur_denial_date", "received_date", "priority", "age", "sex",
// "states", "specialties", "source", "rationale" (for snippets) and, on first items, "summary".
// "original_request", "strength", "quantity", the guidelines, "ur_denial_date",
// "received_date" and "priority" are left out when empty (readers take them as empty).

// README "Index schema": the table of every field above, in Markdown (a test keeps the README's
// copy equal to it).
std::string markdown_table();

// Name of the stub file that makes a directory of shards one database (Xapian reads a
// directory containing XAPIANDB as a stub database file listing its shards).
inline constexpr std::string_view kStubFile = "XAPIANDB";

}  // namespace imrdex::schema
