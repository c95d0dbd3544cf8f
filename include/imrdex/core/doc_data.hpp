// Document data: the JSON a hit shows, as stored in the index (one zstd frame per item document,
// with a dictionary trained on the database's first letters) and read back; the one encoder and
// the one decoder every reader goes through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace imrdex {

// A zstd dictionary for document data: trained once per database on its first documents' JSON
// and kept in every shard's metadata (schema::kDataDictionaryPrefix + its id). Each document is
// compressed alone, so it can be read alone; the dictionary gives the small frames what they
// share with each other (the keys, the boilerplate of rationales), about 4x smaller than each
// JSON compressed alone, which is no better than glass's own zlib of the stored data.
// Constructing one also registers it for decode_document_data.
class DocumentDictionary {
public:
    explicit DocumentDictionary(std::string bytes);
    ~DocumentDictionary();
    DocumentDictionary(const DocumentDictionary&) = delete;
    DocumentDictionary& operator=(const DocumentDictionary&) = delete;

    [[nodiscard]] std::uint32_t id() const noexcept { return id_; }
    [[nodiscard]] const std::string& bytes() const noexcept { return bytes_; }

    // Trains a dictionary on `samples` (the JSON of documents); an empty string when zstd finds
    // too little in them to train on.
    [[nodiscard]] static std::string train(const std::vector<std::string>& samples);

    struct Impl;

private:
    std::string bytes_;
    std::uint32_t id_ = 0;
    std::unique_ptr<Impl> impl_;

    friend std::string encode_document_data(std::string_view, const DocumentDictionary*);
};

// Makes a dictionary read from a database's metadata known to decode_document_data (idempotent;
// thread-safe). Returns its id; throws InputError when the bytes are not a zstd dictionary.
std::uint32_t register_document_dictionary(std::string_view bytes);

// The stored form of a document's JSON: one zstd frame (level kDocumentDataLevel, content size
// recorded), with `dictionary` when given. Thread-safe (one compression context per thread).
[[nodiscard]] std::string encode_document_data(std::string_view json,
                                               const DocumentDictionary* dictionary = nullptr);

// The JSON of stored document data: a zstd frame (recognised by zstd's magic number, which JSON
// cannot start with) is decompressed, with the registered dictionary its frame names; anything
// else is returned as it is, which is how databases indexed before compression (plain JSON) still
// read, document by document, also in a shard that holds both. Throws InputError on a damaged
// frame or a dictionary not registered (schema::load_document_dictionaries registers a
// database's). Thread-safe.
[[nodiscard]] std::string decode_document_data(std::string stored);

// Whether `stored` is compressed (starts with a zstd frame).
[[nodiscard]] bool is_compressed_document_data(std::string_view stored) noexcept;

// zstd level of the stored frames. Measured with a dictionary on 20,000 generated letters
// (`imr-index --archive --threads 2`, 2026-12-06): level 3 (zstd's default) 16.2 MB of
// docdata.glass, 9 12.8 MB for 1% more indexing CPU, 12 12.5 MB for 7% more, 19 12.1 MB for
// three times the CPU. Reading is no slower at 9 (a full CSV export of those letters: 0.61 s at
// level 3, 0.42 to 0.59 s at 9).
inline constexpr int kDocumentDataLevel = 9;

}  // namespace imrdex
