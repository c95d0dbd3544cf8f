// Where a letter goes: the stable hash of its id, its local shard and its machine shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace imrdex {

// Stable 64-bit FNV-1a: the shard of a letter must not change between runs, builds or machines.
constexpr std::uint64_t fnv1a64(std::string_view s) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

// The local shard (shard-NN of one database) of a letter id: fnv1a64 modulo the shard count,
// as the XAPIANDB stub's comment says.
constexpr std::size_t shard_of(std::string_view id, std::size_t shards) noexcept {
    return static_cast<std::size_t>(fnv1a64(id) % shards);
}

// The machine shard (`imr-index --shard K/N`) of a letter id: the upper half of fnv1a64 modulo
// n. Other bits than shard_of's keep the two independent, so a machine's letters still spread
// over all its local shards.
constexpr unsigned part_of(std::string_view id, unsigned n) noexcept {
    return static_cast<unsigned>((fnv1a64(id) >> 32) % n);
}

}  // namespace imrdex
