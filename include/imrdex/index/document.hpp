// Turns one parsed letter into its Xapian item documents, following imrdex/schema.hpp.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "imrdex/core/letter.hpp"

namespace imrdex {

struct ItemDocument {
    std::string unique_term;  // schema::kUnique term: replace_document() key
    Xapian::Document document;
};

// Builds ready documents in the parallel stage so the writer only calls replace_document().
// Not thread-safe; make one per thread (it keeps a stemmer and scratch buffers).
class DocumentBuilder {
public:
    // `word_pairs`: also index each two consecutive words of a field as one term (the schema's
    // word pairs), which makes phrase queries several times faster and indexing slower.
    explicit DocumentBuilder(bool word_pairs = false);
    // One document per item, in item order. Letters with no items give none.
    [[nodiscard]] std::vector<ItemDocument> build(const Letter& letter);

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace imrdex
