// The index schema: every term prefix and value slot of an imrdex Xapian database, with its
// encoding. The indexer writes exactly this and the search tool reads exactly this; README
// "Index schema" is generated from the same table by hand, so change both together.
#pragma once

#include <array>
#include <string_view>

namespace imrdex::schema {

// One Xapian document per disputed item. The letter's own fields are copied onto each of its
// item documents so that filters and facet counts are exact at the item level.

// ---- Term prefixes --------------------------------------------------------------------------
// Free-text fields: stemmed (English, STEM_ALL: every term stemmed, no Z prefix) and positional.
inline constexpr std::string_view kRationale = "XR";  // item rationale
inline constexpr std::string_view kRequest = "XQ";    // item request (and original request)
inline constexpr std::string_view kSummary = "XS";    // case summary: on the letter's FIRST item
                                                      // document only, so it is written once
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

// The pair prefix of a free-text prefix, or empty for any other prefix.
constexpr std::string_view pair_prefix(std::string_view text_prefix) {
    if (text_prefix == kRationale) return kRationalePair;
    if (text_prefix == kRequest) return kRequestPair;
    if (text_prefix == kSummary) return kSummaryPair;
    return {};
}

// Boolean filter terms: prefix + value, value lower-case unless stated.
inline constexpr std::string_view kUnique = "Q";       // "Q" + case id + "/" + item number (1-based)
inline constexpr std::string_view kLetterId = "XL";    // case id as written (upper-case "CM16-...")
inline constexpr std::string_view kDecision = "XD";    // "upheld" | "overturned" | "unknown"
inline constexpr std::string_view kDrug = "XG";        // combined drug ("acetaminophen/hydrocodone")
                                                       // AND each ingredient ("hydrocodone")
inline constexpr std::string_view kDrugClass = "XC";   // "opioid", "benzodiazepine", ...
inline constexpr std::string_view kCategory = "XK";    // "pharmaceutical", "imaging", ...
inline constexpr std::string_view kSpecialty = "XP";   // one term per reviewer specialty
inline constexpr std::string_view kState = "XT";       // one term per licensure state, "ca"
inline constexpr std::string_view kSex = "XX";         // "female" | "male"
inline constexpr std::string_view kGuideline = "XM";   // MAXIMUS citation sources: "mtus",
                                                       // "acoem", "odg", "other", "none"
inline constexpr std::string_view kCaGuideline = "XN"; // claims administrator citation sources
inline constexpr std::string_view kPriority = "XY";    // "standard" | "expedited"
inline constexpr std::string_view kFirstItem = "XF";   // "XF1" on each letter's first item document

// ---- Value slots -----------------------------------------------------------------------------
// String slots hold the facet value as in the boolean term (lower-case). Multi-valued fields
// (specialties, states, guideline sources) hold their values sorted and joined with '|', so a
// built-in ValueCountMatchSpy counts combinations and the search tool splits them back into
// exact per-value counts (works on remote shards too, which only run built-in match spies).
// Dates are sortable_serialise(yyyymmdd) as a double; reduced precision uses 00 for unknown
// month/day ("2001-12" -> 20011200), so ranges over years, months or days are one comparison.
// Slot numbers are Xapian::valueno (unsigned); this header includes no Xapian so the extraction
// library, which reads the stub file name from here, builds without it.
enum Slot : unsigned {
    kSlotLetterId = 0,       // string: case id as written
    kSlotDecision = 1,       // string
    kSlotCategory = 2,       // string
    kSlotDrug = 3,           // string: combined drug
    kSlotDrugClass = 4,      // string
    kSlotSpecialties = 5,    // string: sorted, '|'-joined
    kSlotStates = 6,         // string: sorted, '|'-joined USPS codes, lower-case
    kSlotSex = 7,            // string
    kSlotGuideline = 8,      // string: sorted, '|'-joined MAXIMUS sources ("none" when empty)
    kSlotAge = 9,            // sortable_serialise(age)
    kSlotDateAssigned = 10,  // sortable_serialise(yyyymmdd)
    kSlotDecisionDate = 11,  // sortable_serialise(yyyymmdd)
    kSlotInjuryDate = 12,    // sortable_serialise(yyyymmdd)
    kSlotUrDenialDate = 13,  // sortable_serialise(yyyymmdd)
    kSlotReceivedDate = 14,  // sortable_serialise(yyyymmdd)
    kSlotItemNumber = 15,    // sortable_serialise(n), 1-based
    kSlotPriority = 16,      // string
    kSlotCaGuideline = 17,   // string: sorted, '|'-joined claims administrator sources
    kSlotFacets = 18,        // string: the values of every kFacets slot, in kFacets order,
                             // each followed by kFacetEnd (empty when the slot is)
};

// ---- Document data -------------------------------------------------------------------------
// A JSON object with what a hit shows without touching the letter again: "id", "item",
// "request", "original_request", "decision", "category", "drug", "drug_class",
// "date_assigned", "decision_date", "injury_date", "age", "sex", "states", "specialties",
// "source", "rationale" (for snippets) and, on first items, "summary".

// Facets the search tool knows, by user-facing name: the name used in `--facets`, the boolean
// filter field in queries, the value slot counted, and the term prefix filtered.
struct Facet {
    std::string_view name;
    unsigned slot;
    std::string_view prefix;
    bool multi_valued;
};

inline constexpr std::array<Facet, 11> kFacets{{
    {"decision", kSlotDecision, kDecision, false},
    {"category", kSlotCategory, kCategory, false},
    {"drug", kSlotDrug, kDrug, false},
    {"class", kSlotDrugClass, kDrugClass, false},
    {"specialty", kSlotSpecialties, kSpecialty, true},
    {"state", kSlotStates, kState, true},
    {"sex", kSlotSex, kSex, false},
    {"guideline", kSlotGuideline, kGuideline, true},
    {"caguideline", kSlotCaGuideline, kCaGuideline, true},
    {"priority", kSlotPriority, kPriority, false},
    {"id", kSlotLetterId, kLetterId, false},
}};

// Ends each value in kSlotFacets. Facet values are lower-case text and never contain it.
// Local searches count facets from that one slot: glass reads a document's slots through one
// shared cursor, so reading five facet slots per match re-reads a B-tree block per slot, and
// facet counting cost as much as the match itself. Remote shards (whose server runs only
// Xapian's own match spies) and databases indexed before the slot existed use the per-facet
// slots.
inline constexpr char kFacetEnd = '\x1f';

// Name of the stub file that makes a directory of shards one database (Xapian reads a
// directory containing XAPIANDB as a stub database file listing its shards).
inline constexpr std::string_view kStubFile = "XAPIANDB";

}  // namespace imrdex::schema
