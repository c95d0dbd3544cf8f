// imr-index --save-text: PDFs (made here, and the real letters when ../shared has them) and
// generated .txt letters are indexed while their text is saved, the saved file is indexed into
// a second database, and the two databases must hold the same documents (data, terms with wdf
// and positions, values), sources included; --extract agrees too. Also usage errors and a file
// cut off mid-frame.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "imrdex/core/json.hpp"
#include "imrdex/core/partition.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/pdf.hpp"
#include "imrdex/index/inputs.hpp"
#include "pdf_writer.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::testing::q;
using imrdex::testing::read_file;
using imrdex::testing::RunResult;
using imrdex::testing::TempDir;
using imrdex::testing::write_file;

RunResult run_index(const std::string& args, const fs::path& err_file) {
    return imrdex::testing::run_command(q(IMRDEX_INDEX_BIN) + " " + args, err_file);
}

// Every document of the database at `db`, keyed by its unique item term, as text: its data,
// each term with its wdf and positions, each value. Two databases with equal maps hold the same
// index content whatever their document ids.
std::map<std::string, std::string> documents(const fs::path& db) {
    const Xapian::Database d(db.string());
    std::map<std::string, std::string> out;
    for (auto it = d.postlist_begin(""); it != d.postlist_end(""); ++it) {
        const Xapian::Document doc = d.get_document(*it);
        std::string key;
        std::string text = "data " + doc.get_data() + "\n";
        for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
            const std::string term = *t;
            if (term.rfind(imrdex::schema::kUnique, 0) == 0) key = term;
            text += "term " + term + " wdf " + std::to_string(t.get_wdf()) + " at";
            for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
                text += " " + std::to_string(*p);
            }
            text += "\n";
        }
        for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
            text += "value " + std::to_string(v.get_valueno()) + " " + *v + "\n";
        }
        EXPECT_FALSE(key.empty()) << "a document without its unique term: " << text;
        EXPECT_TRUE(out.emplace(key, std::move(text)).second) << "unique term twice: " << key;
    }
    return out;
}

// The first difference between two databases' documents, or "" when they are the same.
std::string first_difference(const std::map<std::string, std::string>& a,
                             const std::map<std::string, std::string>& b) {
    for (const auto& [key, text] : a) {
        const auto other = b.find(key);
        if (other == b.end()) return key + " only in the first database";
        if (other->second != text) {
            return key + " differs:\n--- first\n" + text + "--- second\n" + other->second;
        }
    }
    for (const auto& [key, text] : b) {
        if (a.find(key) == a.end()) return key + " only in the second database";
    }
    return "";
}

// The letter ids (XL terms) of the database at `db`.
std::set<std::string> letter_ids(const fs::path& db) {
    const Xapian::Database d(db.string());
    const std::string prefix(imrdex::schema::kLetterId);
    std::set<std::string> out;
    for (auto it = d.allterms_begin(prefix); it != d.allterms_end(prefix); ++it) {
        out.insert((*it).substr(prefix.size()));
    }
    return out;
}

// The number after "key": in a --stats-json file; -1 when absent.
long long stat_of(const std::string& json, const std::string& key) {
    const std::size_t at = json.find("\"" + key + "\":");
    return at == std::string::npos ? -1 : std::stoll(json.substr(at + key.size() + 3));
}

// The "warnings" object of a --stats-json file, as text.
std::string warnings_of(const fs::path& stats) {
    const std::string text = read_file(stats);
    const std::size_t start = text.find("\"warnings\":{");
    if (start == std::string::npos) return "(none in " + text + ")";
    return text.substr(start, text.find('}', start) - start);
}

// The lines of a --rejects file.
std::set<std::string> rejects_of(const fs::path& file) {
    std::set<std::string> out;
    std::istringstream in(read_file(file));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) out.insert(line);
    }
    return out;
}

// Indexes `inputs` into db1 saving the text, then the saved file into db2; both runs must exit
// with `code` (-1: the same code, whichever), list the same rejections (bar those the saved file
// cannot hold: inputs whose text could not be made), and build the same documents. Returns the
// saved records.
std::vector<imrdex::RawLetter> round_trip(const fs::path& dir, const std::string& inputs, int code,
                                          std::size_t min_documents) {
    const fs::path saved = dir / "saved.jsonl.zst";
    const fs::path err = dir / "err";
    const RunResult first = run_index(
        "--threads 2 --db " + q(dir / "db1") + " --rejects " + q(dir / "rejects1") +
            " --stats-json " + q(dir / "stats1") + " --save-text " + q(saved) + " " + inputs,
        err);
    if (code >= 0) {
        EXPECT_EQ(first.code, code) << read_file(err);
    }
    EXPECT_NE(read_file(err).find("saved to " + saved.string()), std::string::npos)
        << read_file(err);
    const RunResult second =
        run_index("--threads 2 --db " + q(dir / "db2") + " --rejects " + q(dir / "rejects2") +
                      " --stats-json " + q(dir / "stats2") + " " + q(saved),
                  err);
    EXPECT_EQ(second.code, first.code) << read_file(err);
    // The letters' warnings by code, those of the PDF text extraction included.
    EXPECT_EQ(warnings_of(dir / "stats1"), warnings_of(dir / "stats2"));

    const auto docs1 = documents(dir / "db1");
    const auto docs2 = documents(dir / "db2");
    EXPECT_GE(docs1.size(), min_documents);
    EXPECT_EQ(docs1.size(), docs2.size());
    EXPECT_EQ(first_difference(docs1, docs2), "");

    // Rejections of letters whose text was saved come back under their original source.
    std::set<std::string> rejects1 = rejects_of(dir / "rejects1");
    for (auto it = rejects1.begin(); it != rejects1.end();) {
        const bool unsaved = it->find("\"bad_pdf\"") != std::string::npos;
        it = unsaved ? rejects1.erase(it) : std::next(it);
    }
    EXPECT_EQ(rejects1, rejects_of(dir / "rejects2"));

    std::vector<imrdex::RawLetter> letters;
    std::vector<imrdex::Rejection> rejections;
    imrdex::read_all({saved.string()}, letters, rejections);
    EXPECT_TRUE(rejections.empty()) << rejections.front().detail;
    return letters;
}

// Letters of the generator as PDFs in dir/pdf: `count` of them, plus a PDF that is not a letter
// (no disputed item: rejected, but its text saved) and a corrupt one (rejected, nothing saved).
std::vector<fs::path> write_pdfs(const fs::path& dir, std::uint64_t count) {
    const imrdex::LetterGenerator gen(2026);
    std::vector<fs::path> paths;
    for (std::uint64_t i = 0; i < count; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "letter-%03llu.pdf", static_cast<unsigned long long>(i));
        paths.push_back(dir / "pdf" / name);
        write_file(paths.back(), imrdex::testing::make_text_pdf(gen.generate(i).text));
    }
    paths.push_back(dir / "pdf" / "memo.pdf");
    write_file(paths.back(),
               imrdex::testing::make_text_pdf(
                   "Office memo\n\nThe printer on the second floor is out of toner.\n"));
    write_file(dir / "pdf" / "zz-corrupt.pdf", "%PDF-1.4\nnot really a PDF\n");
    return paths;
}

TEST(SaveText, PdfsIndexTheSameFromTheirSavedText) {
    TempDir t("save-text");
    const std::vector<fs::path> pdfs = write_pdfs(t.path(), 12);
    const auto saved = round_trip(t.path(), q(t.path() / "pdf"), 1, 12);

    // One record per PDF whose text could be read, in input order, under the PDF's path, with
    // the text the extractor makes; the corrupt PDF has none.
    ASSERT_EQ(saved.size(), pdfs.size());
    for (std::size_t i = 0; i < pdfs.size(); ++i) {
        EXPECT_EQ(saved[i].source, pdfs[i].string());
        EXPECT_EQ(saved[i].text, imrdex::extract_pdf_text(read_file(pdfs[i]), "test").text);
    }
    EXPECT_EQ(saved.back().fallback_id, "memo");
    // A page without text (the writer's last page holds only blank lines) was warned about
    // while extracting; the saved record carries the warning.
    std::size_t empty_pages = 0;
    for (const auto& letter : saved) {
        for (const auto& w : letter.warnings)
            empty_pages += w.code == imrdex::WarningCode::pdf_empty_page;
    }
    EXPECT_GT(empty_pages, 0U);
    const std::string rejects = read_file(t.path() / "rejects2");
    EXPECT_NE(rejects.find((t.path() / "pdf" / "memo.pdf").string()), std::string::npos) << rejects;

    // --extract saves the same file and prints the same records from it as from the PDFs.
    const fs::path err = t.path() / "err";
    const fs::path saved2 = t.path() / "extract.jsonl.zst";
    const RunResult from_pdf =
        run_index("--extract --save-text " + q(saved2) + " " + q(t.path() / "pdf"), err);
    EXPECT_EQ(from_pdf.code, 1) << read_file(err);
    EXPECT_EQ(read_file(saved2), read_file(t.path() / "saved.jsonl.zst"));
    const RunResult from_text = run_index("--extract " + q(saved2), err);
    EXPECT_EQ(from_text.code, 1) << read_file(err);
    EXPECT_EQ(from_pdf.out, from_text.out);
}

TEST(SaveText, RealLettersIndexTheSameFromTheirSavedText) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/pdf");
    TempDir t("save-text");
    const fs::path pdf_dir = imrdex::testing::shared_dir() / "real-letters" / "pdf";
    std::size_t pdfs = 0;
    for (const auto& e : fs::directory_iterator(pdf_dir)) pdfs += e.path().extension() == ".pdf";
    const auto saved = round_trip(t.path(), q(pdf_dir), -1, pdfs);
    ASSERT_EQ(saved.size(), pdfs);
    for (const auto& letter : saved) {
        EXPECT_EQ(fs::path(letter.source).parent_path(), pdf_dir) << letter.source;
    }
}

TEST(SaveText, GeneratedTextLettersIndexTheSameFromTheirSavedText) {
    TempDir t("save-text");
    const fs::path err = t.path() / "err";
    ASSERT_EQ(imrdex::testing::run_command(q(IMRDEX_CORPUS_BIN) +
                                               " --letters 150 --seed 11 --format txt --out " +
                                               q(t.path() / "corpus"),
                                           err)
                  .code,
              0)
        << read_file(err);
    const auto saved = round_trip(t.path(), q(t.path() / "corpus" / "txt"), 0, 150);
    ASSERT_EQ(saved.size(), 150U);
    for (const auto& letter : saved) {
        EXPECT_EQ(letter.text, read_file(letter.source)) << letter.source;
    }

    // Under --shard K/N a machine saves its own letters only: together, every letter once.
    std::set<std::string> ids;
    for (unsigned k = 0; k < 2; ++k) {
        const fs::path part = t.path() / ("part" + std::to_string(k) + ".jsonl.zst");
        ASSERT_EQ(run_index("--shard " + std::to_string(k) + "/2 --db " +
                                q(t.path() / ("db-part" + std::to_string(k))) + " --save-text " +
                                q(part) + " " + q(t.path() / "corpus" / "txt"),
                            err)
                      .code,
                  0)
            << read_file(err);
        std::vector<imrdex::RawLetter> letters;
        std::vector<imrdex::Rejection> rejections;
        imrdex::read_all({part.string()}, letters, rejections);
        EXPECT_GT(letters.size(), 0U);
        for (const auto& letter : letters) {
            EXPECT_EQ(imrdex::part_of(letter.fallback_id, 2), k) << letter.fallback_id;
            EXPECT_TRUE(ids.insert(letter.fallback_id).second) << letter.fallback_id;
        }
    }
    EXPECT_EQ(ids.size(), 150U);
}

// The documents committed so far in the database at `db`; 0 while it cannot be opened yet.
Xapian::doccount committed(const fs::path& db) {
    try {
        return Xapian::Database(db.string()).get_doccount();
    } catch (const Xapian::Error&) {
        return 0;  // no stub yet, or a shard being created
    }
}

// SIGTERM: reading stops, what was read is indexed and committed, and the saved file holds
// those letters, every frame whole.
TEST(SaveText, AnInterruptedRunSavesWhatItRead) {
    TempDir t("save-text");
    // 5,000 letters: 32 generated ones again and again under new case numbers.
    const imrdex::LetterGenerator gen(7);
    std::vector<imrdex::GeneratedLetter> base;
    for (std::uint64_t i = 0; i < 32; ++i) base.push_back(gen.generate(i));
    std::string jsonl;
    constexpr int kLetters = 5000;
    for (int n = 0; n < kLetters; ++n) {
        const imrdex::GeneratedLetter& g = base[static_cast<std::size_t>(n) % base.size()];
        char id[32];
        std::snprintf(id, sizeof id, "CM19-%07d", n);
        std::string text = g.text;
        for (std::size_t at = 0; (at = text.find(g.truth.id, at)) != std::string::npos;) {
            text.replace(at, g.truth.id.size(), id);
        }
        jsonl += "{\"text\":";
        imrdex::append_json_string(jsonl, text);
        jsonl += "}\n";
    }
    write_file(t.path() / "in.jsonl", jsonl);
    const std::string db = (t.path() / "db").string();
    const std::string saved = (t.path() / "saved.jsonl.zst").string();
    const std::string stats = (t.path() / "stats.json").string();
    const std::string in = (t.path() / "in.jsonl").string();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::execl(IMRDEX_INDEX_BIN, IMRDEX_INDEX_BIN, "--quiet", "--threads", "2", "--flush-mb",
                "0.1", "--no-compact", "--db", db.c_str(), "--stats-json", stats.c_str(),
                "--save-text", saved.c_str(), in.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Signal once letters are committed (the run is under way), not after a guessed delay.
    Xapian::doccount seen = 0;
    int status = 0;
    bool exited = false;
    for (int waited_ms = 0; seen == 0 && waited_ms < 120'000; waited_ms += 10) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
        }
        seen = committed(db);
        if (seen == 0) ::usleep(10 * 1000);
    }
    if (!exited) {
        ::kill(pid, SIGTERM);
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 143) << "it ended before the signal, or not by it";
    const std::string json = read_file(stats);
    std::vector<imrdex::RawLetter> letters;
    std::vector<imrdex::Rejection> rejections;
    imrdex::read_all({saved}, letters, rejections);
    EXPECT_TRUE(rejections.empty()) << rejections.front().detail;
    EXPECT_LT(letters.size(), static_cast<std::size_t>(kLetters)) << "nothing was left unread";
    EXPECT_EQ(static_cast<long long>(letters.size()),
              stat_of(json, "letters") + stat_of(json, "rejected"))
        << json;
    EXPECT_EQ(static_cast<long long>(letters.size()), stat_of(json, "saved_letters")) << json;
    // Every letter indexed is saved (and, in input order, the first letters read).
    const std::set<std::string> indexed = letter_ids(db);
    std::set<std::string> saved_ids;
    for (std::size_t i = 0; i < letters.size(); ++i) {
        EXPECT_EQ(letters[i].source, in + ":" + std::to_string(i + 1));
        saved_ids.insert(letters[i].fallback_id);
    }
    EXPECT_FALSE(indexed.empty());
    for (const std::string& id : indexed) EXPECT_EQ(saved_ids.count(id), 1U) << id;
}

TEST(SaveText, ACutOffFileGivesItsWholeFramesBack) {
    TempDir t("save-text");
    const fs::path err = t.path() / "err";
    ASSERT_EQ(imrdex::testing::run_command(q(IMRDEX_CORPUS_BIN) +
                                               " --letters 400 --seed 5 --format txt --out " +
                                               q(t.path() / "corpus"),
                                           err)
                  .code,
              0);
    const fs::path saved = t.path() / "saved.jsonl.zst";
    ASSERT_EQ(
        run_index("--extract --save-text " + q(saved) + " " + q(t.path() / "corpus" / "txt"), err)
            .code,
        0)
        << read_file(err);
    // As a run killed while writing a frame leaves it: the later part of the file missing.
    const std::string whole = read_file(saved);
    const fs::path cut = t.path() / "cut.jsonl.zst";
    write_file(cut, whole.substr(0, whole.size() * 6 / 10));
    std::vector<imrdex::RawLetter> all, letters;
    std::vector<imrdex::Rejection> none, rejections;
    imrdex::read_all({saved.string()}, all, none);
    imrdex::read_all({cut.string()}, letters, rejections);
    ASSERT_EQ(all.size(), 400U);
    // A frame per batch of 64 letters: the frames before the cut are read whole (and the lines
    // of the cut one that zstd could decode before the cut).
    EXPECT_GE(letters.size(), 128U);
    EXPECT_LT(letters.size(), 400U);
    for (std::size_t i = 0; i < letters.size(); ++i) EXPECT_EQ(letters[i].text, all[i].text);
    ASSERT_EQ(rejections.size(), 1U);
    EXPECT_EQ(rejections[0].reason, imrdex::RejectReason::bad_zstd);
}

TEST(SaveText, BadPathsFailBeforeAnyWork) {
    TempDir t("save-text");
    const fs::path err = t.path() / "err";
    write_file(t.path() / "in" / "a.txt", "not a letter\n");
    const std::string in = q(t.path() / "in");
    const std::string db = " --db " + q(t.path() / "db") + " ";
    // Usage errors: the name imr-index would not read back, a missing directory, a directory.
    EXPECT_EQ(run_index(db + "--save-text " + q(t.path() / "out.jsonl") + " " + in, err).code, 2);
    EXPECT_NE(read_file(err).find(".jsonl.zst"), std::string::npos) << read_file(err);
    EXPECT_EQ(
        run_index(db + "--save-text " + q(t.path() / "no" / "out.jsonl.zst") + " " + in, err).code,
        2);
    EXPECT_NE(read_file(err).find("no such directory"), std::string::npos) << read_file(err);
    fs::create_directories(t.path() / "d.jsonl.zst");
    EXPECT_EQ(run_index(db + "--save-text " + q(t.path() / "d.jsonl.zst") + " " + in, err).code, 2);
    EXPECT_EQ(run_index("--merge " + q(t.path() / "m") + " --save-text " +
                            q(t.path() / "x.jsonl.zst") + " " + in,
                        err)
                  .code,
              2);
    // Fatal errors, found before the database is created: a file that cannot be created, and
    // an input the run would overwrite (left as it was).
    const fs::path readonly = t.path() / "ro";
    fs::create_directories(readonly);
    fs::permissions(readonly, fs::perms::owner_read | fs::perms::owner_exec);
    if (::access(readonly.c_str(), W_OK) != 0) {  // root writes anywhere
        EXPECT_EQ(run_index(db + "--save-text " + q(readonly / "s.jsonl.zst") + " " + in, err).code,
                  3);
        EXPECT_NE(read_file(err).find("cannot create"), std::string::npos) << read_file(err);
    }
    fs::permissions(readonly, fs::perms::owner_all);
    const fs::path input = t.path() / "in" / "b.jsonl.zst";
    write_file(input, "keep me");
    EXPECT_EQ(run_index(db + "--save-text " + q(input) + " " + in, err).code, 3);
    EXPECT_NE(read_file(err).find("is one of the inputs"), std::string::npos) << read_file(err);
    EXPECT_EQ(read_file(input), "keep me");
    EXPECT_FALSE(fs::exists(t.path() / "db"));
}

}  // namespace
