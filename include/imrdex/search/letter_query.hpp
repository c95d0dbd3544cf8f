// Letter-level conditions: query parts over a field written once per letter (the case summary,
// on each letter's first item document) made to hold for every item of that letter.
#pragma once

#include <string_view>

#include <xapian.h>

namespace imrdex {

// How a letter condition reaches the letter's other items.
enum class LetterLift {
    // A PostingSource per shard: the condition is matched on the shard's first-item documents,
    // and each matching letter's items are the run of documents after its first item that carry
    // the same letter id (a letter's items are added one after another by one writer, so their
    // docids are consecutive in the shard; compaction and merging keep that order). Local
    // shards only: xapian-tcpsrv runs no custom code.
    items_of_matching_letters,
    // Exact on any backend, remote shards included: the condition is matched on the first-item
    // documents of the whole database, the matching letters' ids are counted by Xapian's own
    // ValueCountMatchSpy, and the condition becomes an OR of their letter-id terms. Its cost
    // grows with the letters matched.
    letter_id_terms,
};

// Whether `term` (or a wildcard pattern) belongs to a text field written on first items only
// (schema::TextField::first_item_only, and its word pairs).
[[nodiscard]] bool is_letter_term(std::string_view term);

// `q` with each largest part that holds only letter-level terms (alone or with term-less parts
// such as ranges, all of whose fields are the letter's, and <alldocuments>) replaced by the same
// condition over every item of each letter it matches; parts mixing letter and item terms are
// rebuilt from their lifted parts. AND, OR, NOT, AND_MAYBE, XOR, FILTER, phrases and NEAR within
// the summary and wildcards are covered; a NEAR or phrase spanning the summary and an item field
// (which Xapian matches by positions within one document) is left as it is. A lifted condition
// selects without weight either way, so hits rank alike on local and remote shards, by the
// item's own text. Returns `q` itself
// when it has no letter condition. Throws QueryError when it has one and `db` has documents but
// no first-item marks (indexed before they existed): such a database must be re-indexed.
[[nodiscard]] Xapian::Query lift_letter_conditions(const Xapian::Query& q,
                                                   const Xapian::Database& db, LetterLift how);

}  // namespace imrdex
