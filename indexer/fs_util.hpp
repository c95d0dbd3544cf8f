// File-system helpers shared by the indexing pipeline and --merge (durability, sizes); internal.
#pragma once

#include <cstdint>
#include <filesystem>

namespace imrdex::fs_util {

// fsync every regular file and directory below `dir`, then `dir` itself: the Xapian writers run
// with DB_NO_SYNC, so nothing is on disk until this. Throws IoError when a file's fsync fails.
void sync_tree(const std::filesystem::path& dir);

// fsync the directory `dir` (its entries: new names, renames); errors are ignored.
void sync_dir(const std::filesystem::path& dir);

// Total bytes of the regular files below `dir`.
std::uint64_t tree_bytes(const std::filesystem::path& dir);

}  // namespace imrdex::fs_util
