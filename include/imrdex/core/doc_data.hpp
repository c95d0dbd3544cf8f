// Document data: the JSON a hit shows, as stored in the index (one zstd frame per item document)
// and read back; the one encoder and the one decoder every reader goes through.
#pragma once

#include <string>
#include <string_view>

namespace imrdex {

// The stored form of a document's JSON: one zstd frame (level kDocumentDataLevel, content size
// recorded), about a third of the JSON's size. Thread-safe (one compression context per thread).
[[nodiscard]] std::string encode_document_data(std::string_view json);

// The JSON of stored document data: a zstd frame (recognised by zstd's magic number, which JSON
// cannot start with) is decompressed; anything else is returned as it is, which is how the
// databases indexed before compression (plain JSON, schema version 2 and earlier) still read,
// document by document, also in a shard that holds both. Throws InputError on a damaged frame.
// Thread-safe.
[[nodiscard]] std::string decode_document_data(std::string stored);

// Whether `stored` is compressed (starts with a zstd frame).
[[nodiscard]] bool is_compressed_document_data(std::string_view stored) noexcept;

// zstd level of the stored frames: 3 (zstd's default) compresses the JSON about as well as 9
// here, at a fraction of the CPU.
inline constexpr int kDocumentDataLevel = 3;

}  // namespace imrdex
