// Facet and range values held in memory as columns indexed by document, with a table of
// distinct values per column (as Lucene's doc values and Elasticsearch's global ordinals): a
// long-running searcher counts facets, buckets and pivots without reading a value per match.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

namespace imrdex {

class FacetColumns {
public:
    // One value slot of one shard: the ordinal of each document's value (0: no value), in
    // 1, 2 or 4 bytes per document as the number of distinct values needs.
    struct Column {
        unsigned slot = 0;
        std::vector<std::string> values;  // by ordinal; values[0] is "" (no value)
        unsigned width = 1;               // bytes per ordinal
        std::vector<unsigned char> data;  // (last docid + 1) * width bytes

        [[nodiscard]] std::uint32_t ordinal(Xapian::docid did) const {
            const std::size_t at = static_cast<std::size_t>(did) * width;
            if (at >= data.size()) return 0;
            switch (width) {
                case 1:
                    return data[at];
                case 2:
                    return static_cast<std::uint32_t>(data[at] | (data[at + 1] << 8));
                default:
                    return static_cast<std::uint32_t>(data[at]) |
                           (static_cast<std::uint32_t>(data[at + 1]) << 8) |
                           (static_cast<std::uint32_t>(data[at + 2]) << 16) |
                           (static_cast<std::uint32_t>(data[at + 3]) << 24);
            }
        }
        [[nodiscard]] std::size_t bytes() const;
    };

    // Every column of one shard, as of one revision (docids are the shard's own).
    struct Shard {
        Xapian::rev revision = 0;
        std::string uuid;  // a compacted copy swapped in has a new one, its revisions start again
        Xapian::doccount documents = 0;
        std::vector<Column> columns;  // in the order of slots()
        [[nodiscard]] const Column* column(unsigned slot) const;
        [[nodiscard]] std::size_t bytes() const;
    };

    // The slots held: each facet's of schema::kFacets, then each bucketed range field's of
    // schema::kRangeFields.
    static const std::vector<unsigned>& slots();

    // Reads every column of `shard` (a single database at `revision`) with one pass of
    // Xapian's value stream per slot.
    static std::shared_ptr<const Shard> load(const Xapian::Database& shard, Xapian::rev revision);

    std::vector<std::shared_ptr<const Shard>> shards;  // in the order of the database's shards

    [[nodiscard]] std::size_t bytes() const;           // memory held, values tables included
    [[nodiscard]] Xapian::doccount documents() const;  // items covered
};

// One slot's ordinals in one shard, for counting over the matches of an Enquire on that shard
// alone: the in-memory column's when a long-running searcher holds columns, else the slot read
// per match (Xapian's matcher reads it from the slot's value stream) and its values numbered as
// they are met. Matches share few distinct values, so counting by ordinal and labelling each
// value once afterwards costs a hash lookup per match, not a string per count.
class SlotOrdinals {
public:
    // `column`: null to read `slot` per match.
    SlotOrdinals(const FacetColumns::Column* column, Xapian::valueno slot)
        : column_(column), slot_(slot) {}

    [[nodiscard]] std::uint32_t of(const Xapian::Document& doc) {
        if (column_ != nullptr) return column_->ordinal(doc.get_docid());
        std::string raw = doc.get_value(slot_);
        const auto [it, fresh] =
            index_.try_emplace(std::move(raw), static_cast<std::uint32_t>(values_.size()));
        if (fresh) values_.push_back(it->first);
        return it->second;
    }
    // The value numbered `ordinal`; empty for no value.
    [[nodiscard]] const std::string& value(std::uint32_t ordinal) const {
        return column_ != nullptr ? column_->values[ordinal] : values_[ordinal];
    }
    // One more than the largest ordinal `of` can have returned so far.
    [[nodiscard]] std::size_t size() const {
        return column_ != nullptr ? column_->values.size() : values_.size();
    }

private:
    const FacetColumns::Column* column_;
    Xapian::valueno slot_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::vector<std::string> values_;
};

}  // namespace imrdex
