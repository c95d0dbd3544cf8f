// SIGKILL at random moments (fixed seed), including during the final compaction: after every
// kill the database opens, passes xapian-check and holds only whole letters, never fewer than
// before; rerunning the same command then finishes with every letter present exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fault_corpus.hpp"

namespace {

using namespace imrdex::testing;
using Clock = std::chrono::steady_clock;

bool compacting(const fs::path& db) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(db, ec)) {
        if (e.path().extension() == ".compact") return true;
    }
    return false;
}

TEST(Kill, RandomKillsLeaveWholeLettersAndRerunFinishes) {
    TempDir t("kill");
    const fs::path input = t.path() / "in" / "letters.jsonl";
    const auto truth = write_generated_jsonl(input, 3, 0, 1500);
    const fs::path db = t.path() / "db";
    // Small flushes: every shard commits several times per run.
    const std::vector<std::string> args{"--quiet", "--threads", "2", "--flush-mb", "1",
                                        "--db", db.string(), input.string()};

    std::mt19937 rng(20240607);
    int kills = 0;
    int in_compaction = 0;
    int before_stub = 0;
    int finished = 0;
    std::size_t last_present = 0;
    bool have_check = true;
    // 13 rounds, more (up to 25) when runs that finished before their kill left fewer than 10.
    for (int round = 0; round < 13 || (kills < 10 && round < 25); ++round) {
        if (round == 6) {
            // Start over once, so that more kills land while the database is still filling.
            fs::remove_all(db);
            last_present = 0;
        }
        const pid_t pid = spawn_index(args);
        ASSERT_GT(pid, 0);
        const Clock::time_point start = Clock::now();
        // Rounds 4, 8, 12: wait for the compaction phase, then kill within it; the others
        // kill after a random delay anywhere in the run.
        const bool aim_compaction = round % 4 == 0 && round > 0;
        // Rounds 0 and 7 kill early in a fresh database's run, round 6 within milliseconds of
        // the start (usually before the database exists).
        std::uniform_int_distribution<int> ms(0, 1800);
        if (aim_compaction) ms = std::uniform_int_distribution<int>(0, 25);
        if (round == 0 || round == 7) ms = std::uniform_int_distribution<int>(100, 900);
        if (round == 6) ms = std::uniform_int_distribution<int>(0, 15);
        const auto delay = std::chrono::milliseconds(ms(rng));
        int status = 0;
        bool reaped = false;
        if (aim_compaction) {
            while (!compacting(db) && Clock::now() - start < std::chrono::seconds(30)) {
                if (::waitpid(pid, &status, WNOHANG) == pid) {
                    reaped = true;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::microseconds(500));
            }
        }
        std::this_thread::sleep_for(delay);
        const bool was_compacting = compacting(db);
        int code = 0;
        if (reaped) {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        } else {
            ::kill(pid, SIGKILL);
            code = wait_child(pid);
        }
        if (code != 128 + SIGKILL) {
            EXPECT_EQ(code, 0);
            ++finished;
        } else {
            ++kills;
            if (was_compacting) ++in_compaction;
        }

        if (!fs::exists(db / "XAPIANDB")) {
            // Killed before the stub was written: no database yet (Xapian cannot open it);
            // the next run carries on with the half-created directory.
            ++before_stub;
            EXPECT_EQ(last_present, 0u);
            continue;
        }
        const auto found = letter_items(db);
        const std::vector<std::string> partial = partial_letters(found, truth);
        EXPECT_TRUE(partial.empty()) << "round " << round << ": " << partial.size()
                                     << " partial letters, first " << partial.front();
        EXPECT_GE(found.size(), last_present) << "round " << round;
        last_present = found.size();
        const std::vector<std::string> broken = xapian_check_shards(db, have_check);
        EXPECT_TRUE(broken.empty()) << "round " << round << ": " << broken.front();
        std::printf("round %2d: %s after %4lld ms%s: %zu of %zu letters present, whole\n", round,
                    code == 128 + SIGKILL ? "killed" : "finished",
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               Clock::now() - start)
                                               .count()),
                    was_compacting ? " (compacting)" : "", found.size(), truth.size());
    }
    if (!have_check) std::printf("note: xapian-check not found, shard checks skipped\n");
    std::printf("%d kills (%d during compaction, %d before the database existed), %d runs "
                "finished first\n",
                kills, in_compaction, before_stub, finished);
    EXPECT_GE(kills, 10);
    EXPECT_GE(in_compaction, 1);

    // Resume = rerun the same command: every letter exactly once, whole.
    EXPECT_EQ(run_index(args), 0);
    EXPECT_EQ(letter_items(db), truth);
    const std::vector<std::string> broken = xapian_check_shards(db, have_check);
    EXPECT_TRUE(broken.empty()) << broken.front();
    EXPECT_FALSE(compacting(db)) << "a killed compaction's copy was left behind";
}

// What a kill between creating the shard directories and writing XAPIANDB leaves: rerunning
// the same command carries on instead of refusing a directory that is "not a database".
TEST(Kill, RerunAfterAKillBeforeTheStubExists) {
    TempDir t("kill-stub");
    const fs::path input = t.path() / "letters.jsonl";
    const auto truth = write_generated_jsonl(input, 5, 0, 40);
    const fs::path db = t.path() / "db";
    fs::create_directories(db / "shard-00");
    fs::create_directories(db / "shard-01");
    write_file(db / "XAPIANDB.tmp", "# imrdex: 2 shards; letters go to fnv1a64(id) % shards\n");
    EXPECT_EQ(run_index({"--quiet", "--db", db.string(), input.string()}), 0);
    EXPECT_EQ(letter_items(db), truth);
    // Anything else in the directory still makes it "not an imrdex database".
    const fs::path other = t.path() / "other";
    write_file(other / "notes.txt", "mine");
    EXPECT_EQ(run_index({"--quiet", "--db", other.string(), input.string()}), 3);
}

}  // namespace
