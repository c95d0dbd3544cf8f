// Document data compression: each item document's JSON as one zstd frame (with the database's
// dictionary), and back; the registry of dictionaries the decoder finds frames' dictionaries in.
#include "imrdex/core/doc_data.hpp"

#include <zdict.h>
#include <zstd.h>

#include <map>
#include <mutex>
#include <shared_mutex>

#include "imrdex/core/errors.hpp"

namespace imrdex {
namespace {

struct CCtxFree {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};
struct DDictFree {
    void operator()(ZSTD_DDict* d) const noexcept { ZSTD_freeDDict(d); }
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

// Dictionary id -> its digested form, for every dictionary this process has met. Few (one per
// database), never removed, so a decoder's pointer stays valid.
class Registry {
public:
    std::uint32_t add(std::string_view bytes) {
        const unsigned id = ZDICT_getDictID(bytes.data(), bytes.size());
        if (id == 0) throw InputError("document data dictionary: not a zstd dictionary");
        {
            const std::shared_lock lock(mu_);
            if (dicts_.count(id) != 0) return id;
        }
        std::unique_ptr<ZSTD_DDict, DDictFree> d(ZSTD_createDDict(bytes.data(), bytes.size()));
        if (!d) throw InputError("document data dictionary: cannot load");
        const std::unique_lock lock(mu_);
        dicts_.try_emplace(id, std::move(d));
        return id;
    }

    const ZSTD_DDict* find(std::uint32_t id) const {
        const std::shared_lock lock(mu_);
        const auto it = dicts_.find(id);
        return it == dicts_.end() ? nullptr : it->second.get();
    }

private:
    mutable std::shared_mutex mu_;
    std::map<std::uint32_t, std::unique_ptr<ZSTD_DDict, DDictFree>> dicts_;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

struct DocumentDictionary::Impl {
    ZSTD_CDict* cdict = nullptr;
};

DocumentDictionary::DocumentDictionary(std::string bytes)
    : bytes_(std::move(bytes)), impl_(std::make_unique<Impl>()) {
    id_ = register_document_dictionary(bytes_);
    impl_->cdict = ZSTD_createCDict(bytes_.data(), bytes_.size(), kDocumentDataLevel);
    if (impl_->cdict == nullptr) throw Error("cannot digest the document data dictionary");
}

DocumentDictionary::~DocumentDictionary() {
    ZSTD_freeCDict(impl_->cdict);
}

std::string DocumentDictionary::train(const std::vector<std::string>& samples) {
    std::string all;
    std::vector<std::size_t> sizes;
    for (const std::string& s : samples) {
        all += s;
        sizes.push_back(s.size());
    }
    // 112,640 bytes: zstd's usual dictionary size; a dictionary is stored once per shard.
    std::string dict(std::size_t{112640}, '\0');
    const std::size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(),
                                                static_cast<unsigned>(sizes.size()));
    if (ZDICT_isError(n) != 0) return {};
    dict.resize(n);
    return dict;
}

std::uint32_t register_document_dictionary(std::string_view bytes) {
    return registry().add(bytes);
}

bool is_compressed_document_data(std::string_view stored) noexcept {
    // ZSTD_MAGICNUMBER (0xFD2FB528) as a frame stores it, little-endian.
    return stored.size() >= 4 && stored[0] == '\x28' && stored[1] == '\xb5' &&
           stored[2] == '\x2f' && stored[3] == '\xfd';
}

std::string encode_document_data(std::string_view json, const DocumentDictionary* dictionary) {
    std::string out(ZSTD_compressBound(json.size()), '\0');
    const std::size_t n =
        dictionary != nullptr
            ? ZSTD_compress_usingCDict(compressor(), out.data(), out.size(), json.data(),
                                       json.size(), dictionary->impl_->cdict)
            : ZSTD_compressCCtx(compressor(), out.data(), out.size(), json.data(), json.size(),
                                kDocumentDataLevel);
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
    const ZSTD_DDict* dict = nullptr;
    if (const unsigned id = ZSTD_getDictID_fromFrame(stored.data(), stored.size()); id != 0) {
        dict = registry().find(id);
        if (dict == nullptr) {
            throw InputError("document data compressed with dictionary " + std::to_string(id) +
                             ", which is not loaded (its database's metadata holds it)");
        }
    }
    std::string out(static_cast<std::size_t>(size), '\0');
    const std::size_t n = dict != nullptr
                              ? ZSTD_decompress_usingDDict(decompressor(), out.data(), out.size(),
                                                           stored.data(), stored.size(), dict)
                              : ZSTD_decompressDCtx(decompressor(), out.data(), out.size(),
                                                    stored.data(), stored.size());
    if (ZSTD_isError(n) != 0 || n != out.size()) {
        throw InputError(std::string("damaged document data: ") +
                         (ZSTD_isError(n) != 0 ? ZSTD_getErrorName(n) : "short frame"));
    }
    return out;
}

}  // namespace imrdex
