// Document data compression: each item document's JSON as one zstd frame, and back.
#include "imrdex/core/doc_data.hpp"

#include <zstd.h>

#include <memory>

#include "imrdex/core/errors.hpp"

namespace imrdex {
namespace {

struct CCtxFree {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

// A context per thread: creating one per document would cost more than compressing the JSON.
ZSTD_CCtx* compressor() {
    thread_local const std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx(ZSTD_createCCtx());
    return ctx.get();
}

ZSTD_DCtx* decompressor() {
    thread_local const std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
    return ctx.get();
}

}  // namespace

bool is_compressed_document_data(std::string_view stored) noexcept {
    // ZSTD_MAGICNUMBER (0xFD2FB528) as a frame stores it, little-endian.
    return stored.size() >= 4 && stored[0] == '\x28' && stored[1] == '\xb5' &&
           stored[2] == '\x2f' && stored[3] == '\xfd';
}

std::string encode_document_data(std::string_view json) {
    std::string out(ZSTD_compressBound(json.size()), '\0');
    const std::size_t n = ZSTD_compressCCtx(compressor(), out.data(), out.size(), json.data(),
                                            json.size(), kDocumentDataLevel);
    if (ZSTD_isError(n) != 0) {
        throw Error(std::string("cannot compress document data: ") + ZSTD_getErrorName(n));
    }
    out.resize(n);
    return out;
}

std::string decode_document_data(std::string stored) {
    if (!is_compressed_document_data(stored)) return stored;
    const unsigned long long size = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
        throw InputError("damaged document data: not a whole zstd frame");
    }
    std::string out(static_cast<std::size_t>(size), '\0');
    const std::size_t n =
        ZSTD_decompressDCtx(decompressor(), out.data(), out.size(), stored.data(), stored.size());
    if (ZSTD_isError(n) != 0 || n != out.size()) {
        throw InputError(std::string("damaged document data: ") +
                         (ZSTD_isError(n) != 0 ? ZSTD_getErrorName(n) : "short frame"));
    }
    return out;
}

}  // namespace imrdex
