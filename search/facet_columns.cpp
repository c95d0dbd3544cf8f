// Loads facet and range slots into per-document ordinal columns (imrdex/search/facet_columns.hpp).
#include "imrdex/search/facet_columns.hpp"

#include <algorithm>
#include <unordered_map>

#include "imrdex/core/schema.hpp"

namespace imrdex {

std::size_t FacetColumns::Column::bytes() const {
    std::size_t n = data.capacity() + values.capacity() * sizeof(std::string);
    for (const auto& v : values) n += v.capacity() > 15 ? v.capacity() + 1 : 0;  // beyond SSO
    return n;
}

const FacetColumns::Column* FacetColumns::Shard::column(unsigned slot) const {
    for (const Column& c : columns)
        if (c.slot == slot) return &c;
    return nullptr;
}

std::size_t FacetColumns::Shard::bytes() const {
    std::size_t n = sizeof(Shard);
    for (const Column& c : columns) n += c.bytes();
    return n;
}

const std::vector<unsigned>& FacetColumns::slots() {
    static const std::vector<unsigned> all = [] {
        std::vector<unsigned> out;
        for (const auto& f : schema::kFacets) out.push_back(f.slot);
        for (const auto& r : schema::kRangeFields)
            if (std::find(out.begin(), out.end(), r.slot) == out.end()) out.push_back(r.slot);
        return out;
    }();
    return all;
}

std::shared_ptr<const FacetColumns::Shard> FacetColumns::load(const Xapian::Database& shard,
                                                              Xapian::rev revision) {
    auto out = std::make_shared<Shard>();
    out->revision = revision;
    out->uuid = shard.get_uuid();
    out->documents = shard.get_doccount();
    const std::size_t docs = static_cast<std::size_t>(shard.get_lastdocid()) + 1;
    std::vector<std::uint32_t> ordinals;
    for (const unsigned slot : slots()) {
        Column c;
        c.slot = slot;
        c.values.emplace_back();
        ordinals.assign(docs, 0);
        std::unordered_map<std::string, std::uint32_t> index;
        for (auto v = shard.valuestream_begin(slot); v != shard.valuestream_end(slot); ++v) {
            const std::string value = *v;
            if (value.empty()) continue;
            auto [it, added] =
                index.try_emplace(value, static_cast<std::uint32_t>(c.values.size()));
            if (added) c.values.push_back(value);
            ordinals[v.get_docid()] = it->second;
        }
        // The narrowest ordinal that holds every value: most facets have few values (1 byte),
        // dates some thousands (2), letter ids one per letter (4).
        c.width = c.values.size() <= 0xff ? 1 : c.values.size() <= 0xffff ? 2 : 4;
        c.data.resize(docs * c.width);
        for (std::size_t d = 0; d < docs; ++d)
            for (unsigned b = 0; b < c.width; ++b)
                c.data[d * c.width + b] = static_cast<unsigned char>(ordinals[d] >> (8 * b));
        c.values.shrink_to_fit();
        out->columns.push_back(std::move(c));
    }
    return out;
}

std::size_t FacetColumns::bytes() const {
    std::size_t n = 0;
    for (const auto& s : shards) n += s->bytes();
    return n;
}

Xapian::doccount FacetColumns::documents() const {
    Xapian::doccount n = 0;
    for (const auto& s : shards) n += s->documents;
    return n;
}

}  // namespace imrdex
