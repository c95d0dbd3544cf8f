// File-system helpers shared by the indexing pipeline and --merge (durability, sizes).
#include "fs_util.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "imrdex/core/errors.hpp"

namespace fs = std::filesystem;

namespace imrdex::fs_util {

void sync_tree(const fs::path& dir) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir, ec)) {
        std::error_code fec;
        if (!e.is_regular_file(fec) && !e.is_directory(fec)) continue;
        const int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        // Some file systems refuse fsync on a directory; only a file's failure is fatal.
        const bool ok = ::fsync(fd) == 0 || e.is_directory(fec);
        ::close(fd);
        if (!ok) throw IoError("fsync failed on " + e.path().string());
    }
    sync_dir(dir);
}

void sync_dir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::uint64_t tree_bytes(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir, ec)) {
        std::error_code fec;
        if (e.is_regular_file(fec)) total += e.file_size(fec);
    }
    return total;
}

}  // namespace imrdex::fs_util
