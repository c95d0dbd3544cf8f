// Significant terms: the rationale words (and word pairs) over-represented in the items a query
// matches, picked by Xapian's expand set and reported with exact counts (imr-search
// --significant).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "imrdex/search/search.hpp"

namespace imrdex {

struct SignificantOptions {
    std::string query;       // the foreground: the items whose rationales are studied
    std::string background;  // what they are compared with; empty: every item of the database
    std::size_t limit = 10;  // terms reported
    // The foreground items given to Xapian as its relevance set (RSet): all of them up to
    // this many, else about this many chosen by a hash of their letter id and item number
    // (see significant.cpp), the same items on every run and every sharding.
    Xapian::doccount sample = 5000;
    bool allow_empty = false;  // as SearchOptions::allow_empty, for both queries
};

struct SignificantTerm {
    std::string stem;  // the indexed term without its prefix: an English stem ("improv"), or
                       // for a word pair two stems ("function improv")
    std::string word;  // its most frequent written form in matching rationales
                       // ("improvement", "functional improvement"); the stem when none is seen
    bool pair = false;
    double weight = 0;              // Xapian's expand-set weight (TradEWeight over the RSet)
    double score = 0;               // JLH: (fg rate - bg rate) * (fg rate / bg rate)
    Xapian::doccount fg_count = 0;  // foreground items whose rationale holds it, exact
    Xapian::doccount bg_count = 0;  // background items whose rationale holds it, exact
};

struct SignificantResult {
    std::string query;
    std::string background;          // empty: the whole database
    Xapian::doccount fg_size = 0;    // items the query matches, exact
    Xapian::doccount bg_size = 0;    // items of the background, exact
    Xapian::doccount rset_size = 0;  // foreground items in the RSet
    bool sampled = false;            // rset_size < fg_size
    bool word_pairs = false;         // the database has word pairs, so pairs were candidates
    bool by_score = false;           // ranked by JLH score (a background), else by eset weight
    std::vector<SignificantTerm> terms;
};

// Whether an indexed rationale term (without prefix) is worth reporting: not a number or
// number-like token ("2016", "3.5", "1,000", "b12" is kept) and at least 3 bytes long. Exposed
// for tests.
[[nodiscard]] bool significant_word(std::string_view stem);

// Text: a header and an aligned table; CSV: one row per term, header
// rank,word,stem,pair,weight,score,fg_count,fg_size,bg_count,bg_size; JSON: {query, background,
// fg_size, bg_size, rset_size, sampled, ranked_by, terms: [...]}.
std::string format_significant(const SignificantResult& result, OutputFormat format);

// What is scored and how, for --help and the text output.
std::string_view significant_help();

}  // namespace imrdex
