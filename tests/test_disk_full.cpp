// Disk full while indexing: a file-size limit (RLIMIT_FSIZE, writes fail with EFBIG) and, when
// this process may mount, a small tmpfs (ENOSPC). imr-index must say so clearly, exit 3, and
// leave the last committed index intact; rerunning the same command with room finishes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "fault_corpus.hpp"

namespace {

using namespace imrdex::testing;

std::uintmax_t largest_file(const fs::path& dir) {
    std::uintmax_t most = 0;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) most = std::max(most, e.file_size());
    }
    return most;
}

// Checks the database after the failed run: it opens, passes xapian-check, has only whole
// letters, and still every letter of the run before.
void expect_intact(const fs::path& db, const std::map<std::string, std::size_t>& before,
                   const std::map<std::string, std::size_t>& all) {
    const auto found = letter_items(db);
    const std::vector<std::string> partial = partial_letters(found, all);
    EXPECT_TRUE(partial.empty()) << partial.size() << " partial, first " << partial.front();
    for (const auto& [id, items] : before) {
        EXPECT_EQ(found.count(id), 1u) << id << " of the earlier commit is missing";
    }
    bool have_check = false;
    const std::vector<std::string> broken = xapian_check_shards(db, have_check);
    EXPECT_TRUE(broken.empty()) << broken.front();
    if (!have_check) std::printf("note: xapian-check not found, shard checks skipped\n");
    std::printf("after the failure: %zu letters present (%zu before the run, %zu in all)\n",
                found.size(), before.size(), all.size());
}

TEST(DiskFull, FileSizeLimitFailsClearlyAndKeepsTheLastCommit) {
    TempDir t("diskfull");
    const fs::path a = t.path() / "a.jsonl";
    const fs::path b = t.path() / "b.jsonl";
    const auto truth_a = write_generated_jsonl(a, 9, 0, 600);
    auto all = write_generated_jsonl(b, 9, 600, 1400);
    all.insert(truth_a.begin(), truth_a.end());
    const fs::path db = t.path() / "db";
    ASSERT_EQ(run_index({"--quiet", "--threads", "2", "--db", db.string(), a.string()}), 0);

    // Room for about one more megabyte in any file.
    ChildOptions limited;
    limited.err = t.path() / "stderr";
    limited.fsize_limit = largest_file(db) + (std::uintmax_t{1} << 20);
    const std::vector<std::string> args{"--quiet", "--threads", "2", "--flush-mb", "1",
                                        "--db", db.string(), b.string()};
    EXPECT_EQ(run_index(args, limited), 3);
    const std::string err = read_file(limited.err);
    EXPECT_NE(err.find("File too large"), std::string::npos) << err;
    EXPECT_NE(err.find("the disk is full"), std::string::npos) << err;
    std::printf("limit %ju bytes per file; stderr: %s", static_cast<std::uintmax_t>(limited.fsize_limit),
                err.c_str());
    expect_intact(db, truth_a, all);

    // With room again, the same command finishes the job.
    EXPECT_EQ(run_index(args), 0);
    EXPECT_EQ(letter_items(db), all);
}

// Unmounts on scope exit (before TempDir removes the mount point).
struct Mount {
    fs::path point;
    bool mounted = false;
    ~Mount() {
        if (mounted) std::system(("umount '" + point.string() + "'").c_str());
    }
};

TEST(DiskFull, FullTmpfsFailsClearlyAndKeepsTheLastCommit) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
    TempDir t("diskfull-tmpfs");
    Mount m{t.path() / "mnt"};
    fs::create_directories(m.point);
    const std::string mount =
        "mount -t tmpfs -o size=12m tmpfs '" + m.point.string() + "' 2>/dev/null";
    if (std::system(mount.c_str()) != 0) GTEST_SKIP() << "cannot mount a tmpfs here";
    m.mounted = true;

    const fs::path a = t.path() / "a.jsonl";
    const fs::path b = t.path() / "b.jsonl";
    const auto truth_a = write_generated_jsonl(a, 13, 0, 300);
    auto all = write_generated_jsonl(b, 13, 300, 1700);
    all.insert(truth_a.begin(), truth_a.end());
    const fs::path db = m.point / "db";
    ASSERT_EQ(run_index({"--quiet", "--threads", "2", "--db", db.string(), a.string()}), 0);

    ChildOptions child;
    child.err = t.path() / "stderr";
    const std::vector<std::string> args{"--quiet", "--threads", "2", "--flush-mb", "1",
                                        "--db", db.string(), b.string()};
    EXPECT_EQ(run_index(args, child), 3);
    const std::string err = read_file(child.err);
    EXPECT_NE(err.find("No space left"), std::string::npos) << err;
    EXPECT_NE(err.find("the disk is full"), std::string::npos) << err;
    std::printf("12 MB tmpfs; stderr: %s", err.c_str());
    expect_intact(db, truth_a, all);

    // Room again (a bigger tmpfs): the same command finishes.
    ASSERT_EQ(std::system(("mount -o remount,size=96m '" + m.point.string() + "'").c_str()), 0);
    EXPECT_EQ(run_index(args), 0);
    EXPECT_EQ(letter_items(db), all);
}

}  // namespace
