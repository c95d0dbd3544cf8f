// Which text a search hit shows as its snippet, fetching a letter's summary when it must.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include <simdjson.h>
#include <xapian.h>

#include "imrdex/search/search.hpp"

namespace imrdex {

// Picks the snippet of each hit of one search from the field that matched: the rationale when
// the query's rationale phrases or words occur in it (it is what researchers read), else the
// request or original request likewise, else the letter's case summary; when none matches
// (a query of filters alone), the start of the first text the item has.
class HitSnippets {
public:
    // `chars`: about how long a snippet is.
    HitSnippets(const Xapian::Database& db, const Xapian::Query& query, std::size_t chars);

    // Sets hit.snippet and hit.snippet_field from the item's document data (an object).
    void fill(Hit& hit, const simdjson::dom::element& data);

private:
    // The case summary of letter `id`, from its first item's document data.
    const std::string& letter_summary(const std::string& id);

    const Xapian::Database& db_;
    FieldSnippetTerms terms_;
    std::size_t chars_;
    simdjson::dom::parser parser_;  // not the caller's: its `data` must stay valid
    std::unordered_map<std::string, std::string> summaries_;  // by letter id
};

}  // namespace imrdex
