// Turns one parsed letter into its Xapian item documents, following imrdex/schema.hpp.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "imrdex/core/doc_data.hpp"
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

// Compresses the document data of built documents (encode_document_data) with a dictionary
// trained on the JSON of the first `samples` documents, which are left plain JSON (the decoder
// reads both). One per run, shared by every building thread (thread-safe).
class DocumentDataEncoder {
public:
    // `samples`: 0 never trains (documents stay plain JSON unless `existing` is given);
    // `existing`: the database's dictionary, used from the start.
    explicit DocumentDataEncoder(std::size_t samples,
                                 std::unique_ptr<DocumentDictionary> existing = nullptr);
    ~DocumentDataEncoder();
    DocumentDataEncoder(const DocumentDataEncoder&) = delete;
    DocumentDataEncoder& operator=(const DocumentDataEncoder&) = delete;

    void encode(std::vector<ItemDocument>& docs);
    // The dictionary documents are compressed with from now on; nullptr before it is trained.
    [[nodiscard]] const DocumentDictionary* dictionary() const noexcept {
        return published_.load(std::memory_order_acquire);
    }

private:
    std::mutex mu_;  // guards samples_, owned_, done_
    std::vector<std::string> samples_;
    std::size_t wanted_;
    bool done_ = false;  // trained, or gave up (too little to train on)
    std::unique_ptr<DocumentDictionary> owned_;
    std::atomic<const DocumentDictionary*> published_{nullptr};
};

}  // namespace imrdex
